/**
 * Direct SQL on a test or bench database, from the test (or bench) process:
 * to check rows without going through the Strapi under test, or to fill a
 * database faster than Strapi's services would (bench B7).
 *
 *   const sql = await connectDirect(db);                     // read-write
 *   const sql = await connectDirect(db, { readonly: true }); // SQLite opened read-only
 *   const rows = await sql.query('SELECT … WHERE "email" = ?', [email]);
 *   await sql.close();
 *
 * `?` placeholders on every engine; identifiers written as "name" are quoted
 * for the engine (MySQL/MariaDB: `name`).
 */
import type { TestDatabase } from './database';

export interface DirectSql {
  /** Rows of a reading statement; [] for a writing one. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` (which uses `query`) in one transaction; rolls back when it throws. */
  transaction(work: () => Promise<void>): Promise<void>;
  /** The engine and its version, e.g. "PostgreSQL 16.4". */
  version(): Promise<string>;
  close(): Promise<void>;
}

export async function connectDirect(database: Pick<TestDatabase, 'kind' | 'env'>, options: { readonly?: boolean } = {}): Promise<DirectSql> {
  if (database.kind === 'sqlite') {
    type Statement = { all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown; run(...params: unknown[]): unknown; reader: boolean };
    type Connection = { prepare(sql: string): Statement; exec(sql: string): void; close(): void };
    const Database = require('better-sqlite3') as new (file: string, options: object) => Connection;
    const db = new Database(
      database.env.DATABASE_FILENAME,
      options.readonly ? { readonly: true, fileMustExist: true } : { fileMustExist: true, timeout: 30_000 },
    );
    return {
      async query(sql, params = []) {
        const statement = db.prepare(sql);
        return statement.reader ? (statement.all(...params) as never) : (statement.run(...params), []);
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
      async version() {
        return `SQLite ${(db.prepare('select sqlite_version() as v').get() as { v: string }).v}`;
      },
      async close() {
        db.close();
      },
    };
  }
  const name = database.env.DATABASE_NAME;
  if (database.kind === 'postgres') {
    const { Client } = require('pg') as typeof import('pg');
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: name });
    await client.connect();
    return {
      async query(sql, params = []) {
        let n = 0;
        const text = sql.replace(/\?/g, () => `$${++n}`);
        return (await client.query(text, params as unknown[])).rows;
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
      async version() {
        return `PostgreSQL ${String((await client.query('show server_version')).rows[0].server_version)}`;
      },
      close: () => client.end(),
    };
  }
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: name });
  return {
    async query(sql, params = []) {
      const [rows] = await connection.query(sql.replace(/"([A-Za-z_][A-Za-z0-9_]*)"/g, '`$1`'), params);
      return Array.isArray(rows) ? (rows as never) : [];
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
    async version() {
      const [rows] = await connection.query('select version() as v');
      const v = String((rows as Array<{ v: string }>)[0].v);
      return v.toLowerCase().includes('mariadb') ? `MariaDB ${v}` : `MySQL ${v}`;
    },
    close: () => connection.end(),
  };
}
