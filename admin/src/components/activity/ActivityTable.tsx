import { Flex, Status, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { ActivityRecord } from '../../api';
import { KIND_VARIANT } from '../../utils/activity-labels';
import type { Translate } from '../../utils/useT';
import { ActivityDetails } from './ActivityDetails';

/** The rows of the activity log: time, event, person, peer, details. */
export function ActivityTable({ records, kinds, t }: { records: ActivityRecord[]; kinds: Record<string, string>; t: Translate }) {
  return (
    <Table colCount={5} rowCount={records.length + 1}>
      <Thead>
        <Tr>
          <Th>
            <Typography variant="sigma">{t('activity.column.time', 'Time')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('activity.column.event', 'Event')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('activity.column.person', 'Person')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('activity.column.peer', 'Peer')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('activity.column.details', 'Details')}</Typography>
          </Th>
        </Tr>
      </Thead>
      <Tbody>
        {records.length === 0 ? (
          <Tr>
            <Td colSpan={5}>
              <Typography textColor="neutral600">{t('activity.empty', 'Nothing recorded for these filters.')}</Typography>
            </Td>
          </Tr>
        ) : (
          records.map((record) => (
            <Tr key={record.id} data-kind={record.kind}>
              <Td>
                <Typography variant="pi" title={record.at}>
                  {new Date(record.at).toLocaleString()}
                </Typography>
              </Td>
              <Td>
                <Status variant={KIND_VARIANT[record.kind] ?? 'neutral'} size="S">
                  <Typography variant="pi" fontWeight="bold">
                    {kinds[record.kind] ?? record.kind}
                  </Typography>
                </Status>
              </Td>
              <Td>
                <Flex direction="column" alignItems="flex-start">
                  <Typography variant="omega">{record.identity ?? record.user?.email ?? '—'}</Typography>
                  {record.user && record.user.email && record.user.email !== record.identity ? (
                    <Typography variant="pi" textColor="neutral600">
                      {record.user.email}
                    </Typography>
                  ) : null}
                </Flex>
              </Td>
              <Td>
                <Typography variant="pi">{record.peer ?? '—'}</Typography>
              </Td>
              <Td style={{ whiteSpace: 'normal', maxWidth: '36rem' }}>
                <ActivityDetails record={record} t={t} />
              </Td>
            </Tr>
          ))
        )}
      </Tbody>
    </Table>
  );
}
