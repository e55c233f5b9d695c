import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Button, Flex, Loader, Typography } from '@strapi/design-system';
import { ArrowClockwise } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { DIAGNOSTICS_URL, PAGE_ORIGIN_PARAMETER, type Diagnostics } from '../../api';
import { messageOf } from '../../utils/fetch-error';
import type { Translate } from '../../utils/useT';
import { Card } from '../Card';
import { CheckResult } from './CheckResult';

/** The check request, carrying the page's own origin (a same-origin GET carries no Origin, and Referer may be stripped). */
const diagnosticsUrl = (): string => `${DIAGNOSTICS_URL}?${PAGE_ORIGIN_PARAMETER}=${encodeURIComponent(window.location.origin)}`;

/**
 * What the server sees for this very browser: peer, secret, identity header and
 * the decision it would take. Read-only: the server signs nobody in for it.
 */
export function ConnectionCheck({ t, refreshKey }: { t: Translate; refreshKey: number }) {
  const { get } = useFetchClient();
  const [result, setResult] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const check = useCallback(async () => {
    setLoading(true);
    try {
      const { data } = await get<{ data: Diagnostics }>(diagnosticsUrl());
      setResult(data.data);
      setError(null);
    } catch (err) {
      setResult(null);
      setError(messageOf(err));
    } finally {
      setLoading(false);
    }
  }, [get]);

  useEffect(() => {
    void check();
  }, [check, refreshKey]);

  let body: ReactNode = null;
  if (loading && !result) {
    body = (
      <Flex justifyContent="center" padding={4}>
        <Loader small>{t('check.loading', 'Checking this connection…')}</Loader>
      </Flex>
    );
  } else if (error) {
    body = (
      <Typography variant="omega" textColor="danger600" role="alert" data-check="error">
        {t('check.failed', 'The check could not run: {message}', { message: error })}
      </Typography>
    );
  } else if (result) {
    body = <CheckResult result={result} loading={loading} t={t} />;
  }

  return (
    <Card
      name="check"
      titleId="remote-auth-check-title"
      title={t('check.title', 'Check this connection')}
      description={t(
        'check.description',
        'What the server sees for this browser’s requests and what it would decide. Nobody is signed in and nothing is created.',
      )}
      action={
        <Button variant="secondary" size="S" type="button" startIcon={<ArrowClockwise />} loading={loading} onClick={() => void check()}>
          {t('check.run', 'Check')}
        </Button>
      }
    >
      {body}
    </Card>
  );
}
