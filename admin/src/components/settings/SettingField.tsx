import type { SettingsPayload } from '../../api';
import type { AssertionDraft } from '../../utils/assertion-draft';
import { entryErrors, type Draft, type FieldErrors, type MappingRow, type SecretDraft } from '../../utils/draft';
import { HOOKS, PLACEHOLDERS } from '../../utils/settings-layout';
import type { Translate } from '../../utils/useT';
import { AssertionInput } from '../inputs/AssertionInput';
import { BooleanInput } from '../inputs/BooleanInput';
import { ChoiceInput } from '../inputs/ChoiceInput';
import { HookStatus } from '../inputs/HookStatus';
import type { InputProps } from '../inputs/InputFrame';
import { ListInput } from '../inputs/ListInput';
import { MappingInput } from '../inputs/MappingInput';
import { RolesInput } from '../inputs/RolesInput';
import { SecretInput } from '../inputs/SecretInput';
import { TextValueInput } from '../inputs/TextValueInput';

interface SettingFieldProps {
  /** The option's key. */
  name: string;
  /** Label, hint, error and lock of the option, as every input takes them. */
  input: InputProps;
  draft: Draft;
  payload: SettingsPayload;
  errors: FieldErrors;
  labels: Record<string, string>;
  hints: Record<string, string>;
  onChange: (value: unknown) => void;
  t: Translate;
}

/** One option with the input that presents it; options the page does not know fall back to their kind. */
export function SettingField({ name: key, input, draft, payload, errors, labels, hints, onChange, t }: SettingFieldProps) {
  const str = (key: string): string => (typeof draft[key] === 'string' ? (draft[key] as string) : '');
  const bool = (key: string): boolean => draft[key] === true;
  const strings = (key: string): string[] => (Array.isArray(draft[key]) ? (draft[key] as string[]) : []);
  const choicesOf = (key: string, fallback: string[]): string[] => payload.fields[key]?.choices ?? fallback;

    if (HOOKS.has(key)) {
      return (
        <HookStatus
          name={key}
          label={labels[key]}
          configured={Boolean((payload.hooks as Record<string, boolean> | undefined)?.[key])}
          hint={hints[key] ?? payload.fields[key]?.help ?? ''}
          t={t}
        />
      );
    }
    if (!(key in payload.settings)) return null;
    const kind = payload.fields[key]?.kind;
    switch (key) {
      case 'mode':
        return (
          <ChoiceInput
            {...input}
            value={str(key)}
            choices={choicesOf(key, ['persistent', 'strict'])}
            choiceLabel={(choice) => t(`settings.mode.${choice}`, choice)}
            onChange={(value) => onChange(value)}
          />
        );
      case 'userField':
        return (
          <ChoiceInput
            {...input}
            value={str(key)}
            choices={choicesOf(key, ['email', 'username'])}
            choiceLabel={(choice) => t(`settings.userField.${choice}`, choice)}
            onChange={(value) => onChange(value)}
          />
        );
      case 'logoutRedirectUrl':
        return (
          <TextValueInput {...input} value={str(key)} type="url" placeholder={PLACEHOLDERS[key]} onChange={(value) => onChange(value)} />
        );
      case 'trustedProxies':
        return (
          <ListInput
            {...input}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => t('settings.trustedProxies.entry', 'Trusted proxy {number}', { number: index + 1 })}
            addLabel={t('settings.trustedProxies.add', 'Add an address')}
            placeholder="10.0.0.0/24"
            onChange={(value) => onChange(value)}
          />
        );
      case 'sharedSecret':
        return (
          <SecretInput
            {...input}
            value={draft.sharedSecret}
            headerError={errors['sharedSecret.header']}
            valueError={errors['sharedSecret.value']}
            onChange={(value: SecretDraft | null) => onChange(value)}
          />
        );
      case 'assertion':
        return (
          <AssertionInput
            {...input}
            value={(draft.assertion as AssertionDraft | null | undefined) ?? null}
            errors={errors}
            onChange={(value) => onChange(value)}
          />
        );
      case 'defaultRoles':
        return <RolesInput {...input} value={strings(key)} roles={payload.roles ?? []} onChange={(value) => onChange(value)} />;
      case 'requireGroups':
      case 'denyGroups':
        return (
          <ListInput
            {...input}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => t('settings.groups.entry', '{list}: group {number}', { list: labels[key], number: index + 1 })}
            addLabel={t('settings.groups.add', 'Add a group')}
            placeholder="cms-*"
            onChange={(value) => onChange(value)}
          />
        );
      default:
        break;
    }
    switch (kind) {
      case 'mapping':
        return (
          <MappingInput
            {...input}
            value={Array.isArray(draft[key]) ? (draft[key] as MappingRow[]) : []}
            roles={payload.roles ?? []}
            onChange={(value) => onChange(value)}
          />
        );
      case 'boolean':
        return <BooleanInput {...input} value={bool(key)} onChange={(value) => onChange(value)} />;
      case 'choice':
        return (
          <ChoiceInput
            {...input}
            value={str(key)}
            choices={choicesOf(key, [])}
            choiceLabel={(choice) => choice}
            onChange={(value) => onChange(value)}
          />
        );
      case 'list':
        return (
          <ListInput
            {...input}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => `${labels[key] ?? key} ${index + 1}`}
            addLabel={t('settings.list.add', 'Add an entry')}
            onChange={(value) => onChange(value)}
          />
        );
      case 'text':
        return <TextValueInput {...input} value={str(key)} placeholder={PLACEHOLDERS[key]} onChange={(value) => onChange(value)} />;
      case 'number':
        return <TextValueInput {...input} value={str(key)} type="number" onChange={(value) => onChange(value)} />;
      default:
        return null;
    }
}
