/** Types that cross the wire between the server and the admin panel: the settings API. Imported by both; plain types and constants only. */

export type FieldKind = 'boolean' | 'choice' | 'text' | 'number' | 'list' | 'mapping' | 'secret' | 'hook' | 'assertion';

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
