import type { ReactNode } from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { Link as RouterLink } from 'react-router-dom';
import type { ActivityRecord } from '../../api';
import { reasonLabel } from '../../utils/activity-labels';
import type { Translate } from '../../utils/useT';

const list = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : '');

/** What the row says beyond its kind; for a refusal, what to change and where to check it. */
export function ActivityDetails({ record, t }: { record: ActivityRecord; t: Translate }) {
  const d = record.details ?? {};
  const lines: ReactNode[] = [];
  switch (record.kind) {
    case 'sign-in':
      lines.push(t(`activity.via.${String(d.via)}`, String(d.via ?? '')));
      break;
    case 'created':
      lines.push(t('activity.details.roles', 'Roles: {roles}', { roles: list(d.roles) }));
      break;
    case 'roles-changed':
      if (list(d.added)) lines.push(t('activity.details.added', 'Added: {roles}', { roles: list(d.added) }));
      if (list(d.removed)) lines.push(t('activity.details.removed', 'Removed: {roles}', { roles: list(d.removed) }));
      lines.push(list(d.groups) ? t('activity.details.groups', 'From groups: {groups}', { groups: list(d.groups) }) : t('activity.details.noGroups', 'No mapped group'));
      break;
    case 'revoked':
      lines.push(
        d.cause === 'person-switch'
          ? t('activity.details.personSwitch', 'Another person signed in from this browser')
          : t('activity.details.strictRevocation', 'Strict mode: {code}', { code: d.code ? `${reasonLabel(t, String(d.code))} (${String(d.code)})` : '' }),
      );
      break;
    case 'settings-changed':
      lines.push(t('activity.details.keys', 'Changed: {keys}', { keys: list(d.keys) || '—' }));
      break;
    case 'signed-out-by-admin':
      lines.push(t('activity.details.by', 'By admin user {id}', { id: String(d.by ?? '') }));
      break;
    case 'deactivated':
      lines.push(t('activity.details.inactive', 'No sign-in for {days} days', { days: String(d.inactiveDays ?? '') }));
      break;
    default:
      break;
  }
  if (record.kind === 'refused') {
    return (
      <Flex direction="column" alignItems="flex-start" gap={1} data-activity="refusal">
        <Flex gap={2} alignItems="center" wrap="wrap">
          <Typography variant="pi" fontWeight="semiBold" data-activity="reason-label">
            {record.reason ? reasonLabel(t, record.reason) : null}
          </Typography>
          <Box tag="code" background="neutral100" paddingLeft={1} paddingRight={1} hasRadius>
            <Typography variant="pi" style={{ fontFamily: 'monospace' }}>
              {record.reason}
            </Typography>
          </Box>
        </Flex>
        {typeof d.hint === 'string' ? (
          <Typography variant="pi" textColor="neutral700" data-activity="hint" style={{ whiteSpace: 'normal' }}>
            {d.hint}
          </Typography>
        ) : null}
        <RouterLink to="/settings/remote-auth" data-activity="check-link" style={{ color: '#4945ff', fontSize: '1.2rem' }}>
          {t('activity.details.check', 'Open the settings and Check this connection')}
        </RouterLink>
      </Flex>
    );
  }
  return (
    <Flex direction="column" alignItems="flex-start" gap={1}>
      {lines.map((line, i) => (
        <Typography key={i} variant="pi" textColor="neutral700">
          {line}
        </Typography>
      ))}
    </Flex>
  );
}
