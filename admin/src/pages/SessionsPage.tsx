import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Badge, Box, Button, Flex, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page, isFetchError, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import {
  ACCOUNTS_URL,
  DEPROVISIONING_PREVIEW_URL,
  SESSIONS_URL,
  type DeactivationPreview,
  type ManagedAccount,
  type Paged,
  type SsoPerson,
  type SsoSession,
} from '../api';
import { PERMISSIONS } from '../permissions';
import { useT, type Translate } from '../utils/useT';

const PAGE_SIZE = 20;

const when = (value: string | null): string => (value ? new Date(value).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—');
const nameOf = (person: SsoPerson): string => [person.firstname, person.lastname].filter(Boolean).join(' ') || person.email || `#${person.id}`;

/** "Single sign-on: created" / "linked": the mark of an account single sign-on manages. */
function ManagedBadge({ person, t }: { person: SsoPerson; t: Translate }) {
  if (!person.managed) return null;
  return (
    <Badge data-managed={person.managed} title={t(`sessions.managed.${person.managed}.hint`, person.managed === 'created' ? 'Created by single sign-on' : 'An existing account, linked to single sign-on')}>
      {person.managed === 'created' ? t('sessions.managed.created', 'SSO · created') : t('sessions.managed.linked', 'SSO · linked')}
    </Badge>
  );
}

function Person({ person, t }: { person: SsoPerson; t: Translate }) {
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

function Pager({ page, pageCount, onPage, t }: { page: number; pageCount: number; onPage: (page: number) => void; t: Translate }) {
  if (pageCount <= 1) return null;
  return (
    <Flex gap={2} justifyContent="flex-end" paddingTop={3}>
      <Button variant="tertiary" size="S" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('sessions.previous', 'Previous')}
      </Button>
      <Typography variant="pi">{t('sessions.page', 'Page {page} of {pageCount}', { page, pageCount })}</Typography>
      <Button variant="tertiary" size="S" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
        {t('sessions.next', 'Next')}
      </Button>
    </Flex>
  );
}

function Card({ id, title, description, children }: { id: string; title: string; description: string; children: ReactNode }) {
  return (
    <Box id={id} data-section={id} background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex direction="column" alignItems="flex-start" gap={1}>
          <Typography variant="delta" tag="h2">
            {title}
          </Typography>
          <Typography variant="pi" textColor="neutral600">
            {description}
          </Typography>
        </Flex>
        {children}
      </Flex>
    </Box>
  );
}

function SessionsView() {
  const t = useT();
  const { get, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const {
    allowedActions: { canRevoke },
  } = useRBAC(PERMISSIONS.sessionsRevoke);

  const [sessionPage, setSessionPage] = useState(1);
  const [accountPage, setAccountPage] = useState(1);
  const [sessions, setSessions] = useState<Paged<SsoSession> | null>(null);
  const [accounts, setAccounts] = useState<Paged<ManagedAccount> | null>(null);
  const [preview, setPreview] = useState<DeactivationPreview | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  const failed = useCallback(
    (error: unknown) =>
      toggleNotification({
        type: 'danger',
        message: isFetchError(error) ? (error.response?.data?.error?.message ?? error.message) : String((error as Error)?.message ?? error),
      }),
    [toggleNotification],
  );

  useEffect(() => {
    get<Paged<SsoSession>>(`${SESSIONS_URL}?page=${sessionPage}&pageSize=${PAGE_SIZE}`).then(({ data }) => setSessions(data), failed);
  }, [get, sessionPage, reload, failed]);
  useEffect(() => {
    get<Paged<ManagedAccount>>(`${ACCOUNTS_URL}?page=${accountPage}&pageSize=${PAGE_SIZE}`).then(({ data }) => setAccounts(data), failed);
  }, [get, accountPage, reload, failed]);
  useEffect(() => {
    get<{ data: DeactivationPreview }>(DEPROVISIONING_PREVIEW_URL).then(({ data }) => setPreview(data.data), failed);
  }, [get, reload, failed]);

  const signOut = async (key: string, url: string, person: SsoPerson) => {
    setBusy(key);
    try {
      const { data } = await del<{ data: { ended: number } }>(url);
      toggleNotification({
        type: 'success',
        message: t('sessions.signedOut', '{name}: {count, plural, one {# session} other {# sessions}} ended.', { name: nameOf(person), count: data.data.ended }),
      });
      setReload((n) => n + 1);
    } catch (error) {
      failed(error);
    } finally {
      setBusy(null);
    }
  };

  const title = t('sessions.title', 'Sessions & accounts');
  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header title={title} subtitle={t('sessions.subtitle', 'Who single sign-on signed in, the accounts it manages, and who deprovisioning would deactivate next.')} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Card
            id="sessions"
            title={t('sessions.sessions', 'Single sign-on sessions')}
            description={t(
              'sessions.sessions.description',
              'Sessions started by the proxy’s header, on every Strapi instance. Signing out ends the session at once: its next request (strict mode) or next refresh (persistent mode) is refused. While the proxy still vouches for the person, their next visit starts a new session; deactivate or block the account to keep them out.',
            )}
          >
            {sessions && sessions.results.length === 0 ? (
              <Typography textColor="neutral600">{t('sessions.none', 'Nobody is signed in through single sign-on.')}</Typography>
            ) : (
              <Table colCount={canRevoke ? 5 : 4} rowCount={(sessions?.results.length ?? 0) + 1}>
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
                  {(sessions?.results ?? []).map((session) => {
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
                                onClick={() => signOut(`s:${session.id}`, `${SESSIONS_URL}/${session.id}`, session.user)}
                              >
                                {t('sessions.signOut.session', 'This session')}
                              </Button>
                              <Button
                                variant="danger-light"
                                size="S"
                                loading={busy === `p:${session.user.id}`}
                                onClick={() => signOut(`p:${session.user.id}`, `/remote-auth/users/${session.user.id}/sessions`, session.user)}
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
            )}
            {sessions ? <Pager page={sessionPage} pageCount={sessions.pagination.pageCount} onPage={setSessionPage} t={t} /> : null}
          </Card>

          <Card
            id="accounts"
            title={t('sessions.accounts', 'Accounts managed by single sign-on')}
            description={t(
              'sessions.accounts.description',
              '“Created”: single sign-on made the account. “Linked”: an existing account that single sign-on signs in. Last seen is when the proxy’s header last named the person (recorded at most once a minute).',
            )}
          >
            {accounts && accounts.results.length === 0 ? (
              <Typography textColor="neutral600">{t('sessions.accounts.none', 'Single sign-on has not signed anyone in yet.')}</Typography>
            ) : (
              <Table colCount={3} rowCount={(accounts?.results.length ?? 0) + 1}>
                <Thead>
                  <Tr>
                    <Th>
                      <Typography variant="sigma">{t('sessions.person', 'Person')}</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">{t('sessions.lastSeen', 'Last seen')}</Typography>
                    </Th>
                    <Th>
                      <Typography variant="sigma">{t('sessions.open', 'Open sessions')}</Typography>
                    </Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {(accounts?.results ?? []).map((account) => (
                    <Tr key={account.id} data-account={account.email ?? account.id}>
                      <Td>
                        <Person person={account} t={t} />
                      </Td>
                      <Td>
                        <Typography>{when(account.lastSeenAt)}</Typography>
                      </Td>
                      <Td>
                        <Typography>{account.sessions}</Typography>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
            {accounts ? <Pager page={accountPage} pageCount={accounts.pagination.pageCount} onPage={setAccountPage} t={t} /> : null}
          </Card>

          <Card
            id="deprovisioning"
            title={t('sessions.deprovisioning', 'Deprovisioning')}
            description={
              preview?.days
                ? t(
                    'sessions.deprovisioning.on',
                    'Accounts single sign-on created and that have not signed in for {days} days are deactivated (hourly check) and signed out. Never Super Admins, never accounts with a password, never accounts single sign-on only linked. Below: who the next run deactivates.',
                    { days: preview.days },
                  )
                : t('sessions.deprovisioning.off', 'Off: set deactivateAfterDays in the settings to deactivate accounts single sign-on created that stopped signing in.')
            }
          >
            {preview?.days ? (
              preview.due.length === 0 ? (
                <Typography textColor="neutral600" data-preview="empty">
                  {t('sessions.deprovisioning.none', 'Nobody is due.')}
                </Typography>
              ) : (
                <Table colCount={2} rowCount={preview.due.length + 1}>
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
                    {preview.due.map((person) => (
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
              )
            ) : null}
          </Card>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}

export default function SessionsPage() {
  return (
    <Page.Protect permissions={PERMISSIONS.sessionsRead}>
      <SessionsView />
    </Page.Protect>
  );
}
