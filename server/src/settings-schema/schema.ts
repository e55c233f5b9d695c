import { canonicalHeaderName } from '../pipeline/header-name';
import { isDomainName, isRealmName, type Claim, type NormalizeIdentity } from '../pipeline/claim';
import { parseTrustedProxies } from '../pipeline/trusted-proxies';
import { boolean, choice, hook, integer, list, mapping, optionalInteger, secretHeader, text, type Field } from './fields';
import { assertionField, assertionHasGroups, assertionHeader } from './assertion-field';

/** Called after every successful sign-in (Django's `configure_user`). */
export type OnLogin = (event: { user: { id: number | string; email: string }; created: boolean; claim: Claim }) =>
  void | Promise<void>;

const headerName = (value: string): string | null => {
  try {
    canonicalHeaderName(value);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

const logoutUrl = (value: string): string | null => {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must not contain whitespace or control characters';
  if (value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')) return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return null;
  } catch {
    /* fall through */
  }
  return `must be an absolute http(s) URL or a path starting with "/", got "${value}"`;
};

/**
 * The single source of truth for every option: defaults, validation (boot
 * config validator and, later, the settings API) and the admin form.
 * These names are public API, documented in the README.
 */
export const schema = {
  enabled: boolean(true, 'Sign people in from the proxy header. Off: the plugin ignores the header entirely.'),
  mode: choice(['persistent', 'strict'] as const, 'persistent', 'persistent: the header only starts a session, which lives until logout or expiry. strict: every admin request must carry the same identity, or its session ends.'),
  header: text<string>('Remote-User', 'Request header carrying the identity. Django form HTTP_X_REMOTE_USER is accepted.', headerName),
  trustedProxies: list(['127.0.0.1/32', '::1/128'], 'Addresses (CIDR) of the proxies allowed to send the header, matched against the socket peer. With a signed assertion: optional defence in depth ([] = any peer).', (value) => {
    if (value.length === 0) return; // only with a signed assertion: checked in parseSettings
    try {
      parseTrustedProxies(value);
    } catch (error) {
      throw new TypeError((error as Error).message);
    }
  }),
  assertion: assertionField('A signed identity assertion (JWT) from Cloudflare Access, Google IAP, AWS ALB, Pomerium or an OIDC gateway: { preset, … }. Set: only the verified JWT says who a person is; the plain header and its unsigned companions are ignored. null: the plain header.'),
  sharedSecret: secretHeader('{ header, value }: a secret header the proxy adds, proving the request went through it. Never logged or shown.', headerName),
  userField: choice(['email', 'username'] as const, 'email', 'What the header carries: an e-mail address, or a user name combined with emailDomain.'),
  emailDomain: text(null as string | null, 'With userField "username": e-mail domain of the accounts (jane → jane@<emailDomain>).', (value) =>
    isDomainName(value) ? null : `must be a domain name like "corp.example", got "${value}"`,
  ),
  realms: list([], 'With userField "username": Kerberos realms whose users are local ("jane@CORP.EXAMPLE" → "jane"). Any other realm is refused (foreign-realm). Empty: every "user@REALM" is refused.', (value) => {
    const bad = value.find((realm) => !isRealmName(realm));
    if (bad !== undefined) throw new TypeError(`must list realm names like "CORP.EXAMPLE", got "${bad}"`);
  }),
  autoCreate: boolean(false, 'Create an admin account for people who have none yet.'),
  maxNewUsersPerMinute: integer(100, 'Most admin accounts autoCreate may create per minute on each Strapi instance; more first sign-ins are refused (429) until the minute has passed. 0: no limit.', 0, 1_000_000),
  defaultRoles: list(['strapi-author'], 'Roles (codes or names) given to accounts created by autoCreate (and kept by syncRoles).', (value) => {
    if (value.some((role) => role.trim() === '')) throw new TypeError('must not contain empty role names');
  }),
  linkByEmail: boolean(true, 'Sign an identity in as the existing admin account with the same e-mail. Off: only accounts this plugin created or linked before. On: an invitation (other than to Super Admin) is accepted by signing in, not with its link.'),
  linkByEmailHeader: boolean(false, 'Let an e-mail address from emailHeader link a first sign-in to an existing account no identity is linked to yet. Off: only addresses that are the identity (or its user@emailDomain) link; turn on only if people cannot change their address at the identity provider.'),
  emailHeader: text(null as string | null, 'Header with the e-mail address (userField "username": used instead of user@emailDomain). Never copied onto a Super Admin nor onto an address another account uses.', headerName),
  firstNameHeader: text(null as string | null, 'Header with the first name, synced on every sign-in.', headerName),
  lastNameHeader: text(null as string | null, 'Header with the last name, synced on every sign-in.', headerName),
  groupsHeader: text(null as string | null, 'Header with the groups the person is in, e.g. Remote-Groups.', headerName),
  groupsSeparator: text<string>(',', 'Separator between groups in the groups header.', (value) =>
    /^[!-/:-@[-`{-~]{1,3}$/.test(value) ? null : 'must be 1-3 ASCII punctuation characters, e.g. "," or ";" or "|"',
  ),
  groupRoles: mapping('Group → roles: { "cms-editors": ["strapi-editor"] }. Case-insensitive; "*" is a wildcard.'),
  syncRoles: boolean(false, 'On: roles become exactly defaultRoles + mapped roles at every sign-in (roles are removed too). Off: mapped roles are only added.'),
  allowSuperAdminMapping: boolean(false, 'Let groupRoles grant (and syncRoles remove) the Super Admin role. Off: such mappings are ignored.'),
  requireGroups: list([], 'Only members of one of these groups may sign in (wildcards allowed). Empty: no requirement.'),
  denyGroups: list([], 'Members of any of these groups may not sign in (wildcards allowed).'),
  allowInactive: boolean(false, 'Let inactive (never blocked) accounts sign in; the sign-in activates them.'),
  allowPasswordLogin: boolean(true, 'Keep the password form working. Off: SSO accounts cannot use passwords (super admins still can).'),
  syncInterval: optionalInteger('Persistent mode: re-sync roles and names from a request that carries the header of the signed-in person, at most every this many seconds. Empty: only at sign-in.', 1, 31_536_000),
  deactivateAfterDays: optionalInteger('Deactivate accounts this plugin created that have not signed in for this many days (never Super Admins, never accounts with a password). Empty: never.', 1, 36_500),
  logoutRedirectUrl: text(null as string | null, 'Where to send people after they log out, e.g. the proxy sign-out URL.', logoutUrl),
  activityRetentionDays: integer(90, 'Days the sign-in activity (Settings → Remote authentication → Activity) is kept; older rows are deleted in the background.', 1, 3650),
  normalizeIdentity: hook<NormalizeIdentity>('config/plugins only: (value) => cleaned value, or null to refuse.'),
  onLogin: hook<OnLogin>('config/plugins only: ({ user, created, claim }) => void, called after each sign-in.'),
} satisfies Record<string, Field<unknown>>;

type Schema = typeof schema;
export type SettingKey = keyof Schema;
export type Settings = { -readonly [K in SettingKey]: ReturnType<Schema[K]['check']> };

export const settingKeys = Object.keys(schema) as SettingKey[];

/** Options of earlier versions, and what replaced them: a config that still sets one fails with this message. */
const REMOVED: Readonly<Record<string, string>> = {
  stripRealm:
    'was removed: it stripped every realm, so "alice@PARTNER.EXAMPLE" signed in as the local "alice". ' +
    'Use realms instead, listing the realms whose users are local, e.g. realms: ["CORP.EXAMPLE"]',
};

export function defaultSettings(): Settings {
  const defaults = {} as Record<string, unknown>;
  for (const key of settingKeys) {
    const value = schema[key].default as unknown;
    // Fresh copies: no two settings objects may share a default list or mapping.
    defaults[key] = value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
  }
  return defaults as Settings;
}

export interface SettingsIssue {
  readonly key: string;
  readonly message: string;
}

export class SettingsError extends Error {
  readonly issues: readonly SettingsIssue[];

  constructor(issues: readonly SettingsIssue[]) {
    super(issues.map((issue) => `"${issue.key}" ${issue.message}`).join('; '));
    this.name = 'SettingsError';
    this.issues = issues;
  }
}

/** Validates a complete or partial settings object, filling the gaps with defaults. */
export function parseSettings(raw: unknown): Settings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingsError([{ key: '(root)', message: 'must be an object' }]);
  }
  const input = raw as Record<string, unknown>;
  const issues: SettingsIssue[] = [];
  for (const key of Object.keys(input)) {
    if (key in REMOVED) {
      issues.push({ key, message: REMOVED[key] });
    } else if (!(key in schema)) {
      const hint = settingKeys.find((known) => known.toLowerCase() === key.toLowerCase());
      issues.push({ key, message: `is not an option of this plugin${hint ? ` (did you mean "${hint}"?)` : ''}` });
    }
  }
  const settings = defaultSettings() as Record<string, unknown>;
  for (const key of settingKeys) {
    if (!(key in input) || input[key] === undefined) continue;
    try {
      settings[key] = schema[key].check(input[key]);
    } catch (error) {
      issues.push({ key, message: (error as Error).message });
    }
  }
  const parsed = settings as Settings;
  if (parsed.userField === 'username' && !parsed.emailDomain) {
    issues.push({ key: 'emailDomain', message: 'is required when userField is "username"' });
  }
  if (parsed.trustedProxies.length === 0 && parsed.assertion === null) {
    issues.push({ key: 'trustedProxies', message: 'is empty: list the address of your reverse proxy, e.g. ["127.0.0.1/32"] (an empty list is only allowed with a signed assertion, whose signature proves where it came from)' });
  }
  for (const key of ['requireGroups', 'denyGroups'] as const) {
    if (parsed[key].length > 0 && !parsed.groupsHeader && !assertionHasGroups(parsed.assertion)) issues.push({ key, message: 'needs groupsHeader: without it no group can be checked' });
  }
  if (issues.length === 0 && parsed.assertion !== null && parsed.sharedSecret) {
    if (canonicalHeaderName(parsed.sharedSecret.header) === canonicalHeaderName(assertionHeader(parsed.assertion))) {
      issues.push({ key: 'sharedSecret', message: '.header must differ from the assertion header' });
    }
  }
  if (issues.length === 0) {
    // Every header the plugin reads must be a different header.
    const seen = new Map<string, string>([[canonicalHeaderName(parsed.header), 'header']]);
    const others: Array<[string, string | null | undefined]> = [
      ['sharedSecret', parsed.sharedSecret?.header],
      ['emailHeader', parsed.emailHeader],
      ['firstNameHeader', parsed.firstNameHeader],
      ['lastNameHeader', parsed.lastNameHeader],
      ['groupsHeader', parsed.groupsHeader],
    ];
    for (const [key, name] of others) {
      if (!name) continue;
      const canonical = canonicalHeaderName(name);
      const clash = seen.get(canonical);
      if (clash) issues.push({ key, message: `${key === 'sharedSecret' ? '.header ' : ''}must differ from "${clash}"` });
      else seen.set(canonical, key);
    }
  }
  if (issues.length > 0) throw new SettingsError(issues);
  return parsed;
}
