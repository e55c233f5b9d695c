import { Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import type { DeactivationPreview } from '../../api';
import type { Translate } from '../../utils/useT';
import { Person, when } from './Person';

/** Who the next deprovisioning run deactivates, with their last sign-in. */
export function DueTable({ due, t }: { due: DeactivationPreview['due']; t: Translate }) {
  return (
    <Table colCount={2} rowCount={due.length + 1}>
      <Thead>
        <Tr>
          <Th>
            <Typography variant="sigma">{t('sessions.person', 'Person')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.lastSignIn', 'Last sign-in')}</Typography>
          </Th>
        </Tr>
      </Thead>
      <Tbody>
        {due.map((person) => (
          <Tr key={person.id} data-due={person.email ?? person.id}>
            <Td>
              <Person person={person} t={t} />
            </Td>
            <Td>
              <Typography>{when(person.lastSeenAt)}</Typography>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
