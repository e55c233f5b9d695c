/**
 * The set-up both database-fault suites share: a Strapi process on a database
 * of its own, talking to it through a TCP forwarder the test can cut, with a
 * registered root admin. `stop()` restores the link first, then tears down.
 */
import assert from 'node:assert/strict';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database';
import { request } from './http';
import { startStrapi, type StrapiProcess } from './strapi';
import { connectDirect, type DirectSql } from './sql';
import { startTcpForwarder, type TcpForwarder } from './tcp-forwarder';

export const ROOT = { email: 'root@corp.example', password: 'Sup3rSecret!pass', firstname: 'Root', lastname: 'Admin' };

export interface FaultyDatabase {
  readonly db: TestDatabase;
  readonly sql: DirectSql;
  readonly forwarder: TcpForwarder;
  readonly app: StrapiProcess;
  readonly rootToken: string;
  stop(): Promise<void>;
}

export async function startBehindForwarder(
  kind: DatabaseKind,
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<FaultyDatabase> {
  const db = await createTestDatabase(kind);
  const sql = await connectDirect(db);
  const forwarder = await startTcpForwarder({ host: '127.0.0.1', port: kind === 'postgres' ? 5432 : 3306 });
  const app = await startStrapi({
    mode: 'child',
    database: db,
    config,
    env: { DATABASE_HOST: forwarder.host, DATABASE_PORT: String(forwarder.port), STRAPI_LOG_LEVEL: 'info', ...env },
    superAdmin: false, // registered below
  });
  const registered = await request(app.origin, '/admin/register-admin', { method: 'POST', body: ROOT });
  assert.equal(registered.status, 200, registered.body);
  return {
    db,
    sql,
    forwarder,
    app,
    rootToken: registered.json().data.token,
    async stop() {
      forwarder.restore();
      await app.stop();
      await forwarder.close();
      await sql.close();
      await db.drop();
    },
  };
}
