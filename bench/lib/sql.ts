/**
 * Read-only SQL straight on a bench database, from the bench process: B4
 * counts rows itself instead of trusting the server it measures.
 */
import type { TestDatabase } from '../../tests/harness/database';

export interface Sql {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  version(): Promise<string>;
  close(): Promise<void>;
}

export async function connect(database: Pick<TestDatabase, 'kind' | 'env'>): Promise<Sql> {
  if (database.kind === 'sqlite') {
    type Statement = { all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
    type Connection = { prepare(sql: string): Statement; close(): void };
    const Database = require('better-sqlite3') as new (file: string, options: object) => Connection;
    const db = new Database(database.env.DATABASE_FILENAME, { readonly: true, fileMustExist: true });
    return {
      async query(sql, params = []) {
        return db.prepare(sql).all(...params) as never;
      },
      async version() {
        return `SQLite ${(db.prepare('select sqlite_version() as v').get() as { v: string }).v}`;
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
      async query(sql, params = []) {
        let n = 0;
        return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params as unknown[])).rows;
      },
      async version() {
        return String((await client.query('show server_version')).rows[0].server_version).replace(/^/, 'PostgreSQL ');
      },
      close: () => client.end(),
    };
  }
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: database.env.DATABASE_NAME });
  return {
    async query(sql, params = []) {
      const [rows] = await connection.query(sql, params);
      return rows as never;
    },
    async version() {
      const [rows] = await connection.query('select version() as v');
      const v = String((rows as Array<{ v: string }>)[0].v);
      return v.toLowerCase().includes('mariadb') ? `MariaDB ${v}` : `MySQL ${v}`;
    },
    close: () => connection.end(),
  };
}
