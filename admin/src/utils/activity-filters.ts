/** The filters of the Activity page and the query string they make. */

const DAY_MS = 86_400_000;
/** The choice that filters nothing. */
export const ALL = 'all';
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

export interface Filters {
  person: string;
  kind: string;
  reason: string;
  from: string;
  to: string;
}

/** The last 30 days, everything else open. */
export const initialFilters = (): Filters => ({ person: '', kind: ALL, reason: ALL, from: isoDay(Date.now() - 29 * DAY_MS), to: isoDay(Date.now()) });

export function queryOf(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.person.trim()) params.set('person', filters.person.trim());
  if (filters.kind !== ALL) params.set('kind', filters.kind);
  if (filters.reason !== ALL) params.set('reason', filters.reason);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}
