import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Field, Flex, Loader, SingleSelect, SingleSelectOption, Status, Table, Tbody, Td, TextInput, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { ArrowLeft, ArrowRight, Download } from '@strapi/icons';
import { Layouts, Page, isFetchError, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';
import {
  ACTIVITY_EXPORT_URL,
  ACTIVITY_KINDS,
  ACTIVITY_SUMMARY_URL,
  ACTIVITY_URL,
  type ActivityPage as ActivityPageData,
  type ActivityRecord,
  type ActivitySummary,
} from '../api';
import { ActivityChart } from '../components/ActivityChart';
import { useT, type Translate } from '../utils/useT';

const PAGE_SIZE = 25;
const DAY_MS = 86_400_000;
const ALL = 'all';
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

interface Filters {
  person: string;
  kind: string;
  reason: string;
  from: string;
  to: string;
}

const initialFilters = (): Filters => ({ person: '', kind: ALL, reason: ALL, from: isoDay(Date.now() - 29 * DAY_MS), to: isoDay(Date.now()) });

function queryOf(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.person.trim()) params.set('person', filters.person.trim());
  if (filters.kind !== ALL) params.set('kind', filters.kind);
  if (filters.reason !== ALL) params.set('reason', filters.reason);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

const messageOf = (error: unknown): string =>
  isFetchError(error) ? (error.response?.data?.error?.message ?? error.message) : error instanceof Error ? error.message : String(error);

function kindLabels(t: Translate): Record<string, string> {
  return {
    'sign-in': t('activity.kind.sign-in', 'Signed in'),
    created: t('activity.kind.created', 'Account created'),
    'roles-changed': t('activity.kind.roles-changed', 'Roles changed'),
    refused: t('activity.kind.refused', 'Refused'),
    logout: t('activity.kind.logout', 'Logged out'),
    revoked: t('activity.kind.revoked', 'Session ended'),
    'settings-changed': t('activity.kind.settings-changed', 'Settings changed'),
    'signed-out-by-admin': t('activity.kind.signed-out-by-admin', 'Signed out by an admin'),
    deactivated: t('activity.kind.deactivated', 'Deactivated'),
  };
}

const KIND_VARIANT: Record<string, 'success' | 'danger' | 'warning' | 'neutral' | 'primary'> = {
  'sign-in': 'success',
  created: 'primary',
  refused: 'danger',
  revoked: 'warning',
  deactivated: 'warning',
  'signed-out-by-admin': 'warning',
};

const list = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : '');

/** A refusal code's or activity reason's label (`activity.reason.<code>` in the translations); the code itself when none. */
const reasonLabel = (t: Translate, code: string): string => t(`activity.reason.${code}`, code);

/** What the row says beyond its kind; for a refusal, what to change and where to check it. */
function Details({ record, t }: { record: ActivityRecord; t: Translate }) {
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

/**
 * Settings → SSO sign-in activity. Who signed in, through which
 * proxy, what their groups did to their roles, who was refused and why (with
 * the same reason "Check this connection" gives), per day and as CSV.
 */
export default function ActivityPage() {
  const t = useT();
  const { get } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const [applied, setApplied] = useState<Filters>(filters);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<ActivityPageData | null>(null);
  const [summary, setSummary] = useState<ActivitySummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [downloading, setDownloading] = useState(false);
  const kinds = useMemo(() => kindLabels(t), [t]);

  // Typing in "person" waits a moment; every other filter applies at once.
  useEffect(() => {
    const timer = setTimeout(() => {
      setApplied(filters);
      setPage(1);
    }, 300);
    return () => clearTimeout(timer);
  }, [filters]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [listed, summed] = await Promise.all([
        get<{ data: ActivityPageData }>(`${ACTIVITY_URL}?${queryOf(applied, { page: String(page), pageSize: String(PAGE_SIZE) })}`),
        get<{ data: ActivitySummary }>(`${ACTIVITY_SUMMARY_URL}?${queryOf({ ...applied, kind: ALL })}`),
      ]);
      setRows(listed.data.data);
      setSummary(summed.data.data);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoading(false);
    }
  }, [get, applied, page]);

  useEffect(() => {
    void load();
  }, [load]);

  async function download() {
    setDownloading(true);
    try {
      const { data } = await get<Blob>(`${ACTIVITY_EXPORT_URL}?${queryOf(applied)}`, { responseType: 'blob' } as never);
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = `remote-auth-activity-${applied.from || 'start'}-${applied.to || 'today'}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      toggleNotification({ type: 'danger', message: t('activity.export.failed', 'The export failed: {message}', { message: messageOf(err) }) });
    } finally {
      setDownloading(false);
    }
  }

  const set = (key: keyof Filters) => (value: string) => setFilters((current) => ({ ...current, [key]: value }));
  const title = t('activity.title', 'Sign-in activity');
  const reasons = summary?.reasons ?? [];

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={t('activity.subtitle', 'Sign-ins, refusals and changes made through single sign-on.')}
        primaryAction={
          <Button startIcon={<Download />} onClick={download} loading={downloading} size="S" data-activity="export">
            {t('activity.export', 'Download CSV')}
          </Button>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Box background="neutral0" padding={4} hasRadius shadow="tableShadow">
            <Flex gap={4} wrap="wrap" alignItems="flex-end" data-activity="filters">
              <Field.Root name="person" width="18rem">
                <Field.Label>{t('activity.filter.person', 'Person')}</Field.Label>
                <TextInput
                  value={filters.person}
                  placeholder={t('activity.filter.person.placeholder', 'identity, e-mail or user id')}
                  onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('person')(e.target.value)}
                />
              </Field.Root>
              <Field.Root name="kind" width="14rem">
                <Field.Label>{t('activity.filter.kind', 'Outcome')}</Field.Label>
                <SingleSelect value={filters.kind} onChange={(value: string | number) => set('kind')(String(value))}>
                  <SingleSelectOption value={ALL}>{t('activity.filter.all', 'All')}</SingleSelectOption>
                  {ACTIVITY_KINDS.map((kind) => (
                    <SingleSelectOption key={kind} value={kind}>
                      {kinds[kind] ?? kind}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
              <Field.Root name="reason" width="14rem">
                <Field.Label>{t('activity.filter.reason', 'Refusal reason')}</Field.Label>
                <SingleSelect value={filters.reason} onChange={(value: string | number) => set('reason')(String(value))}>
                  <SingleSelectOption value={ALL}>{t('activity.filter.all', 'All')}</SingleSelectOption>
                  {[...new Set([...reasons, ...(filters.reason !== ALL ? [filters.reason] : [])])].map((reason) => (
                    <SingleSelectOption key={reason} value={reason}>
                      {`${reasonLabel(t, reason)} (${reason})`}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
              <Field.Root name="from" width="14rem">
                <Field.Label>{t('activity.filter.from', 'From')}</Field.Label>
                <TextInput type="date" value={filters.from} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('from')(e.target.value)} />
              </Field.Root>
              <Field.Root name="to" width="14rem">
                <Field.Label>{t('activity.filter.to', 'To')}</Field.Label>
                <TextInput type="date" value={filters.to} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('to')(e.target.value)} />
              </Field.Root>
            </Flex>
          </Box>
          {error ? (
            <Alert closeLabel={t('settings.close', 'Close')} title={t('activity.failed', 'Activity could not be loaded')} variant="danger">
              {error}
            </Alert>
          ) : null}
          {summary && summary.recorder.dropped > 0 ? (
            <Alert closeLabel={t('settings.close', 'Close')} title={t('activity.dropped.title', 'Some entries were not recorded')} variant="warning">
              {t('activity.dropped', '{count} entries were dropped on this instance while the database was slow or unavailable (sign-ins were not affected).', {
                count: summary.recorder.dropped,
              })}
            </Alert>
          ) : null}
          {summary ? <ActivityChart days={summary.days} t={t} /> : null}
          {loading && !rows ? (
            <Flex justifyContent="center" padding={6}>
              <Loader>{t('activity.loading', 'Loading activity…')}</Loader>
            </Flex>
          ) : rows ? (
            <Box data-activity="table">
              <Table colCount={5} rowCount={rows.results.length + 1}>
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
                  {rows.results.length === 0 ? (
                    <Tr>
                      <Td colSpan={5}>
                        <Typography textColor="neutral600">{t('activity.empty', 'Nothing recorded for these filters.')}</Typography>
                      </Td>
                    </Tr>
                  ) : (
                    rows.results.map((record) => (
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
                          <Details record={record} t={t} />
                        </Td>
                      </Tr>
                    ))
                  )}
                </Tbody>
              </Table>
              <Flex justifyContent="space-between" paddingTop={4} data-activity="pagination">
                <Typography variant="pi" textColor="neutral600">
                  {t('activity.pagination', 'Page {page} of {pageCount} · {total} entries', {
                    page: rows.pagination.page,
                    pageCount: Math.max(1, rows.pagination.pageCount),
                    total: rows.pagination.total,
                  })}
                </Typography>
                <Flex gap={2}>
                  <Button variant="tertiary" size="S" startIcon={<ArrowLeft />} disabled={page <= 1} onClick={() => setPage(page - 1)}>
                    {t('activity.previous', 'Previous')}
                  </Button>
                  <Button variant="tertiary" size="S" endIcon={<ArrowRight />} disabled={page >= rows.pagination.pageCount} onClick={() => setPage(page + 1)}>
                    {t('activity.next', 'Next')}
                  </Button>
                </Flex>
              </Flex>
            </Box>
          ) : null}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
