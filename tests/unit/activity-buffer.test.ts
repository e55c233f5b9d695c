/**
 * The recorder's buffer against a database that never answers or always
 * fails (a stand-in for Strapi's knex: the recorder is what is under test).
 * The integration suites test it against real databases, and
 * tests/scale/activity-faults.test.ts with connections cut under traffic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '@strapi/strapi';
import { createActivityLog } from '../../server/src/strapi/activity/activity-log';
import { createBackground } from '../../server/src/strapi/infrastructure/background';
import { FIXTURE_MASK } from '../harness/masking';

function fakeStrapi(insert: (rows: unknown[]) => Promise<unknown>) {
  const lines: string[] = [];
  const log = { warn: (l: string) => lines.push(`warn ${l}`), info: (l: string) => lines.push(`info ${l}`), error: (l: string) => lines.push(`error ${l}`) };
  const connection = () => ({ insert });
  return { strapi: { log, db: { connection } } as unknown as Core.Strapi, lines };
}

const entry = (i: number) => ({ kind: 'sign-in' as const, via: 'hand-off' as const, identity: `p${i}@corp.example` });

test('a database that never answers: record() still returns at once, memory stays bounded, the overflow is counted and logged once', async () => {
  let inserts = 0;
  const { strapi, lines } = fakeStrapi(() => {
    inserts++;
    return new Promise(() => {}); // hangs forever
  });
  const log = createActivityLog(strapi, createBackground(strapi), FIXTURE_MASK, { batchSize: 10, maxBuffered: 100, flushEveryMs: 5 });
  for (let i = 0; i < 1_000; i++) log.record(entry(i));
  const stats = log.stats();
  assert.equal(inserts, 1, 'one batch in flight at a time');
  assert.ok(stats.buffered <= 100, `buffered ${stats.buffered}`);
  assert.equal(stats.dropped, 1_000 - 10 - stats.buffered);
  await new Promise((resolve) => setImmediate(resolve));
  const warnings = lines.filter((l) => l.includes('recording sign-in activity failed'));
  assert.equal(warnings.length, 1, lines.join('\n'));
  assert.match(warnings[0], /buffer is full \(100 entries/);
});

test('a database that fails: each failed batch is dropped and counted, logged once per streak, and recording resumes when it works', async () => {
  let failing = true;
  const written: unknown[] = [];
  const { strapi, lines } = fakeStrapi(async (rows) => {
    if (failing) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    written.push(...rows);
  });
  const log = createActivityLog(strapi, createBackground(strapi), FIXTURE_MASK, { batchSize: 5, maxBuffered: 1_000, flushEveryMs: 5 });
  for (let i = 0; i < 23; i++) log.record(entry(i));
  await log.flush();
  assert.deepEqual(log.stats(), { recorded: 0, dropped: 23, buffered: 0 });
  assert.equal(lines.filter((l) => l.includes('recording sign-in activity failed')).length, 1, lines.join('\n'));
  failing = false;
  for (let i = 0; i < 3; i++) log.record(entry(i));
  await log.flush();
  assert.deepEqual(log.stats(), { recorded: 3, dropped: 23, buffered: 0 });
  assert.equal(written.length, 3);
  assert.ok(lines.some((l) => l.includes('recording sign-in activity works again')), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('23 entries were dropped')), lines.join('\n'));
});

test('close() writes what is buffered (shutdown)', async () => {
  const written: unknown[] = [];
  const { strapi } = fakeStrapi(async (rows) => void written.push(...rows));
  const log = createActivityLog(strapi, createBackground(strapi), FIXTURE_MASK, { batchSize: 100, flushEveryMs: 60_000 });
  for (let i = 0; i < 7; i++) log.record(entry(i));
  assert.equal(written.length, 0, 'waits for the batch size or the timer');
  await log.close();
  assert.equal(written.length, 7);
});
