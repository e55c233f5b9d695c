import type { ReactNode } from 'react';
import {
  Box,
  Button,
  Field,
  Flex,
  IconButton,
  MultiSelect,
  MultiSelectOption,
  SingleSelect,
  SingleSelectOption,
  Status,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { Lock, Plus, Trash } from '@strapi/icons';
import type { Role } from '../api';
import type { MappingRow, SecretDraft } from '../utils/draft';
import type { Translate } from '../utils/useT';

/** What every input of the page shares. */
export interface InputProps {
  name: string;
  label: string;
  hint: ReactNode;
  error?: string;
  /** Set in config/plugins: shown, not editable. */
  pinned: boolean;
  /** The viewer may read but not update the settings. */
  readOnly: boolean;
  t: Translate;
}

function PinnedLock({ pinned, t }: { pinned: boolean; t: Translate }) {
  if (!pinned) return null;
  return (
    <Box color="neutral500" title={t('settings.pinned.title', 'Set in config/plugins')} aria-hidden>
      <Lock width="1.2rem" height="1.2rem" />
    </Box>
  );
}

function hintOf({ hint, pinned, t }: Pick<InputProps, 'hint' | 'pinned' | 't'>): ReactNode {
  return pinned ? t('settings.pinned.hint', 'Set in config/plugins — change it there') : hint;
}

function FieldFrame({ name, label, error, pinned, hint, t, children }: Omit<InputProps, 'readOnly'> & { children: ReactNode }) {
  return (
    <Field.Root name={name} hint={hintOf({ hint, pinned, t })} error={error} data-field={name} data-pinned={pinned ? 'true' : undefined}>
      <Field.Label action={<PinnedLock pinned={pinned} t={t} />}>{label}</Field.Label>
      {children}
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  );
}

export function BooleanInput(props: InputProps & { value: boolean; onChange: (value: boolean) => void }) {
  const { value, onChange, pinned, readOnly, t } = props;
  return (
    <FieldFrame {...props}>
      <Toggle
        checked={value}
        disabled={pinned || readOnly}
        onLabel={t('settings.toggle.on', 'On')}
        offLabel={t('settings.toggle.off', 'Off')}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
    </FieldFrame>
  );
}

export function TextValueInput(
  props: InputProps & { value: string; onChange: (value: string) => void; placeholder?: string; type?: string },
) {
  const { value, onChange, pinned, readOnly, placeholder, type = 'text' } = props;
  return (
    <FieldFrame {...props}>
      <TextInput
        type={type}
        value={value}
        placeholder={placeholder}
        disabled={pinned || readOnly}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </FieldFrame>
  );
}

export function ChoiceInput(
  props: InputProps & { value: string; choices: readonly string[]; choiceLabel: (choice: string) => string; onChange: (value: string) => void },
) {
  const { value, choices, choiceLabel, onChange, pinned, readOnly, label } = props;
  return (
    <FieldFrame {...props}>
      <SingleSelect aria-label={label} value={value} disabled={pinned || readOnly} onChange={(next) => onChange(String(next))}>
        {choices.map((choice) => (
          <SingleSelectOption key={choice} value={choice}>
            {choiceLabel(choice)}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    </FieldFrame>
  );
}

/** The real admin roles by code; values naming no role (or a role by name) stay visible. */
function RoleSelect({
  label,
  value,
  roles,
  disabled,
  hasError,
  onChange,
  t,
}: {
  label: string;
  value: string[];
  roles: Role[];
  disabled: boolean;
  hasError?: boolean;
  onChange: (value: string[]) => void;
  t: Translate;
}) {
  const known = new Set(roles.map((role) => role.code));
  const unknown = value.filter((code) => !known.has(code));
  return (
    <MultiSelect
      aria-label={label}
      value={value}
      withTags
      disabled={disabled}
      hasError={hasError}
      placeholder={t('settings.defaultRoles.placeholder', 'Choose roles')}
      onChange={(next) => onChange(next)}
    >
      {roles.map((role) => (
        <MultiSelectOption key={role.code} value={role.code}>
          {role.name}
        </MultiSelectOption>
      ))}
      {unknown.map((code) => (
        <MultiSelectOption key={code} value={code}>
          {roles.some((role) => role.name.toLowerCase() === code.toLowerCase())
            ? code
            : t('settings.defaultRoles.unknown', '{code} (no such role)', { code })}
        </MultiSelectOption>
      ))}
    </MultiSelect>
  );
}

export function RolesInput(props: InputProps & { value: string[]; roles: Role[]; onChange: (value: string[]) => void }) {
  const { value, roles, onChange, pinned, readOnly, label, t } = props;
  return (
    <FieldFrame {...props}>
      <RoleSelect label={label} value={value} roles={roles} disabled={pinned || readOnly} onChange={onChange} t={t} />
    </FieldFrame>
  );
}

/** Group → roles: one row per group pattern, with the roles it grants. */
export function MappingInput(
  props: InputProps & { value: MappingRow[]; roles: Role[]; onChange: (value: MappingRow[]) => void },
) {
  const { name, label, value, roles, onChange, pinned, readOnly, error, t } = props;
  const locked = pinned || readOnly;
  const hint = hintOf(props);
  const update = (index: number, row: MappingRow) => onChange(value.map((item, i) => (i === index ? row : item)));
  return (
    <Flex direction="column" alignItems="stretch" gap={1} data-field={name} data-pinned={pinned ? 'true' : undefined} role="group" aria-labelledby={`${name}-mapping-label`}>
      <Flex alignItems="center" gap={1}>
        <Typography variant="pi" fontWeight="bold" textColor="neutral800" id={`${name}-mapping-label`}>
          {label}
        </Typography>
        <PinnedLock pinned={pinned} t={t} />
      </Flex>
      <Flex direction="column" alignItems="stretch" gap={2}>
        {value.length === 0 ? (
          <Typography variant="pi" textColor="neutral600">
            {t('settings.mapping.empty', 'No mappings.')}
          </Typography>
        ) : null}
        {value.map((row, index) => (
          <Flex key={index} gap={2} alignItems="flex-start">
            <Box basis="40%" grow={0} shrink={0}>
              <TextInput
                aria-label={t('settings.mapping.group', 'Group {number}', { number: index + 1 })}
                value={row.key}
                placeholder="cms-editors"
                disabled={locked}
                hasError={Boolean(error) && row.key.trim() === ''}
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => update(index, { ...row, key: event.currentTarget.value })}
              />
            </Box>
            <Box grow={1}>
              <RoleSelect
                label={t('settings.mapping.roles', 'Roles for group {number}', { number: index + 1 })}
                value={row.values}
                roles={roles}
                disabled={locked}
                hasError={Boolean(error) && row.values.length === 0}
                onChange={(values) => update(index, { ...row, values })}
                t={t}
              />
            </Box>
            {locked ? null : (
              <IconButton
                label={t('settings.list.remove', 'Remove {entry}', { entry: row.key || t('settings.mapping.group', 'Group {number}', { number: index + 1 }) })}
                variant="tertiary"
                type="button"
                onClick={() => onChange(value.filter((_, i) => i !== index))}
              >
                <Trash />
              </IconButton>
            )}
          </Flex>
        ))}
        {locked ? null : (
          <Box>
            <Button variant="secondary" size="S" type="button" startIcon={<Plus />} onClick={() => onChange([...value, { key: '', values: [] }])}>
              {t('settings.mapping.add', 'Add a group')}
            </Button>
          </Box>
        )}
      </Flex>
      {error ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {error}
        </Typography>
      ) : hint ? (
        <Typography variant="pi" tag="p" textColor="neutral600">
          {hint}
        </Typography>
      ) : null}
    </Flex>
  );
}

/** One text input per entry, with add and remove buttons. */
export function ListInput(
  props: InputProps & {
    value: string[];
    onChange: (value: string[]) => void;
    entryLabel: (index: number) => string;
    addLabel: string;
    placeholder?: string;
    entryErrors?: Record<number, string>;
  },
) {
  const { name, label, value, onChange, pinned, readOnly, error, entryLabel, addLabel, placeholder, entryErrors = {}, t } = props;
  const locked = pinned || readOnly;
  const hint = hintOf(props);
  return (
    <Flex direction="column" alignItems="stretch" gap={1} data-field={name} data-pinned={pinned ? 'true' : undefined} role="group" aria-labelledby={`${name}-list-label`}>
      <Flex alignItems="center" gap={1}>
        <Typography variant="pi" fontWeight="bold" textColor="neutral800" id={`${name}-list-label`}>
          {label}
        </Typography>
        <PinnedLock pinned={pinned} t={t} />
      </Flex>
      <Flex direction="column" alignItems="stretch" gap={2}>
        {value.length === 0 ? (
          <Typography variant="pi" textColor="neutral600">
            {t('settings.list.empty', 'No entries.')}
          </Typography>
        ) : null}
        {value.map((entry, index) => (
          <Field.Root key={index} name={`${name}.${index}`} error={entryErrors[index]}>
            <Flex gap={2} alignItems="center">
              <Box grow={1}>
                <TextInput
                  aria-label={entryLabel(index)}
                  value={entry}
                  placeholder={placeholder}
                  disabled={locked}
                  hasError={entryErrors[index] !== undefined}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => onChange(value.map((item, i) => (i === index ? event.currentTarget.value : item)))}
                />
              </Box>
              {locked ? null : (
                <IconButton
                  label={t('settings.list.remove', 'Remove {entry}', { entry: entry || entryLabel(index) })}
                  variant="tertiary"
                  type="button"
                  onClick={() => onChange(value.filter((_, i) => i !== index))}
                >
                  <Trash />
                </IconButton>
              )}
            </Flex>
          </Field.Root>
        ))}
        {locked ? null : (
          <Box>
            <Button variant="secondary" size="S" type="button" startIcon={<Plus />} onClick={() => onChange([...value, ''])}>
              {addLabel}
            </Button>
          </Box>
        )}
      </Flex>
      {error ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {error}
        </Typography>
      ) : hint ? (
        <Typography variant="pi" tag="p" textColor="neutral600">
          {hint}
        </Typography>
      ) : null}
    </Flex>
  );
}

/** Header name plus a write-only value: the page learns only whether a value is stored. */
export function SecretInput(
  props: Omit<InputProps, 'hint'> & {
    hint: ReactNode;
    value: SecretDraft | null;
    onChange: (value: SecretDraft | null) => void;
    headerError?: string;
    valueError?: string;
  },
) {
  const { name, label, value, onChange, pinned, readOnly, error, headerError, valueError, t } = props;
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
  return (
    <Flex direction="column" alignItems="stretch" gap={3} data-field={name} data-pinned={pinned ? 'true' : undefined}>
      <Flex justifyContent="space-between" alignItems="center" gap={2} wrap="wrap">
        <Flex alignItems="center" gap={1}>
          <Typography variant="pi" fontWeight="bold" textColor="neutral800">
            {label}
          </Typography>
          <PinnedLock pinned={pinned} t={t} />
        </Flex>
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
      </Flex>
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
      {error ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {error}
        </Typography>
      ) : (
        <Typography variant="pi" tag="p" textColor="neutral600">
          {hintOf(props)}
        </Typography>
      )}
    </Flex>
  );
}

/** A hook is code: the panel can only say whether config/plugins has one. */
export function HookStatus({ name, label, configured, hint, t }: { name: string; label: string; configured: boolean; hint: string; t: Translate }) {
  return (
    <Flex direction="column" alignItems="stretch" gap={1} data-field={name} data-hook={configured ? 'configured' : 'none'}>
      <Typography variant="pi" fontWeight="bold" textColor="neutral800">
        {label}
      </Typography>
      <Flex>
        <Status variant={configured ? 'primary' : 'neutral'} size="S">
          <Typography variant="omega" fontWeight="bold">
            {configured
              ? t('settings.hooks.configured', 'Configured in config/plugins')
              : t('settings.hooks.none', 'Not configured')}
          </Typography>
        </Status>
      </Flex>
      <Typography variant="pi" textColor="neutral600">
        {hint}
      </Typography>
    </Flex>
  );
}
