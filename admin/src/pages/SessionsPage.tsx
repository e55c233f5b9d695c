import { useCallback, useEffect, useState } from 'react';
import { Flex, Typography } from '@strapi/design-system';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
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
import { Card } from '../components/Card';
import { Pager } from '../components/Pager';
import { AccountsTable } from '../components/sessions/AccountsTable';
import { DueTable } from '../components/sessions/DueTable';
import { nameOf } from '../components/sessions/Person';
import { SessionsTable } from '../components/sessions/SessionsTable';
import { PERMISSIONS } from '../permissions';
import { messageOf } from '../utils/fetch-error';
import { useT, type Translate } from '../utils/useT';

const PAGE_SIZE = 20;

/** The pager under a list of this page. */
const pagerTexts = (t: Translate, page: number, pageCount: number) => ({
  status: t('sessions.page', 'Page {page} of {pageCount}', { page, pageCount }),
  previousLabel: t('sessions.previous', 'Previous'),
  nextLabel: t('sessions.next', 'Next'),
});

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

  const failed = useCallback((error: unknown) => toggleNotification({ type: 'danger', message: messageOf(error) }), [toggleNotification]);

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
            name="sessions"
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
              <SessionsTable sessions={sessions?.results ?? []} canRevoke={canRevoke} busy={busy} onSignOut={signOut} t={t} />
            )}
            {sessions ? (
              <Pager
                layout="compact"
                page={sessionPage}
                pageCount={sessions.pagination.pageCount}
                onPage={setSessionPage}
                {...pagerTexts(t, sessionPage, sessions.pagination.pageCount)}
              />
            ) : null}
          </Card>

          <Card
            name="accounts"
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
              <AccountsTable accounts={accounts?.results ?? []} t={t} />
            )}
            {accounts ? (
              <Pager
                layout="compact"
                page={accountPage}
                pageCount={accounts.pagination.pageCount}
                onPage={setAccountPage}
                {...pagerTexts(t, accountPage, accounts.pagination.pageCount)}
              />
            ) : null}
          </Card>

          <Card
            name="deprovisioning"
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
                <DueTable due={preview.due} t={t} />
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
