import { Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { SESSIONS_URL, type SsoPerson, type SsoSession } from '../../api';
import type { Translate } from '../../utils/useT';
import { Person, when } from './Person';

interface SessionsTableProps {
  sessions: SsoSession[];
  /** The viewer may sign people out. */
  canRevoke: boolean;
  /** The sign-out under way (`s:<session>` or `p:<user>`). */
  busy: string | null;
  onSignOut: (key: string, url: string, person: SsoPerson) => void;
  t: Translate;
}

/** The single sign-on sessions: who, since when, last seen, until when, and the sign-out buttons. */
export function SessionsTable({ sessions, canRevoke, busy, onSignOut, t }: SessionsTableProps) {
  return (
    <Table colCount={canRevoke ? 5 : 4} rowCount={sessions.length + 1}>
      <Thead>
        <Tr>
          <Th>
            <Typography variant="sigma">{t('sessions.person', 'Person')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.started', 'Started')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.lastSeen', 'Last seen')}</Typography>
          </Th>
          <Th>
            <Typography variant="sigma">{t('sessions.expires', 'Expires')}</Typography>
          </Th>
          {canRevoke ? (
            <Th>
              <Typography variant="sigma">{t('sessions.actions', 'Sign out')}</Typography>
            </Th>
          ) : null}
        </Tr>
      </Thead>
      <Tbody>
        {sessions.map((session) => {
          const lastSeen = [session.renewedAt, session.user.lastSeenAt].filter(Boolean).sort().pop() ?? null;
          return (
            <Tr key={session.id} data-session={session.id}>
              <Td>
                <Person person={session.user} t={t} />
              </Td>
              <Td>
                <Typography>{when(session.startedAt)}</Typography>
              </Td>
              <Td>
                <Typography>{when(lastSeen)}</Typography>
              </Td>
              <Td>
                <Typography>{when(session.expiresAt)}</Typography>
              </Td>
              {canRevoke ? (
                <Td>
                  <Flex gap={1} direction="column" alignItems="stretch">
                    <Button
                      variant="danger-light"
                      size="S"
                      loading={busy === `s:${session.id}`}
                      onClick={() => onSignOut(`s:${session.id}`, `${SESSIONS_URL}/${session.id}`, session.user)}
                    >
                      {t('sessions.signOut.session', 'This session')}
                    </Button>
                    <Button
                      variant="danger-light"
                      size="S"
                      loading={busy === `p:${session.user.id}`}
                      onClick={() => onSignOut(`p:${session.user.id}`, `/remote-auth/users/${session.user.id}/sessions`, session.user)}
                    >
                      {t('sessions.signOut.person', 'All of theirs')}
                    </Button>
                  </Flex>
                </Td>
              ) : null}
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}
