/**
 * The ids of Strapi's tables are INT on MySQL/MariaDB and integer on
 * PostgreSQL: a number past 2^31−1 does not fit the column, and using it in a
 * query or a row is an error of the database (a 500, or a whole batch of
 * activity rows refused), not "no such user". Ids from the outside are
 * checked with this before they reach a query.
 */
export const MAX_DATABASE_ID = 2_147_483_647;

/** Whether `value` can be the id of a row: a whole number in 1..2^31−1. */
export function isDatabaseId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_DATABASE_ID;
}

/** `raw` (a route or query parameter) as a row id, or null when it is not one. */
export function databaseIdOf(raw: unknown): number | null {
  if (typeof raw === 'number') return isDatabaseId(raw) ? raw : null;
  if (typeof raw !== 'string' || !/^\d{1,10}$/.test(raw.trim())) return null;
  const id = Number(raw.trim());
  return isDatabaseId(id) ? id : null;
}
