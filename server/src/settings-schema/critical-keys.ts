/**
 * T21: who may change which setting. Every current setting decides who is
 * signed in, as whom, with which roles, or where people are sent — whoever may
 * change one can make themselves (or anyone) more powerful: rename the identity
 * header to one the proxy passes through from clients, map every group to a
 * role that manages users, re-enable passwords a Super Admin turned off, send
 * everyone to a phishing page after sign-out. So every setting is for Super
 * Admins only, each with the reason the admin page shows under it.
 *
 * A role granted `plugin::remote-auth.settings.update` may change only the
 * keys in DELEGABLE_KEYS — none today. A key in neither list is treated as
 * Super-Admin-only (fail closed); a unit test makes sure every key is in one.
 *
 * Pure: no Strapi imports. Role references are codes or names, as in
 * defaultRoles/groupRoles.
 */
export const SUPER_ADMIN_ROLE_CODE = 'strapi-super-admin';

const WHO_SIGNS_IN = 'decides who may sign in';
const WHICH_ACCOUNT = 'decides which admin account an identity signs in as';
const WHICH_ROLES = 'decides which roles people get';
const PROFILE = 'decides which request header is written onto people’s accounts';

/** Every setting only a Super Admin may change, and why (completes "it …"). */
export const SUPER_ADMIN_ONLY: Readonly<Record<string, string>> = Object.freeze({
  enabled: 'decides whether the proxy’s header signs anyone in at all',
  mode: 'decides whether a session outlives the header, and so whether removing someone at the proxy signs them out',
  header: 'decides which request header says who a person is; one the proxy passes through from clients lets anyone choose who they are',
  trustedProxies: 'decides which addresses may say who a person is',
  assertion: 'decides whose signature says who a person is, and which keys, issuer and audience are believed',
  sharedSecret: 'proves that a request came through the proxy; without it, anything at a trusted address may say who a person is',
  userField: WHICH_ACCOUNT,
  emailDomain: WHICH_ACCOUNT,
  realms: 'decides whose Kerberos identities sign in as local accounts',
  autoCreate: 'decides whether anyone the proxy names gets an admin account',
  maxNewUsersPerMinute: 'bounds how many accounts a misconfigured or compromised proxy can create',
  defaultRoles: WHICH_ROLES,
  linkByEmail: 'decides whether an identity can sign in as an existing account with the same e-mail address',
  linkByEmailHeader: 'decides whether an e-mail address from a header can take over an existing account',
  emailHeader: 'decides which e-mail address people get, and which existing accounts they can be linked to',
  firstNameHeader: PROFILE,
  lastNameHeader: PROFILE,
  groupsHeader: 'decides where group memberships come from, and so who may sign in and with which roles',
  groupsSeparator: 'decides how the groups header is split into groups, and so who may sign in and with which roles',
  groupRoles: WHICH_ROLES,
  syncRoles: WHICH_ROLES,
  allowSuperAdminMapping: 'decides whether groups can grant the Super Admin role',
  requireGroups: WHO_SIGNS_IN,
  denyGroups: WHO_SIGNS_IN,
  allowInactive: 'decides whether inactive accounts can sign in (and become active)',
  allowPasswordLogin: 'decides whether accounts linked to single sign-on can bypass it with a password',
  syncInterval: 'decides how soon a change of groups at the identity provider changes people’s roles',
  deactivateAfterDays: 'decides which accounts are deactivated automatically',
  logoutRedirectUrl: 'decides where everyone is sent after signing out',
  activityRetentionDays: 'decides how long the record of who signed in is kept; shortening it erases that record',
});

/**
 * Settings a role granted `settings.update` may change. Empty: every current
 * setting is security-relevant. Add a key here only deliberately, for an
 * option that cannot change who gets in, as whom, with which roles, or where
 * people are sent (say, how long an activity log is kept).
 */
export const DELEGABLE_KEYS: readonly string[] = Object.freeze([]);

/** Keys whose value names roles: a value that grants Super Admin gets the stronger wording. */
export const ROLE_KEYS: readonly string[] = Object.freeze(['defaultRoles', 'groupRoles']);

const ONLY_SUPER_ADMIN = 'only a Super Admin can change this';

/** Reason for a key in neither list (a new setting nobody classified yet). */
export const UNCLASSIFIED_REASON = `${ONLY_SUPER_ADMIN}: it is not marked as safe to delegate`;

/** Whether a role reference (code or name) names the Super Admin role. */
export const namesSuperAdmin = (role: unknown): boolean =>
  typeof role === 'string' && (role.trim() === SUPER_ADMIN_ROLE_CODE || role.trim().toLowerCase() === 'super admin');

/** Whether a defaultRoles list or groupRoles mapping value grants Super Admin. */
export function grantsSuperAdmin(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(namesSuperAdmin);
  if (value !== null && typeof value === 'object') return Object.values(value).some((roles) => grantsSuperAdmin(roles));
  return false;
}

/** Whether someone who is not a Super Admin may change `key`. */
export const isDelegable = (key: string): boolean => DELEGABLE_KEYS.includes(key);

function reasonFor(key: string, grants: string | null): string | null {
  if (isDelegable(key)) return null;
  if (!Object.hasOwn(SUPER_ADMIN_ONLY, key)) return UNCLASSIFIED_REASON;
  const reason = `${ONLY_SUPER_ADMIN}: it ${SUPER_ADMIN_ONLY[key]}`;
  return grants && ROLE_KEYS.includes(key) ? `${reason}, and ${grants}` : reason;
}

/** Why `key` is read-only for someone who is not a Super Admin, given its current value; null when they may change it. */
export function readOnlyReason(key: string, current: unknown): string | null {
  return reasonFor(key, grantsSuperAdmin(current) ? 'it grants the Super Admin role' : null);
}

/** Why changing `key` from `before` to `after` needs a Super Admin, or null when it does not. */
export function superAdminOnlyChange(key: string, before: unknown, after: unknown): string | null {
  return reasonFor(key, grantsSuperAdmin(before) || grantsSuperAdmin(after) ? 'it grants the Super Admin role (now or after the change)' : null);
}
