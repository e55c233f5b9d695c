/**
 * The settings API as the server serves it (admin-type routes under
 * /remote-auth/…, admin token required).
 */
export type FieldKind = 'boolean' | 'choice' | 'text' | 'number' | 'list' | 'mapping' | 'secret' | 'hook';

export interface FieldMeta {
  kind: FieldKind;
  help: string;
  choices?: string[];
  default: unknown;
}

export interface SecretState {
  header: string;
  isSet: boolean;
}

export interface Settings {
  enabled: boolean;
  mode: string;
  header: string;
  trustedProxies: string[];
  sharedSecret: SecretState | null;
  userField: string;
  emailDomain: string | null;
  autoCreate: boolean;
  defaultRoles: string[];
  allowInactive: boolean;
  allowPasswordLogin: boolean;
  logoutRedirectUrl: string | null;
  /** Options a newer server knows about; rendered generically from `fields`. */
  [key: string]: unknown;
}

export interface Role {
  id: number | string;
  code: string;
  name: string;
}

export interface SettingsPayload {
  settings: Settings;
  pinned: string[];
  hooks: { normalizeIdentity: boolean; onLogin: boolean };
  fields: Record<string, FieldMeta>;
  roles: Role[];
  /**
   * Key → why this user may not change it (only a Super Admin may: T21).
   * Empty for a Super Admin; absent from servers older than T21.
   */
  readOnly?: Record<string, string>;
  isSuperAdmin?: boolean;
}

export interface SecretInput {
  header: string;
  /** Omitted or empty: keep the stored value. */
  value?: string;
}

export type SettingsInput = Omit<Partial<Settings>, 'sharedSecret'> & { sharedSecret?: SecretInput | null };

export interface ValidationIssue {
  path: Array<string | number>;
  message: string;
}

export interface Diagnostics {
  peer: string;
  trustedPeer: boolean;
  secret: 'not-configured' | 'matched' | 'missing' | 'mismatch';
  header: {
    name: string;
    state: 'absent' | 'present' | 'invalid';
    masked: string | null;
    problem: string | null;
  };
  /** The signed assertion, when one is configured (null or absent: none configured). */
  assertion?: AssertionCheck | null;
  /** The browser's origin against the one the plugin enforces (absent: an older server). */
  origin?: OriginCheck;
  /** The groups the proxy sent (null: no groups header) and the role references they map to. */
  groups?: { seen: string[] | null; roles: string[]; unmatched: string[] };
  outcome: {
    result: 'anonymous' | 'would-sign-in' | 'would-create' | 'refused';
    user: { id: number | string; email: string } | null;
    code: string | null;
    reason: string | null;
  };
}

/**
 * The origin the browser uses (from Origin, Referer or the page location the
 * page sends) against the one the plugin enforces; `problem` names both and the fix.
 */
export interface OriginCheck {
  browser: string | null;
  seenIn: 'origin' | 'referer' | 'page' | null;
  enforced: string;
  enforcedFrom: 'server.url' | 'request';
  problem: string | null;
}

/** Query parameter the connection check sends the page's own origin in (server/src/strapi/diagnostics/diagnostics.ts). */
export const PAGE_ORIGIN_PARAMETER = 'pageOrigin';

/** What the server made of this request's signed assertion. */
export interface AssertionCheck {
  /** The header read, e.g. Cf-Access-Jwt-Assertion. */
  header: string;
  state: 'absent' | 'verified' | 'refused';
  /** assertion-expired, assertion-audience, …, keys-unavailable. */
  code: string | null;
  reason: string | null;
  /** The verified claims (personal ones masked by the server), in the server's order. */
  claims: Record<string, unknown> | null;
  /** The verified JWT's protected header (alg, kid, typ; ALB: signer). */
  protectedHeader?: Record<string, unknown> | null;
  /** Where the keys come from and the state of the cache. */
  keys?: { source: string; keys: number; fetchedAt: string | null; lastError: string | null };
  /** The configured key source fetched afresh: usable (keys of an allowed algorithm), unusable, or not checked (and why). */
  keyCheck?: { state: 'usable' | 'unusable' | 'not-checked'; url: string | null; detail: string };
}

export const SETTINGS_URL = '/remote-auth/settings';
export const DIAGNOSTICS_URL = '/remote-auth/diagnostics';

/** An admin user as the sessions API shows it; `managed` marks accounts single sign-on created or linked. */
export interface SsoPerson {
  id: number;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  isActive: boolean;
  isSuperAdmin: boolean;
  managed: 'created' | 'linked' | null;
  subject: string | null;
  lastSeenAt: string | null;
}

export interface SsoSession {
  id: string;
  user: SsoPerson;
  startedAt: string;
  renewedAt: string;
  expiresAt: string;
}

export type ManagedAccount = SsoPerson & { sessions: number };

export interface Paged<T> {
  results: T[];
  pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

export interface DeactivationPreview {
  enabled: boolean;
  days: number | null;
  cutoff: string | null;
  due: Array<SsoPerson & { lastSeenAt: string }>;
}

export const SESSIONS_URL = '/remote-auth/sessions';
export const ACCOUNTS_URL = '/remote-auth/accounts';
export const DEPROVISIONING_PREVIEW_URL = '/remote-auth/deprovisioning/preview';

export const ACTIVITY_URL = '/remote-auth/activity';
export const ACTIVITY_SUMMARY_URL = '/remote-auth/activity/summary';
export const ACTIVITY_EXPORT_URL = '/remote-auth/activity/export';

/** Entry kinds, as the server records them (server/src/strapi/activity/activity-log.ts). */
export const ACTIVITY_KINDS = [
  'sign-in',
  'created',
  'roles-changed',
  'refused',
  'logout',
  'revoked',
  'settings-changed',
  'signed-out-by-admin',
  'deactivated',
] as const;

export interface ActivityRecord {
  id: number;
  at: string;
  kind: string;
  reason: string | null;
  user: { id: number; email: string | null } | null;
  identity: string | null;
  peer: string | null;
  source: string | null;
  details: Record<string, unknown> | null;
  instance: string | null;
}

export interface ActivityPage {
  results: ActivityRecord[];
  pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

export interface ActivitySummary {
  from: string;
  to: string;
  days: Array<{ day: string; signIns: number; refusals: number }>;
  /** Refusal reasons seen in the range (codes). */
  reasons: string[];
  recorder: { recorded: number; dropped: number; buffered: number };
}
