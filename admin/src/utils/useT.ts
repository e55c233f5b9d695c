import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { getTranslation } from './getTranslation';

type Values = Record<string, string | number | boolean | null | undefined>;

/** `t('settings.save', 'Save')`: a plugin string, with its English text as the fallback. */
export function useT() {
  const { formatMessage } = useIntl();
  return useCallback(
    (id: string, defaultMessage: string, values?: Values): string =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values),
    [formatMessage],
  );
}

export type Translate = ReturnType<typeof useT>;
