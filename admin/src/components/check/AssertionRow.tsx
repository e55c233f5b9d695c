import { Box, Flex, Typography } from '@strapi/design-system';
import type { AssertionCheck } from '../../api';
import type { Translate } from '../../utils/useT';
import { Code, Detail, Row, Verdict, type Variant } from './CheckRow';

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

/** Times as the JWT carries them (seconds since 1970) are shown as UTC dates too. */
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

const claimText = (name: string, value: unknown): string => {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${value} (${new Date(value * 1000).toISOString().replace('.000', '')})`;
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** The signed assertion: verified (with its claims) or the precise refusal code and reason. */
export function AssertionRow({ assertion, t }: { assertion: AssertionCheck; t: Translate }) {
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
