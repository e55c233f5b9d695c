import { Badge, Flex, Typography } from '@strapi/design-system';
import type { SsoPerson } from '../../api';
import type { Translate } from '../../utils/useT';

/** A date and time, short; a dash when there is none. */
export const when = (value: string | null): string => (value ? new Date(value).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—');

/** The person's name, else their e-mail, else their id. */
export const nameOf = (person: SsoPerson): string => [person.firstname, person.lastname].filter(Boolean).join(' ') || person.email || `#${person.id}`;

/** "Single sign-on: created" / "linked": the mark of an account single sign-on manages. */
function ManagedBadge({ person, t }: { person: SsoPerson; t: Translate }) {
  if (!person.managed) return null;
  return (
    <Badge data-managed={person.managed} title={t(`sessions.managed.${person.managed}.hint`, person.managed === 'created' ? 'Created by single sign-on' : 'An existing account, linked to single sign-on')}>
      {person.managed === 'created' ? t('sessions.managed.created', 'SSO · created') : t('sessions.managed.linked', 'SSO · linked')}
    </Badge>
  );
}

/** A person in a table: name, marks (SSO, Super Admin, inactive) and e-mail. */
export function Person({ person, t }: { person: SsoPerson; t: Translate }) {
  return (
    <Flex direction="column" alignItems="flex-start" gap={1}>
      <Flex gap={2}>
        <Typography fontWeight="semiBold">{nameOf(person)}</Typography>
        <ManagedBadge person={person} t={t} />
        {person.isSuperAdmin ? <Badge>{t('sessions.superAdmin', 'Super Admin')}</Badge> : null}
        {!person.isActive ? <Badge>{t('sessions.inactive', 'Inactive')}</Badge> : null}
      </Flex>
      <Typography variant="pi" textColor="neutral600">
        {person.email}
      </Typography>
    </Flex>
  );
}
