/** Types that cross the wire between the server and the admin panel: the sign-in activity API. Imported by both; plain types and constants only. */

/** Entry kinds, as the server records them. */
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

export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

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
