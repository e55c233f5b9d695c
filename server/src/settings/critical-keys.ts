/**
 * T21: the settings that decide who is signed in, as whom, and with which
 * roles. Whoever may change them can make themselves Super Admin (rename the
 * identity header to one the proxy passes through from clients, widen the
 * trust list, map a client-sent group to Super Admin…), so only a Super Admin
 * may change them; a role granted `plugin::remote-auth.settings.update` may
 * change the rest.
 *
 * Pure: no Strapi imports. Role references are codes or names, as in
 * defaultRoles/groupRoles.
 */
export const SUPER_ADMIN_ROLE_CODE = 'strapi-super-admin';

/** Keys that only a Super Admin may change, whatever their value. */
export const CRITICAL_KEYS: readonly string[] = [
  'enabled',
  'mode',
  'header',
  'trustedProxies',
  'sharedSecret',
  'userField',
  'emailDomain',
  'realms',
  'linkByEmail',
  'linkByEmailHeader',
  'emailHeader',
  'firstNameHeader',
  'lastNameHeader',
  'groupsHeader',
  'groupsSeparator',
  'allowSuperAdminMapping',
  'autoCreate',
  'allowInactive',
  'requireGroups',
  'denyGroups',
];

/** Keys that only a Super Admin may change when the old or the new value grants Super Admin. */
export const ROLE_KEYS: readonly string[] = ['defaultRoles', 'groupRoles'];

export const CRITICAL_REASON =
  'only a Super Admin can change this: it decides who is signed in, as whom, or with which roles, ' +
  'so changing it could make anyone a Super Admin';

export const SUPER_ADMIN_GRANT_REASON =
  'only a Super Admin can change this: it grants the Super Admin role (now or after the change)';

/** Whether a role reference (code or name) names the Super Admin role. */
export const namesSuperAdmin = (role: unknown): boolean =>
  typeof role === 'string' && (role.trim() === SUPER_ADMIN_ROLE_CODE || role.trim().toLowerCase() === 'super admin');

/** Whether a defaultRoles list or groupRoles mapping value grants Super Admin. */
export function grantsSuperAdmin(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(namesSuperAdmin);
  if (value !== null && typeof value === 'object') return Object.values(value).some((roles) => grantsSuperAdmin(roles));
  return false;
}

/**
 * Why `key` is read-only for someone who is not a Super Admin, given its
 * current value; null when they may change it (role keys: as long as the
 * change does not grant Super Admin, which `superAdminOnlyChange` checks).
 */
export function readOnlyReason(key: string, current: unknown): string | null {
  if (CRITICAL_KEYS.includes(key)) return CRITICAL_REASON;
  if (ROLE_KEYS.includes(key) && grantsSuperAdmin(current)) return SUPER_ADMIN_GRANT_REASON;
  return null;
}

/** Why changing `key` from `before` to `after` needs a Super Admin, or null when it does not. */
export function superAdminOnlyChange(key: string, before: unknown, after: unknown): string | null {
  if (CRITICAL_KEYS.includes(key)) return CRITICAL_REASON;
  if (ROLE_KEYS.includes(key) && (grantsSuperAdmin(before) || grantsSuperAdmin(after))) return SUPER_ADMIN_GRANT_REASON;
  return null;
}
