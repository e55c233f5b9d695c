import { Box, Button, Field, Flex, Status, TextInput, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import type { SecretDraft } from '../../utils/draft';
import { InputFrame, type InputProps } from './InputFrame';

/** Header name plus a write-only value: the page learns only whether a value is stored. */
export function SecretInput(
  props: InputProps & {
    value: SecretDraft | null;
    onChange: (value: SecretDraft | null) => void;
    headerError?: string;
    valueError?: string;
  },
) {
  const { name, value, onChange, pinned, readOnly, headerError, valueError, t } = props;
  const locked = pinned || readOnly;
  const state = value?.isSet ? (
    <Status variant="success" size="S" data-secret-state="set">
      <Typography variant="omega" fontWeight="bold">
        {t('settings.sharedSecret.set', 'A secret is set')}
      </Typography>
    </Status>
  ) : (
    <Status variant="neutral" size="S" data-secret-state="unset">
      <Typography variant="omega" fontWeight="bold">
        {t('settings.sharedSecret.unset', 'No secret set')}
      </Typography>
    </Status>
  );
  const aside = (
    <Flex alignItems="center" gap={2}>
      {state}
      {locked ? null : value ? (
        <Button variant="danger-light" size="S" type="button" startIcon={<Trash />} onClick={() => onChange(null)}>
          {t('settings.sharedSecret.remove', 'Remove secret')}
        </Button>
      ) : (
        <Button
          variant="secondary"
          size="S"
          type="button"
          startIcon={<Plus />}
          onClick={() => onChange({ header: 'X-Proxy-Secret', value: '', isSet: false })}
        >
          {t('settings.sharedSecret.add', 'Add a secret')}
        </Button>
      )}
    </Flex>
  );
  return (
    <InputFrame {...props} group={{ gap: 3, aside }}>
      {value ? (
        <Flex gap={4} alignItems="flex-start" wrap="wrap">
          <Box grow={1} basis="16rem">
            <Field.Root name={`${name}.header`} error={headerError} hint={t('settings.sharedSecret.header.hint', 'Header the proxy adds to every request.')}>
              <Field.Label>{t('settings.sharedSecret.header', 'Secret header name')}</Field.Label>
              <TextInput
                value={value.header}
                disabled={locked}
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => onChange({ ...value, header: event.currentTarget.value })}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Box>
          <Box grow={1} basis="16rem">
            <Field.Root
              name={`${name}.value`}
              error={valueError}
              hint={
                value.isSet
                  ? t('settings.sharedSecret.value.keep', 'Leave empty to keep the current secret. It is never shown.')
                  : t('settings.sharedSecret.value.new', 'At least 16 characters; use a long random value. It is never shown again.')
              }
            >
              <Field.Label>{t('settings.sharedSecret.value', 'Secret value')}</Field.Label>
              <TextInput
                type="password"
                value={value.value}
                disabled={locked}
                autoComplete="new-password"
                placeholder={value.isSet ? '••••••••••••••••' : ''}
                onChange={(event) => onChange({ ...value, value: event.currentTarget.value })}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Box>
        </Flex>
      ) : null}
    </InputFrame>
  );
}
