import { MultiSelect, MultiSelectOption } from '@strapi/design-system';
import type { Role } from '../../api';
import type { Translate } from '../../utils/useT';

/** The real admin roles by code; values naming no role (or a role by name) stay visible. */
export function RoleSelect({
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
