import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Box, Button, Flex, Loader, Status, Typography } from '@strapi/design-system';
import { ArrowClockwise } from '@strapi/icons';
import { isFetchError, useFetchClient } from '@strapi/strapi/admin';
import { DIAGNOSTICS_URL, PAGE_ORIGIN_PARAMETER, type AssertionCheck, type Diagnostics, type OriginCheck } from '../api';
import type { Translate } from '../utils/useT';

type Variant = 'success' | 'danger' | 'warning' | 'neutral' | 'primary';

const KEY_CHECK_VARIANTS: Readonly<Record<string, Variant>> = { usable: 'success', unusable: 'danger', 'not-checked': 'neutral' };

/** Whether the configured key source answered with keys that can verify tokens, fetched for this check. */
function KeyCheck({ check, t }: { check: NonNullable<AssertionCheck['keyCheck']>; t: Translate }) {
  const verdict = {
    usable: t('check.assertion.keyCheck.usable', 'Key source answers with usable keys'),
    unusable: t('check.assertion.keyCheck.unusable', 'Key source gives no usable key'),
    'not-checked': t('check.assertion.keyCheck.notChecked', 'Key source not fetched'),
  }[check.state];
  return (
    <Flex gap={2} alignItems="baseline" wrap="wrap" data-check="assertion-key-check" data-state={check.state}>
      <Verdict variant={KEY_CHECK_VARIANTS[check.state] ?? 'neutral'}>{verdict}</Verdict>
      <Detail>{check.detail}</Detail>
    </Flex>
  );
}

function Row({ name, label, children }: { name: string; label: string; children: ReactNode }) {
  return (
    <Flex
      tag="div"
      role="row"
      data-check={name}
      gap={4}
      alignItems="flex-start"
      paddingTop={3}
      paddingBottom={3}
      borderColor="neutral150"
      borderStyle="solid"
      borderWidth="0 0 1px 0"
    >
      <Box width="14rem" shrink={0} role="rowheader">
        <Typography variant="omega" fontWeight="bold" textColor="neutral800">
          {label}
        </Typography>
      </Box>
      <Flex direction="column" alignItems="flex-start" gap={1} role="cell">
        {children}
      </Flex>
    </Flex>
  );
}

function Verdict({ variant, children }: { variant: Variant; children: ReactNode }) {
  return (
    <Status variant={variant} size="S">
      <Typography variant="omega" fontWeight="bold">
        {children}
      </Typography>
    </Status>
  );
}

function Detail({ children }: { children: ReactNode }) {
  return (
    <Typography variant="pi" textColor="neutral600">
      {children}
    </Typography>
  );
}

function Code({ children }: { children: ReactNode }) {
  return (
    <Box tag="code" background="neutral100" paddingLeft={1} paddingRight={1} hasRadius>
      <Typography variant="pi" fontWeight="semiBold" style={{ fontFamily: 'monospace' }}>
        {children}
      </Typography>
    </Box>
  );
}

/** Times as the JWT carries them (seconds since 1970) are shown as UTC dates too. */
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

const claimText = (name: string, value: unknown): string => {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${value} (${new Date(value * 1000).toISOString().replace('.000', '')})`;
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** The signed assertion: verified (with its claims) or the precise refusal code and reason. */
function AssertionRow({ assertion, t }: { assertion: AssertionCheck; t: Translate }) {
  const states: Record<AssertionCheck['state'], [Variant, string]> = {
    absent: ['warning', t('check.assertion.absent', 'Absent from this request')],
    verified: ['success', t('check.assertion.verified', 'Signature verified')],
    refused: ['danger', t('check.assertion.refused', 'Refused')],
  };
  const [variant, text] = states[assertion.state] ?? ['neutral', assertion.state];
  const claims = Object.entries(assertion.claims ?? {}).filter(([, value]) => value !== null && value !== undefined);
  return (
    <Row name="assertion" label={t('check.assertion', 'Signed assertion')}>
      <Flex gap={2} alignItems="center" wrap="wrap">
        <Code>{assertion.header}</Code>
        <Verdict variant={variant}>{text}</Verdict>
        {assertion.code ? <Code>{assertion.code}</Code> : null}
      </Flex>
      {assertion.reason ? <Detail>{assertion.reason}</Detail> : null}
      {assertion.protectedHeader ? (
        <Detail>
          {t('check.assertion.key', 'Algorithm {algorithm}, key {keyId}', {
            algorithm: String(assertion.protectedHeader.alg ?? '?'),
            keyId: String(assertion.protectedHeader.kid ?? '?'),
          })}
        </Detail>
      ) : null}
      {assertion.keys ? (
        <Detail>
          {t('check.assertion.keys', 'Keys: {source} ({count} cached)', { source: assertion.keys.source, count: assertion.keys.keys })}
          {assertion.keys.lastError ? ` — ${t('check.assertion.keysError', 'last fetch failed: {error}', { error: assertion.keys.lastError })}` : ''}
        </Detail>
      ) : null}
      {assertion.keyCheck ? <KeyCheck check={assertion.keyCheck} t={t} /> : null}
      {claims.length > 0 ? (
        <Box tag="dl" data-check="assertion-claims">
          {claims.map(([name, value]) => (
            <Flex key={name} gap={2} alignItems="baseline" paddingTop={1}>
              <Box tag="dt" width="8rem" shrink={0}>
                <Typography variant="pi" textColor="neutral600">
                  {name}
                </Typography>
              </Box>
              <Box tag="dd">
                <Code>{claimText(name, value)}</Code>
              </Box>
            </Flex>
          ))}
        </Box>
      ) : null}
    </Row>
  );
}

/** The admin's origin: the browser's against the one the plugin enforces; a mismatch breaks session renewals. */
function OriginRow({ origin, t }: { origin: OriginCheck; t: Translate }) {
  const verdict: [Variant, string] =
    origin.browser === null
      ? ['neutral', t('check.origin.unknown', 'The browser’s origin is not known')]
      : origin.problem
        ? ['warning', t('check.origin.mismatch', 'Differs from the browser’s')]
        : ['success', t('check.origin.match', 'Same as the browser’s')];
  return (
    <Row name="origin" label={t('check.origin', 'Admin origin')}>
      <Flex gap={2} alignItems="center" wrap="wrap">
        <Code>{origin.enforced}</Code>
        <Verdict variant={verdict[0]}>{verdict[1]}</Verdict>
      </Flex>
      {origin.browser !== null && origin.problem ? (
        <Detail>{t('check.origin.browser', 'The browser uses: {origin}', { origin: origin.browser })}</Detail>
      ) : null}
      {origin.problem ? <Detail>{origin.problem}</Detail> : null}
    </Row>
  );
}

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
      setError(
        isFetchError(err)
          ? (err.response?.data?.error?.message ?? err.message)
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setLoading(false);
    }
  }, [get]);

  useEffect(() => {
    void check();
  }, [check, refreshKey]);

  const secretText: Record<Diagnostics['secret'], [Variant, string]> = {
    'not-configured': ['neutral', t('check.secret.not-configured', 'No shared secret configured')],
    matched: ['success', t('check.secret.matched', 'Matched')],
    missing: ['danger', t('check.secret.missing', 'Missing from this request')],
    mismatch: ['danger', t('check.secret.mismatch', 'Wrong value')],
  };
  const headerText: Record<Diagnostics['header']['state'], [Variant, string]> = {
    absent: ['neutral', t('check.header.absent', 'Absent')],
    present: ['success', t('check.header.present', 'Present and well-formed')],
    invalid: ['danger', t('check.header.invalid', 'Present but not usable')],
  };

  let body: ReactNode;
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
    const [secretVariant, secretLabel] = secretText[result.secret] ?? ['neutral', result.secret];
    const [headerVariant, headerLabel] = headerText[result.header.state] ?? ['neutral', result.header.state];
    const { outcome } = result;
    let outcomeNode: ReactNode;
    switch (outcome.result) {
      case 'would-sign-in':
        outcomeNode = (
          <>
            <Verdict variant="success">{t('check.outcome.would-sign-in', 'Would sign in')}</Verdict>
            <Detail>{t('check.outcome.user', 'Admin user: {email}', { email: outcome.user?.email ?? '?' })}</Detail>
          </>
        );
        break;
      case 'would-create':
        outcomeNode = (
          <>
            <Verdict variant="primary">{t('check.outcome.would-create', 'Would create an account')}</Verdict>
            {outcome.user ? (
              <Detail>{t('check.outcome.new-user', 'New admin user: {email}', { email: outcome.user.email })}</Detail>
            ) : null}
            {outcome.reason ? <Detail>{outcome.reason}</Detail> : null}
          </>
        );
        break;
      case 'refused':
        outcomeNode = (
          <>
            <Verdict variant="danger">{t('check.outcome.refused', 'Would refuse')}</Verdict>
            {outcome.code ? <Code>{outcome.code}</Code> : null}
            {outcome.reason ? <Detail>{outcome.reason}</Detail> : null}
          </>
        );
        break;
      default:
        outcomeNode = (
          <>
            <Verdict variant="neutral">{t('check.outcome.anonymous', 'No identity: the password form is used')}</Verdict>
            {outcome.reason ? <Detail>{outcome.reason}</Detail> : null}
          </>
        );
    }
    body = (
      <Box role="table" aria-label={t('check.title', 'Check this connection')} aria-busy={loading}>
        <Row name="peer" label={t('check.peer', 'Peer address')}>
          <Flex gap={2} alignItems="center" wrap="wrap">
            <Code>{result.peer}</Code>
            <Verdict variant={result.trustedPeer ? 'success' : 'warning'}>
              {result.trustedPeer ? t('check.peer.trusted', 'Trusted proxy') : t('check.peer.untrusted', 'Not a trusted proxy')}
            </Verdict>
          </Flex>
        </Row>
        {result.origin ? <OriginRow origin={result.origin} t={t} /> : null}
        <Row name="secret" label={t('check.secret', 'Shared secret')}>
          <Verdict variant={secretVariant}>{secretLabel}</Verdict>
        </Row>
        {result.assertion ? <AssertionRow assertion={result.assertion} t={t} /> : null}
        <Row name="header" label={t('check.header', 'Identity header')}>
          <Flex gap={2} alignItems="center" wrap="wrap">
            <Code>{result.header.name}</Code>
            {result.assertion ? (
              <Verdict variant="neutral">{t('check.header.ignored', 'Ignored: a signed assertion is configured')}</Verdict>
            ) : (
              <Verdict variant={headerVariant}>{headerLabel}</Verdict>
            )}
          </Flex>
          {result.header.masked ? (
            <Detail>
              {t('check.header.value', 'Value (masked):')} <Code>{result.header.masked}</Code>
            </Detail>
          ) : null}
          {result.header.problem ? <Detail>{result.header.problem}</Detail> : null}
        </Row>
        {result.groups && result.groups.seen !== null ? (
          <Row name="groups" label={t('check.groups', 'Groups')}>
            <Flex gap={2} alignItems="center" wrap="wrap">
              {result.groups.seen.length === 0 ? (
                <Detail>{t('check.groups.none', 'The groups header is empty')}</Detail>
              ) : (
                result.groups.seen.map((group) => <Code key={group}>{group}</Code>)
              )}
            </Flex>
            <Detail>
              {result.groups.roles.length > 0
                ? t('check.groups.roles', 'Mapped roles: {roles}', { roles: result.groups.roles.join(', ') })
                : t('check.groups.noRoles', 'No group maps to a role')}
            </Detail>
            {result.groups.unmatched.length > 0 ? (
              <Detail>{t('check.groups.unmatched', 'Not mapped: {groups}', { groups: result.groups.unmatched.join(', ') })}</Detail>
            ) : null}
          </Row>
        ) : null}
        <Row name="outcome" label={t('check.outcome', 'Outcome')}>
          {outcomeNode}
        </Row>
      </Box>
    );
  } else {
    body = null;
  }

  return (
    <Box
      tag="section"
      aria-labelledby="remote-auth-check-title"
      data-section="check"
      background="neutral0"
      hasRadius
      shadow="filterShadow"
      paddingTop={6}
      paddingBottom={6}
      paddingLeft={7}
      paddingRight={7}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={4}>
          <Flex direction="column" alignItems="stretch" gap={1}>
            <Typography variant="delta" tag="h2" id="remote-auth-check-title">
              {t('check.title', 'Check this connection')}
            </Typography>
            <Typography variant="pi" textColor="neutral600">
              {t(
                'check.description',
                'What the server sees for this browser’s requests and what it would decide. Nobody is signed in and nothing is created.',
              )}
            </Typography>
          </Flex>
          <Button variant="secondary" size="S" type="button" startIcon={<ArrowClockwise />} loading={loading} onClick={() => void check()}>
            {t('check.run', 'Check')}
          </Button>
        </Flex>
        {body}
      </Flex>
    </Box>
  );
}
