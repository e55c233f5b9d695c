/**
 * The activity recorder when the database fails its writes under sign-in
 * traffic: every sign-in still succeeds (302), the lost batches are counted
 * (the Activity page shows the count), the failure is logged once for the
 * streak, and recording resumes by itself.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/activity-faults.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/activity-faults.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKind } from '../harness/database';
import { request, type TestResponse } from '../harness/http';
import { startBehindForwarder, type FaultyDatabase } from '../harness/faulty-database';
import { failOnProcessDeath } from '../harness/strapi';

const kind = databaseKind();
const skip =
  kind === 'sqlite'
    ? 'needs a database server reached over TCP (SQLite is a local file, there is no connection to cut); run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

const CONFIG = { autoCreate: true, trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
const run = Math.random().toString(36).slice(2, 8);
const q = (name: string) => `[\`"]${name}[\`"]`;
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`activity writes failing under sign-in traffic (${kind})`, { skip }, () => {
  let env: FaultyDatabase | undefined;
  failOnProcessDeath(() => [env?.app]);
  before(async () => {
    env = await startBehindForwarder(kind, CONFIG);
  });
  after(() => env?.stop());

  const login = (identity: string): Promise<TestResponse> =>
    env!.app.watch(request(env!.app.origin, '/remote-auth/login', { headers: { 'Remote-User': identity, Accept: 'application/json' } }));

  test('three activity inserts cut: every sign-in answers 302, the drops are counted and logged once, recording resumes', async () => {
    const { app, forwarder, sql, rootToken } = env!;
    const mark = app.output().length;
    const fault = forwarder.failQuery(new RegExp(`insert into ${q('remote_auth_activity')}`, 'i'), 3);
    const statuses: number[] = [];
    let i = 0;
    // Sign-ins until the three batches were cut (the recorder flushes about every second), and a few more after.
    const workers = Array.from({ length: 4 }, async (_, w) => {
      while (fault.hits() < 3 && i < 2_000) statuses.push((await login(`load-${run}-${w}-${i++ % 20}@corp.example`)).status);
    });
    await Promise.race([Promise.all(workers), sleep(60_000)]);
    fault.cancel();
    assert.equal(fault.hits(), 3, 'the activity inserts were not cut: nothing was tested');
    for (let n = 0; n < 10; n++) statuses.push((await login(`after-${run}-${n}@corp.example`)).status);
    await app.assertAlive(2_000);
    assert.deepEqual([...new Set(statuses)], [302], `every sign-in succeeds: ${JSON.stringify(statuses.filter((s) => s !== 302))}`);

    const summary = await request(app.origin, '/remote-auth/activity/summary', { headers: { Authorization: `Bearer ${rootToken}`, Accept: 'application/json' } });
    assert.equal(summary.status, 200, summary.body);
    const { dropped } = summary.json().data.recorder;
    // A cut batch is retried row by row, so three cut inserts lose between one entry (three
    // one-row batches) and three (a batch, then its first two rows); never zero, never more.
    assert.ok(dropped >= 1 && dropped <= 3, `dropped entries counted: ${dropped}`);

    // Recording resumed: the sign-ins after the fault are in the table (written within a couple of flushes).
    let recorded = 0;
    for (let waited = 0; waited < 10_000 && recorded < 10; waited += 250) {
      recorded = Number(
        (await sql.query<{ n: unknown }>(`SELECT count(*) AS n FROM "remote_auth_activity" WHERE "kind" = 'sign-in' AND "identity" LIKE ?`, [`after-${run}-%`]))[0].n,
      );
      if (recorded < 10) await sleep(250);
    }
    assert.equal(recorded, 10);

    const log = plain(app.outputSince(mark)).split('\n');
    const failed = log.filter((line) => line.includes('recording sign-in activity failed'));
    assert.equal(failed.length, 1, `logged once for the streak:\n${failed.join('\n')}`);
    assert.ok(log.some((line) => line.includes('recording sign-in activity works again')));
    assert.ok(log.some((line) => /sign-in activity: \d+ entries were dropped while the database was unavailable/.test(line)));
    console.log(`# figure [${kind}] ${statuses.length} sign-ins during the fault, all 302; ${dropped} activity entries dropped`);
  });
});
