import { Box, Flex } from '@strapi/design-system';
import type { Diagnostics } from '../../api';
import type { Translate } from '../../utils/useT';
import { AssertionRow } from './AssertionRow';
import { Code, Detail, Row, Verdict, type Variant } from './CheckRow';
import { OriginRow } from './OriginRow';
import { OutcomeRow } from './OutcomeRow';

/** What the server sees for this browser, one row per check, down to the decision it would take. */
export function CheckResult({ result, loading, t }: { result: Diagnostics; loading: boolean; t: Translate }) {
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
  const [secretVariant, secretLabel] = secretText[result.secret] ?? ['neutral', result.secret];
  const [headerVariant, headerLabel] = headerText[result.header.state] ?? ['neutral', result.header.state];
  return (
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
      <OutcomeRow outcome={result.outcome} t={t} />
    </Box>
  );
}
