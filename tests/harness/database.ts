import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A database of its own for every test run, so concurrent or repeated runs
 * never collide. TEST_DB selects the engine: sqlite (default), postgres, mysql.
 */
export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';

export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export const databaseKind = (): DatabaseKind => {
  const kind = (process.env.TEST_DB ?? 'sqlite') as DatabaseKind;
  if (!['sqlite', 'postgres', 'mysql'].includes(kind)) throw new Error(`TEST_DB must be sqlite, postgres or mysql, not "${kind}"`);
  return kind;
};

export async function createTestDatabase(kind: DatabaseKind = databaseKind()): Promise<TestDatabase> {
  const name = `remote_auth_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'remote-auth-db-'));
    return {
      kind,
      env: { TEST_DB: 'sqlite', DATABASE_FILENAME: join(dir, 'data.db') },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'postgres') {
    const { Client } = require('pg') as typeof import('pg');
    const admin = async (sql: string) => {
      const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    return {
      kind,
      env: { TEST_DB: 'postgres', DATABASE_NAME: name },
      drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const admin = async (sql: string) => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return { kind, env: { TEST_DB: 'mysql', DATABASE_NAME: name }, drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}
