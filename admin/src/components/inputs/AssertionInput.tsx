import { Accordion, Box, Field, Flex, Grid, SingleSelect, SingleSelectOption, TextInput, Typography } from '@strapi/design-system';
import { PRESETS, PRESET_FIELDS, advancedFieldsOf, fieldOfMessage, type AssertionDraft } from '../../utils/assertion-draft';
import { EXAMPLES, PRESET_DEFAULTS } from '../../utils/assertion-placeholders';
import type { FieldErrors } from '../../utils/draft';
import * as presetTexts from './assertion-texts';
import { PinnedLock, shownHint, type InputProps } from './InputFrame';

const NONE = 'none';

type Props = Omit<InputProps, 'error'> & {
  value: AssertionDraft | null;
  errors: FieldErrors;
  onChange: (value: AssertionDraft | null) => void;
};

export function AssertionInput({ name, label, hint, pinned, readOnly, t, value, errors, onChange }: Props) {
  const locked = pinned || readOnly;
  const preset = value?.preset ?? NONE;
  const presetName = (choice: string): string => presetTexts.presetName(t, choice);
  const fieldLabel = (key: string): string => presetTexts.fieldLabel(t, preset, key);
  const fieldHint = (key: string): string | undefined => presetTexts.fieldHint(t, preset, key);

  const setPreset = (next: string) => {
    if (next === preset) return;
    onChange(next === NONE ? null : { preset: next, text: {}, kept: {} });
  };
  const setText = (key: string, text: string) => {
    if (!value) return;
    onChange({ ...value, text: { ...value.text, [key]: text } });
  };

  const input = (key: string) => {
    const placeholder = PRESET_DEFAULTS[preset]?.[key] ?? EXAMPLES[key];
    return (
      <Grid.Item key={key} col={6} s={12} direction="column" alignItems="stretch">
        <Field.Root name={`${name}.${key}`} error={subError(key)} hint={fieldHint(key)} data-field={`${name}.${key}`}>
          <Field.Label>{fieldLabel(key)}</Field.Label>
          <TextInput
            value={value?.text[key] ?? ''}
            placeholder={placeholder}
            disabled={locked}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setText(key, event.currentTarget.value)}
          />
          <Field.Hint />
          <Field.Error />
        </Field.Root>
      </Grid.Item>
    );
  };

  // A message about one of the preset's fields is shown under that field; any other under the picker.
  const named = fieldOfMessage(errors[name]);
  const shownAtField = named !== null && (PRESET_FIELDS[preset] ?? []).includes(named);
  // Under the field the message drops the name it starts with: ".audience is required …" → "Required …".
  const atField = (message: string): string => {
    const rest = message.replace(/^\.[A-Za-z.]+\s+(?:is\s+)?/, '');
    return `${rest.charAt(0).toUpperCase()}${rest.slice(1)}`;
  };
  const subError = (key: string): string | undefined =>
    errors[`${name}.${key}`] ?? (shownAtField && named === key && errors[name] ? atField(errors[name]) : undefined);
  const ownError = shownAtField || Object.keys(errors).some((key) => key.startsWith(`${name}.`)) ? undefined : errors[name];
  return (
    <Flex direction="column" alignItems="stretch" gap={4} data-field={name} data-pinned={pinned ? 'true' : undefined} data-preset={preset}>
      <Field.Root name={`${name}.preset`} hint={shownHint({ hint, pinned, t })}>
        <Field.Label action={pinned ? <PinnedLock pinned={pinned} t={t} /> : undefined}>{label}</Field.Label>
        <SingleSelect aria-label={label} value={preset} disabled={locked} onChange={(next) => setPreset(String(next))}>
          {[NONE, ...PRESETS].map((choice) => (
            <SingleSelectOption key={choice} value={choice}>
              {presetName(choice)}
            </SingleSelectOption>
          ))}
        </SingleSelect>
        <Field.Hint />
      </Field.Root>
      {ownError ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {ownError}
        </Typography>
      ) : null}
      {value ? (
        <>
          <Box
            background="primary100"
            borderColor="primary200"
            borderStyle="solid"
            borderWidth="1px"
            hasRadius
            padding={4}
            role="note"
            data-notice="assertion-trust"
          >
            <Flex direction="column" alignItems="stretch" gap={1}>
              <Typography variant="omega" fontWeight="bold" textColor="neutral800">
                {t('assertion.note.title', 'Identity comes only from the verified token')}
              </Typography>
              <Typography variant="omega" textColor="neutral800">
                {t(
                  'assertion.note',
                  'With a signed assertion, the plain identity header (and unsigned companions such as x-goog-authenticated-user-email or x-amzn-oidc-identity) is ignored. Trusted proxies and the shared secret become optional defence in depth: the signature proves the request went through the proxy.',
                )}
              </Typography>
            </Flex>
          </Box>
          {(PRESET_FIELDS[preset] ?? []).length > 0 ? <Grid.Root gap={5}>{(PRESET_FIELDS[preset] ?? []).map(input)}</Grid.Root> : null}
          <Accordion.Root>
            <Accordion.Item value="advanced">
              <Accordion.Header>
                <Accordion.Trigger
                  description={t(
                    'assertion.advanced.description',
                    'Header, key URL, algorithms and claims. Empty: the preset’s values (shown greyed).',
                  )}
                >
                  {t('assertion.advanced', 'Advanced')}
                </Accordion.Trigger>
              </Accordion.Header>
              <Accordion.Content>
                <Box padding={5}>
                  <Grid.Root gap={5}>{advancedFieldsOf(preset).map(input)}</Grid.Root>
                  {Object.keys(value.kept).some((key) => key === 'keys' || key === 'hmacSecret' || key === 'hmacSecretIsSet') ? (
                    <Box paddingTop={4}>
                      <Typography variant="pi" textColor="neutral600" data-assertion-kept>
                        {t('assertion.kept', 'Static keys or an HMAC secret are set in config/plugins; they are kept as they are.')}
                      </Typography>
                    </Box>
                  ) : null}
                </Box>
              </Accordion.Content>
            </Accordion.Item>
          </Accordion.Root>
        </>
      ) : null}
    </Flex>
  );
}
