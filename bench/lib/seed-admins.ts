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

const BATCH = 500;

interface Writer {
  run(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  transaction(work: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

async function writer(database: Pick<TestDatabase, 'kind' | 'env'>): Promise<Writer> {
  if (database.kind === 'sqlite') {
    type Statement = { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown; reader: boolean };
    type Connection = { prepare(sql: string): Statement; exec(sql: string): void; pragma(sql: string): unknown; close(): void };
    const Database = require('better-sqlite3') as new (file: string, options: object) => Connection;
    const db = new Database(database.env.DATABASE_FILENAME, { fileMustExist: true, timeout: 30_000 });
    return {
      async run(sql, params = []) {
        const statement = db.prepare(sql);
        return statement.reader ? (statement.all(...params) as Array<Record<string, unknown>>) : (statement.run(...params), []);
      },
      async transaction(work) {
        db.exec('BEGIN IMMEDIATE');
        try {
          await work();
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      },
      async close() {
        db.close();
      },
    };
  }
  if (database.kind === 'postgres') {
    const { Client } = require('pg') as typeof import('pg');
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: database.env.DATABASE_NAME });
    await client.connect();
    return {
      async run(sql, params = []) {
        let n = 0;
        return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
      },
      async transaction(work) {
        await client.query('BEGIN');
        try {
          await work();
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      },
      close: () => client.end(),
    };
  }
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: database.env.DATABASE_NAME });
  return {
    async run(sql, params = []) {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    },
    async transaction(work) {
      await connection.beginTransaction();
      try {
        await work();
        await connection.commit();
      } catch (error) {
        await connection.rollback();
        throw error;
      }
    },
    close: () => connection.end(),
  };
}

/** A Strapi-like document id (lower-case letters and digits, 24 characters). */
const documentId = (): string =>
  Array.from(randomBytes(24), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

export async function countAdmins(database: Pick<TestDatabase, 'kind' | 'env'>): Promise<number> {
  const sql = await writer(database);
  try {
    const [row] = await sql.run('SELECT COUNT(*) AS n FROM admin_users');
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
  const sql = await writer(database);
  try {
    const [{ n }] = await sql.run('SELECT COUNT(*) AS n FROM admin_users');
    const existing = Number(n);
    const missing = Math.max(0, total - existing);
    if (missing === 0) return 0;
    const [role] = await sql.run("SELECT id FROM admin_roles WHERE code = 'strapi-editor'");
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
        await sql.run(
          'INSERT INTO admin_users (document_id, firstname, lastname, email, is_active, blocked, created_at, updated_at) VALUES ' +
            Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
          params,
        );
      }
      await sql.run(
        'INSERT INTO admin_users_roles_lnk (user_id, role_id, role_ord, user_ord) ' +
          'SELECT id, ?, 1, id FROM admin_users WHERE email LIKE ?',
        [role.id, `Seed-${tag}-%`],
      );
    });
    // A database that grew to this size over time has planner statistics for it; a bulk insert
    // leaves them at the size Strapi booted with until autovacuum comes by (PostgreSQL), and the
    // planner would then scan rather than use an index.
    if (database.kind === 'postgres') await sql.run('ANALYZE admin_users, admin_users_roles_lnk');
    if (database.kind === 'mysql') await sql.run('ANALYZE TABLE admin_users, admin_users_roles_lnk');
    return missing;
  } finally {
    await sql.close();
  }
}
