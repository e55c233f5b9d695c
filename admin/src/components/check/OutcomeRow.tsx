import type { ReactNode } from 'react';
import type { Diagnostics } from '../../api';
import type { Translate } from '../../utils/useT';
import { Code, Detail, Row, Verdict } from './CheckRow';

/** What the server would decide for this browser: sign in, create, refuse (with the code), or nothing. */
export function OutcomeRow({ outcome, t }: { outcome: Diagnostics['outcome']; t: Translate }) {
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
  return (
    <Row name="outcome" label={t('check.outcome', 'Outcome')}>
      {outcomeNode}
    </Row>
  );
}
