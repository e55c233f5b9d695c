/**
 * B7: fills a bench database with admin users straight through SQL — rows
 * shaped like the ones Strapi 5 writes (`admin_users` with a `document_id`,
 * the role in `admin_users_roles_lnk`) — in one transaction, many rows per
 * INSERT: 100,000 users take seconds, not the hours Strapi's service would.
 * Run while the Strapi process on that database is idle (SQLite: the write
 * waits for its lock).
 */
import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../../tests/harness/database';
import { connectDirect } from '../../tests/harness/sql';

const BATCH = 500;

/** A Strapi-like document id (lower-case letters and digits, 24 characters). */
const documentId = (): string =>
  Array.from(randomBytes(24), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

export async function countAdmins(database: Pick<TestDatabase, 'kind' | 'env'>): Promise<number> {
  const sql = await connectDirect(database);
  try {
    const [row] = await sql.query('SELECT COUNT(*) AS n FROM admin_users');
    return Number(row.n);
  } finally {
    await sql.close();
  }
}

/**
 * Adds admin users until the table holds `total` rows: active editors named
 * `seed-<n>@bench.example` (mixed case, as services other than the admin API
 * may store it), each with the editor role. Returns the number added.
 */
export async function seedAdmins(database: Pick<TestDatabase, 'kind' | 'env'>, total: number): Promise<number> {
  const sql = await connectDirect(database);
  try {
    const [{ n }] = await sql.query('SELECT COUNT(*) AS n FROM admin_users');
    const existing = Number(n);
    const missing = Math.max(0, total - existing);
    if (missing === 0) return 0;
    const [role] = await sql.query("SELECT id FROM admin_roles WHERE code = 'strapi-editor'");
    if (!role) throw new Error('seedAdmins: the strapi-editor role does not exist yet (boot Strapi on the database first)');
    const now = database.kind === 'sqlite' ? Date.now() : new Date();
    const tag = randomBytes(3).toString('hex');
    const [yes, no] = database.kind === 'sqlite' ? [1, 0] : [true, false];
    await sql.transaction(async () => {
      for (let start = 0; start < missing; start += BATCH) {
        const rows = Math.min(BATCH, missing - start);
        const params: unknown[] = [];
        for (let i = 0; i < rows; i++) {
          const serial = existing + start + i;
          params.push(documentId(), 'Seed', `User ${serial}`, `Seed-${tag}-${serial}@Bench.example`, yes, no, now, now);
        }
        await sql.query(
          'INSERT INTO admin_users (document_id, firstname, lastname, email, is_active, blocked, created_at, updated_at) VALUES ' +
            Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
          params,
        );
      }
      await sql.query(
        'INSERT INTO admin_users_roles_lnk (user_id, role_id, role_ord, user_ord) ' +
          'SELECT id, ?, 1, id FROM admin_users WHERE email LIKE ?',
        [role.id, `Seed-${tag}-%`],
      );
    });
    // A database that grew to this size over time has planner statistics for it; a bulk insert
    // leaves them at the size Strapi booted with until autovacuum comes by (PostgreSQL), and the
    // planner would then scan rather than use an index.
    if (database.kind === 'postgres') await sql.query('ANALYZE admin_users, admin_users_roles_lnk');
    if (database.kind === 'mysql') await sql.query('ANALYZE TABLE admin_users, admin_users_roles_lnk');
    return missing;
  } finally {
    await sql.close();
  }
}
