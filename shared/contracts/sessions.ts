/** Types that cross the wire between the server and the admin panel: the sessions and deprovisioning API. Imported by both; plain types and constants only. */

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
