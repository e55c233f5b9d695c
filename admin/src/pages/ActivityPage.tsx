import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Box, Button, Flex, Loader } from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  ACTIVITY_EXPORT_URL,
  ACTIVITY_SUMMARY_URL,
  ACTIVITY_URL,
  type ActivityPage as ActivityPageData,
  type ActivitySummary,
} from '../api';
import { ActivityFilters } from '../components/activity/ActivityFilters';
import { ActivityTable } from '../components/activity/ActivityTable';
import { ActivityChart } from '../components/ActivityChart';
import { Pager } from '../components/Pager';
import { ALL, initialFilters, queryOf, type Filters } from '../utils/activity-filters';
import { kindLabels } from '../utils/activity-labels';
import { messageOf } from '../utils/fetch-error';
import { useT } from '../utils/useT';

const PAGE_SIZE = 25;

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
          <ActivityFilters filters={filters} reasons={reasons} kinds={kinds} set={set} t={t} />
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
              <ActivityTable records={rows.results} kinds={kinds} t={t} />
              <Pager
                layout="summary"
                marks={{ 'data-activity': 'pagination' }}
                page={page}
                pageCount={rows.pagination.pageCount}
                onPage={setPage}
                status={t('activity.pagination', 'Page {page} of {pageCount} · {total} entries', {
                  page: rows.pagination.page,
                  pageCount: Math.max(1, rows.pagination.pageCount),
                  total: rows.pagination.total,
                })}
                previousLabel={t('activity.previous', 'Previous')}
                nextLabel={t('activity.next', 'Next')}
              />
            </Box>
          ) : null}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}
