/**
 * Retention of the sign-in activity with two Strapi processes (A and B) on one
 * PostgreSQL or MariaDB database: both offer to prune every second, exactly
 * one of them prunes (the lease), old rows go, recent rows stay.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/activity-retention.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/activity-retention.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKind, type TestDatabase } from '../harness/database';
import { request } from '../harness/http';
import { failOnProcessDeath, startStrapi, type StrapiProcess } from '../harness/strapi';
import { connectDirect, type DirectSql } from '../harness/sql';

const kind = databaseKind();
const skip =
  kind === 'sqlite'
    ? 'needs a database server: SQLite is one file and cannot be shared by several Strapi processes; run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

const CONFIG = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, activityRetentionDays: 30 };
// Both instances offer to prune every second (the default is hourly).
const ENV = { STRAPI_LOG_LEVEL: 'info', REMOTE_AUTH_RETENTION_INTERVAL_MS: '1000' };
const DAY_MS = 86_400_000;
const OLD = 20_000;

let db: TestDatabase;
let sql: DirectSql;
let a: StrapiProcess;
let b: StrapiProcess;

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const pruneLines = (app: StrapiProcess, mark: number) =>
  plain(app.outputSince(mark))
    .split('\n')
    .filter((line) => line.includes('activity retention: deleted'));
const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: unknown }>(query, params))[0].n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`activity retention with two Strapi processes on one ${kind} database`, { skip }, () => {
  failOnProcessDeath(() => [a, b]);
  before(async () => {
    db = await createTestDatabase(kind);
    sql = await connectDirect(db);
    a = await startStrapi({ mode: 'child', database: db, config: CONFIG, env: ENV });
    b = await startStrapi({ mode: 'child', database: db, config: CONFIG, env: ENV });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sql?.close();
    await db?.drop();
  });

  test(`${OLD} rows past the retention are deleted by exactly one instance; recent rows and sign-ins stay`, async () => {
    // A sign-in on each instance: rows both instances recorded themselves.
    for (const app of [a, b]) {
      const res = await request(app.origin, '/remote-auth/login', { headers: { 'Remote-User': 'kept.person@corp.example', Accept: 'application/json' } });
      assert.equal(res.status, 302, res.body);
    }
    const now = Date.now();
    const values: unknown[] = [];
    const rows: string[] = [];
    const insertBatch = async () => {
      if (rows.length === 0) return;
      await sql.query(`INSERT INTO "remote_auth_activity" ("at", "day", "kind", "identity", "instance") VALUES ${rows.join(',')}`, values);
      rows.length = 0;
      values.length = 0;
    };
    // Hold the lease while seeding, so that nobody prunes a half-seeded table.
    await sql.query(`UPDATE "remote_auth_leases" SET "holder" = 'seeding', "expires_at" = ? WHERE "name" = 'activity-retention'`, [now + 600_000]);
    const marks: [number, number] = [a.output().length, b.output().length];
    for (let i = 0; i < OLD; i++) {
      const at = now - 31 * DAY_MS - i * 1000;
      rows.push('(?, ?, ?, ?, ?)');
      values.push(at, new Date(at).toISOString().slice(0, 10), 'sign-in', `old-${i}@corp.example`, 'seed');
      if (rows.length === 1000) await insertBatch();
    }
    for (const at of [now - 29 * DAY_MS, now - DAY_MS]) {
      rows.push('(?, ?, ?, ?, ?)');
      values.push(at, new Date(at).toISOString().slice(0, 10), 'sign-in', 'recent@corp.example', 'seed');
    }
    await insertBatch();
    assert.equal(await count(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "instance" = 'seed'`), OLD + 2);
    // Release: both instances race for it at their next tick.
    await sql.query(`UPDATE "remote_auth_leases" SET "expires_at" = 0 WHERE "name" = 'activity-retention'`);

    for (let waited = 0; waited < 60_000; waited += 250) {
      if ((await count(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "at" < ?`, [now - 30 * DAY_MS])) === 0) break;
      await sleep(250);
    }
    assert.equal(await count(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "at" < ?`, [now - 30 * DAY_MS]), 0, 'old rows left after 60 s');
    // A few more runs with nothing left to delete log nothing. The positive signal that they happened: the
    // holder renews the lease at each run (expires_at moves on); wait for two renewals, with a deadline.
    const expiresAt = async () =>
      Number((await sql.query<{ expires_at: unknown }>(`SELECT "expires_at" FROM "remote_auth_leases" WHERE "name" = 'activity-retention'`))[0].expires_at);
    const renewals: number[] = [await expiresAt()];
    for (const deadline = Date.now() + 30_000; renewals.length < 3 && Date.now() < deadline; await sleep(100)) {
      const current = await expiresAt();
      if (current !== renewals[renewals.length - 1]) renewals.push(current);
    }
    assert.ok(renewals.length >= 3, `the lease holder ran ${renewals.length - 1} more time(s) within 30 s: "nothing more logged" would prove nothing`);
    assert.equal(await count(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "identity" = 'recent@corp.example'`), 2);
    assert.ok((await count(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "kind" = 'sign-in' AND "identity" = 'kept.person@corp.example'`)) >= 2);

    const lines = [...pruneLines(a, marks[0]).map((l) => `A ${l}`), ...pruneLines(b, marks[1]).map((l) => `B ${l}`)];
    assert.equal(lines.length, 1, `exactly one instance prunes, once:\n${lines.join('\n')}`);
    assert.match(lines[0], new RegExp(`deleted ${OLD} rows older than 30 days`));
    const [lease] = await sql.query<{ holder: string }>(`SELECT "holder" FROM "remote_auth_leases" WHERE "name" = 'activity-retention'`);
    assert.match(lease.holder, /:\d+:[0-9a-f]{8}$/, 'the lease names an instance');
    console.log(`# figure [${kind}] ${lines[0]}`);
  });
});
