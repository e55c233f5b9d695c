/**
 * A database failure injected into each piece of work that runs beside a
 * request (or after its answer), while sign-in traffic runs: Strapi must stay
 * up, every request gets an answer (302, or a 503 for the one that lost its
 * connection), and the failure is logged once with its reason.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/background-faults.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/background-faults.test.ts
 *
 * The forwarder between Strapi and the database resets exactly the connection
 * that sends a query matching a pattern (tcp-forwarder's failQuery), so each
 * fault hits the work it names and nothing else.
 *
 * Found this way (issue #15): Strapi's admin user service starts a metrics
 * query (`sendDidInviteUser`: count users, count roles) after creating a user
 * and never awaits it; when the database connection breaks at that moment the
 * rejection is unhandled and Node 20 ends the process. Every first sign-in
 * creates a user through that service.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKind, type TestDatabase } from '../harness/database';
import { request, type TestResponse } from '../harness/http';
import { ROOT, startBehindForwarder, type FaultyDatabase } from '../harness/faulty-database';
import { failOnProcessDeath, type StrapiProcess } from '../harness/strapi';
import { type DirectSql } from '../harness/sql';
import type { QueryFault, TcpForwarder } from '../harness/tcp-forwarder';

const kind = databaseKind();
const skip =
  kind === 'sqlite'
    ? 'needs a database server reached over TCP (SQLite is a local file, there is no connection to cut); run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

/**
 * Strapi's admin metrics run only with its telemetry on (with it off the plugin
 * skips them: background.ts); on, so the metrics faults below have a query to
 * cut. Events go to a closed local port, never to Strapi's analytics server.
 */
const TELEMETRY_ON = { STRAPI_TELEMETRY_DISABLED: 'false', STRAPI_ANALYTICS_URL: 'http://127.0.0.1:9' };

// These suites create hundreds of accounts on purpose: no creation ceiling.
const CONFIG = { autoCreate: true, trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
const run = Math.random().toString(36).slice(2, 8);
/** Identifiers are quoted "like this" by PostgreSQL, `like this` by MySQL. */
const q = (name: string) => `[\`"]${name}[\`"]`;

let db: TestDatabase;
let sql: DirectSql;
let forwarder: TcpForwarder;
let app: StrapiProcess;
let rootToken = '';

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The fault's hit, or a clear failure if the work it targets never ran. */
const hitWithin = (fault: QueryFault, ms: number, what: string): Promise<string> => {
  let timer: NodeJS.Timeout;
  return Promise.race([
    fault.hit.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        fault.cancel();
        reject(new Error(`${what} was not seen within ${ms} ms: nothing was tested`));
      }, ms);
    }),
  ]);
};
/** Polls `done` until it holds or `ms` have passed; false on the deadline. */
const until = async (done: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> => {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await done()) return true;
    await sleep(every);
  }
  return done();
};
/** What a log line says about a broken database connection (pg and mysql2 wording). */
const CONNECTION_PROBLEM = /ECONNRESET|EPIPE|Connection terminated|connection error|Connection lost|closed state|not queryable|reset/i;
const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: unknown }>(query, params))[0].n);

const login = (identity: string): Promise<TestResponse> =>
  app.watch(request(app.origin, '/remote-auth/login', { headers: { 'Remote-User': identity, Accept: 'application/json' } }));

const admin = (method: string, path: string, body?: unknown) =>
  app.watch(request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${rootToken}`, Accept: 'application/json' } }));

/**
 * Sign-in traffic until stop(): known identities (signing in again) and new
 * ones (created). Resolves with every answer's status and identity.
 */
function traffic(label: string, workers = 4) {
  let running = true;
  let stopping: Promise<typeof answers> | null = null;
  let n = 0;
  const answers: Array<{ identity: string; status: number | string }> = [];
  const known = Array.from({ length: 6 }, (_, i) => `${label}-known-${i}@corp.example`);
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const i = n++;
      const identity = i % 2 === 0 ? known[i % known.length] : `${label}-new-${w}-${i}@corp.example`;
      const status = await login(identity).then(
        (res) => res.status,
        (error: Error) => (error.name === 'StrapiProcessDied' ? Promise.reject(error) : `${error.message}`),
      );
      answers.push({ identity, status });
    }
  });
  for (const loop of loops) loop.catch(() => {}); // reported by stop()
  return {
    answers,
    /** Lets a few more answers come (traffic after the fault), then stops; safe to call twice. */
    stop() {
      stopping ??= (async () => {
        const until = answers.length + 8;
        for (let waited = 0; running && answers.length < until && waited < 30_000; waited += 20) await sleep(20);
        running = false;
        await Promise.all(loops);
        return answers;
      })();
      return stopping;
    },
  };
}

function tally(answers: Array<{ status: number | string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { status } of answers) out[status] = (out[status] ?? 0) + 1;
  return out;
}

/** Every answer is a 302, or (for the requests that lost their connection) a 503; never a 500 or a broken connection. */
function assertAnswered(answers: Array<{ status: number | string }>, max503: number): void {
  const counts = tally(answers);
  const other = Object.keys(counts).filter((status) => status !== '302' && status !== '503');
  assert.deepEqual(other, [], `answers other than 302/503: ${JSON.stringify(counts)}`);
  assert.ok((counts['503'] ?? 0) <= max503, `more 503s than requests that lost their connection: ${JSON.stringify(counts)}`);
  assert.ok((counts['302'] ?? 0) > 0, `no sign-in went through: ${JSON.stringify(counts)}`);
}

/** Lines of the log since `mark` that match `pattern`. */
const linesSince = (mark: number, pattern: RegExp) =>
  plain(app.outputSince(mark))
    .split('\n')
    .filter((line) => pattern.test(line));

describe(`database failures in work beside the requests (${kind})`, { skip }, () => {
  failOnProcessDeath(() => [app]);

  let env: FaultyDatabase | undefined;
  before(async () => {
    env = await startBehindForwarder(kind, CONFIG, TELEMETRY_ON);
    ({ db, sql, forwarder, app, rootToken } = env);
  });

  after(() => env?.stop());

  test("Strapi's own metrics query after creating an admin user (count users): the process stays up, the failure is logged once", async () => {
    const mark = app.output().length;
    const load = traffic(`metrics-${run}`);
    await sleep(300);
    // Strapi: user.create → emitUserCreated → metrics.sendDidInviteUser(), not awaited:
    // select count("t0"."id") as "count" from "admin_users" as "t0" limit $1, then the same on admin_roles.
    // This is Strapi's query; the plugin's only count of admin users (is there an active Super
    // Admin? super-admin-gate.ts) is a count(distinct …) joined to the roles, left alone here.
    const fault = forwarder.failQuery(new RegExp(`count\\((?!distinct )[^)]*\\)[^]*from ${q('admin_users')}`, 'i'));
    const text = await hitWithin(fault, 20_000, "Strapi's user count after a creation").finally(() => load.stop());
    const answers = await load.stop();
    await app.assertAlive(2_000); // an unhandled rejection ends the process within a tick; give it time to show
    assertAnswered(answers, 4);
    const logged = linesSince(mark, /\[remote-auth\] Strapi admin metrics.*failed/);
    assert.equal(logged.length, 1, `expected one log line for the failed metrics query (cut: ${text}), got:\n${logged.join('\n')}`);
    assert.match(logged[0], CONNECTION_PROBLEM, 'the line says why');
  });

  test('the settings refresh in the background fails: sign-ins go on with the last known settings; logged once', async () => {
    const mark = app.output().length;
    const load = traffic(`settings-${run}`);
    // The refresh runs (at most) every 2 s, started by a request, not awaited by it.
    const fault = forwarder.failQuery(new RegExp(`from ${q('strapi_core_store_settings')}`, 'i'), 3);
    // The next refresh (2 s later) fails too: failing again must not log again. Wait for that second cut.
    await hitWithin(fault, 20_000, 'a settings refresh')
      .then(() => until(() => fault.hits() >= 2, 20_000))
      .finally(() => load.stop());
    const answers = await load.stop();
    fault.cancel();
    assert.ok(fault.hits() >= 2, `the settings refresh was cut ${fault.hits()} time(s): "logged once" would prove nothing`);
    await app.assertAlive(2_000);
    assertAnswered(answers, 3);
    const logged = linesSince(mark, /\[remote-auth\] refreshing the stored settings.*failed/);
    assert.equal(logged.length, 1, `the failure is logged once, not on every retry:\n${logged.join('\n')}`);
    assert.match(logged[0], CONNECTION_PROBLEM, 'the line says why');
  });

  test('the last-seen write of a returning user fails: the sign-in still succeeds; logged with the reason', async () => {
    const identity = `returning-${run}@corp.example`;
    assert.equal((await login(identity)).status, 302); // created (its link written by the creation; no last-seen write)
    const mark = app.output().length;
    // Last-seen is an UPDATE of the existing link (links are only created by a sign-in's own transaction).
    // Armed while nothing else signs in: the first such UPDATE is this returning sign-in's own.
    const fault = forwarder.failQuery(new RegExp(`update ${q('remote_auth_identities')} set ${q('last_seen_at')}`, 'i'));
    const res = await login(identity); // signs in again: records last-seen (its first time on this instance)
    await hitWithin(fault, 5_000, "the returning sign-in's last-seen write");
    assert.equal(res.status, 302, `the sign-in whose last-seen write was cut answered ${res.status}: ${res.body.slice(0, 300)}`);
    // Then sign-in traffic (the fault is spent): all of it works.
    const load = traffic(`seen-${run}`, 2);
    const answers = await load.stop();
    await app.assertAlive(2_000);
    assert.equal(fault.hits(), 1);
    assertAnswered(answers, 0);
    assert.ok(
      await until(() => linesSince(mark, /\[remote-auth\] recording when identities were last seen failed/i).length >= 1, 5_000),
      'no log line for the failed last-seen write',
    );
    assert.match(linesSince(mark, /\[remote-auth\] recording when identities were last seen failed/i)[0], CONNECTION_PROBLEM, 'the line says why');
  });

  test('the role list reload fails: that sign-in gets a 503, the next ones work', async () => {
    const load = traffic(`roles-${run}`);
    // Kept a few seconds (cleared at once when a role changes); reloaded by the first sign-in after that.
    const fault = forwarder.failQuery(new RegExp(`${q('code')}[^]*${q('name')}[^]*from ${q('admin_roles')}`, 'i'));
    await hitWithin(fault, 20_000, 'a role list reload').finally(() => load.stop());
    const answers = await load.stop();
    await app.assertAlive(2_000);
    assertAnswered(answers, 4);
    assert.equal((await login(`after-roles-${run}@corp.example`)).status, 302);
  });

  test('the link clean-up after an admin user is deleted fails: Strapi answers and stays up', async () => {
    const identity = `doomed-${run}@corp.example`;
    assert.equal((await login(identity)).status, 302);
    const [{ id }] = await sql.query<{ id: number }>('SELECT id FROM admin_users WHERE LOWER(email) = ?', [identity]);
    const load = traffic(`delete-${run}`, 2);
    const fault = forwarder.failQuery(new RegExp(`delete from ${q('remote_auth_identities')}`, 'i'));
    const deleted = await admin('DELETE', `/admin/users/${id}`);
    await hitWithin(fault, 5_000, 'the link clean-up after the deletion').finally(() => load.stop());
    const answers = await load.stop();
    await app.assertAlive(2_000);
    // The clean-up runs after the user row is gone and is settled: the deletion stands and answers 200.
    assert.equal(deleted.status, 200, `DELETE answered ${deleted.status}: ${deleted.body.slice(0, 300)}`);
    assertAnswered(answers, 2);
    // Whatever happened to the link row, the identity signs in again (a link to a missing user is forgotten).
    assert.equal((await login(identity)).status, 302);
    assert.equal(await count('SELECT COUNT(*) AS n FROM admin_users WHERE LOWER(email) = ?', [identity]), 1);
  });
});
