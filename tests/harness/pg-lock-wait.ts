/** PostgreSQL only: for tests that hold a sign-in at a precise point with a table or advisory lock. */
type Knex = { raw(sql: string, bindings: unknown[]): Promise<unknown> };

/** Waits until a statement of this database that mentions `fragment` waits on a lock (deadline 10 s). */
export async function blockedOn(knex: Knex, fragment: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = (await knex.raw(
      "SELECT 1 FROM pg_stat_activity WHERE wait_event_type IN ('Lock', 'Advisory') AND datname = current_database() AND query ILIKE ?",
      [`%${fragment}%`],
    )) as { rows: unknown[] };
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no statement on ${fragment} waited on a lock within 10 s`);
}
