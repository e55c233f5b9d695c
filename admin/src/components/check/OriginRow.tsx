import { Flex } from '@strapi/design-system';
import type { OriginCheck } from '../../api';
import type { Translate } from '../../utils/useT';
import { Code, Detail, Row, Verdict, type Variant } from './CheckRow';

/** The admin's origin: the browser's against the one the plugin enforces; a mismatch breaks session renewals. */
export function OriginRow({ origin, t }: { origin: OriginCheck; t: Translate }) {
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
