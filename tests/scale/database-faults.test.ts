/**
 * Database faults: one Strapi process whose database connection runs through
 * a TCP forwarder the test can cut and restore (the shared database server
 * itself is never stopped).
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/database-faults.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/database-faults.test.ts
 *
 * - database unreachable → first logins get a fast 503 (JSON for API clients,
 *   an HTML page for browsers), never a 500 or a hang, and leave no rows;
 * - a cut in the middle of traffic leaves every identity all-or-nothing;
 * - after restore, logins work again without a restart;
 * - a deleted default role refuses new users (403 no-role), no roleless user.
 *
 * Figures (503 latency, recovery time) are printed as `# figure …` diagnostics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKind, type TestDatabase } from '../harness/database';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { ROOT, startBehindForwarder, type FaultyDatabase } from '../harness/faulty-database';
import { failOnProcessDeath, type StrapiProcess } from '../harness/strapi';
import { type DirectSql } from '../harness/sql';
import type { TcpForwarder } from '../harness/tcp-forwarder';

const kind = databaseKind();
const skip =
  kind === 'sqlite'
    ? 'needs a database server reached over TCP (SQLite is a local file, there is no connection to cut); run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

// These suites create hundreds of accounts on purpose: no creation ceiling.
const CONFIG = { autoCreate: true, trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
/** A login must be answered within this, database or not. */
const ANSWER_WITHIN_MS = 15_000;
const RECOVERY_WITHIN_MS = 20_000;
const run = Math.random().toString(36).slice(2, 8);

let db: TestDatabase;
let sql: DirectSql;
let forwarder: TcpForwarder;
let app: StrapiProcess;
let rootToken = '';

const figure = (text: string) => console.log(`# figure [${kind}] ${text}`);
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves with null after `ms`, without keeping the test process alive. */
const giveUpAfter = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());

interface Timed {
  readonly res: TestResponse;
  readonly ms: number;
}

/** A request that must be answered within `ms`; resolves with the answer and how long it took. */
async function timed(promise: Promise<TestResponse>, ms: number, what: string): Promise<Timed> {
  const started = Date.now();
  let timer: NodeJS.Timeout;
  const res = await Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms);
    }),
  ]);
  return { res, ms: Date.now() - started };
}

const login = (identity: string, accept: 'json' | 'html' = 'json', ms = ANSWER_WITHIN_MS) =>
  timed(
    app.watch(
      request(app.origin, '/remote-auth/login', {
        headers: { 'Remote-User': identity, Accept: accept === 'json' ? 'application/json' : BROWSER.Accept },
      }),
    ),
    ms,
    `login of ${identity}`,
  );

const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.watch(request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${rootToken}`, Accept: 'application/json', ...headers } }));

const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: unknown }>(query, params))[0].n);

/**
 * users and link rows an identity has in the database: [users, links, links pointing at that user].
 * One statement, so one snapshot: a sign-in that answered 503 at its deadline may still commit
 * once a silent partition heals, and three separate reads could straddle that commit.
 */
async function rowsOf(email: string): Promise<[number, number, number]> {
  const [row] = await sql.query<{ users: unknown; links: unknown; matching: unknown }>(
    'SELECT (SELECT COUNT(*) FROM admin_users WHERE LOWER(email) = ?) AS users, ' +
      '(SELECT COUNT(*) FROM remote_auth_identities WHERE subject = ?) AS links, ' +
      '(SELECT COUNT(*) FROM remote_auth_identities i JOIN admin_users u ON u.id = i.user_id WHERE i.subject = ? AND LOWER(u.email) = ?) AS matching',
    [email, email, email, email],
  );
  return [Number(row.users), Number(row.links), Number(row.matching)];
}

const roleless = () => count('SELECT COUNT(*) AS n FROM admin_users u WHERE NOT EXISTS (SELECT 1 FROM admin_users_roles_lnk l WHERE l.user_id = u.id)');

/** A 503 refusal in the plugin's format: JSON for API clients, a page for browsers; no stack, no session. */
function assertUnavailable({ res }: Timed, accept: 'json' | 'html'): void {
  const detail = `${res.status} ${String(res.headers['content-type'])}: ${res.body.slice(0, 400)}`;
  assert.equal(res.status, 503, detail);
  assert.doesNotMatch(res.body, /\n\s+at |Error:|knex|ECONN|Connection terminated/i, `internals leaked: ${detail}`);
  assert.equal(res.cookies.jwtToken, undefined, 'a session cookie on a failed sign-in');
  assert.equal(res.cookies.strapi_admin_refresh, undefined, 'a refresh cookie on a failed sign-in');
  if (accept === 'json') {
    assert.match(String(res.headers['content-type']), /application\/json/, detail);
    const body = res.json();
    assert.equal(body.error.details.code, 'service-unavailable', detail);
    assert.equal(body.error.status, 503);
    assert.match(body.error.message, /temporarily unavailable/i);
  } else {
    assert.match(String(res.headers['content-type']), /text\/html/, detail);
    assert.match(res.body, /<html/i);
    assert.match(res.body, /temporarily unavailable/i);
    assert.match(res.body, /service-unavailable/);
  }
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/** Polls with new identities until one signs in; returns [ms since `since`, identity]. */
async function recovery(since: number, prefix: string): Promise<[number, string]> {
  for (let i = 0; ; i++) {
    const identity = `${prefix}-${i}@corp.example`;
    const { res } = await login(identity);
    if (res.status === 302) return [Date.now() - since, identity];
    assert.equal(res.status, 503, `while recovering: ${res.status} ${res.body.slice(0, 300)}`);
    if (Date.now() - since > RECOVERY_WITHIN_MS) return [Infinity, identity];
    await sleep(200);
  }
}

describe(`a ${kind} database that goes away`, { skip }, () => {
  failOnProcessDeath(() => [app]);
  let env: FaultyDatabase | undefined;
  before(async () => {
    env = await startBehindForwarder(kind, CONFIG);
    ({ db, sql, forwarder, app, rootToken } = env);
  });

  after(() => env?.stop());

  test('warm-up: through the forwarder, a known user and a new user sign in', async () => {
    assert.ok(forwarder.acceptedConnections() > 0, 'Strapi does not talk to the database through the forwarder');
    assert.equal((await login(ROOT.email)).res.status, 302);
    const fresh = `warm-${run}@corp.example`;
    assert.equal((await login(fresh)).res.status, 302);
    assert.deepEqual(await rowsOf(fresh), [1, 1, 1]);
  });

  const cut = Array.from({ length: 6 }, (_, i) => `cut-${run}-${i}@corp.example`);

  test('database cut: first logins get a fast 503 (JSON / HTML page), never a 500 or a hang, and leave no rows', async () => {
    forwarder.sever();
    const severedAt = Date.now();
    const latencies: number[] = [];
    // Round 1 right after the cut (pooled connections just died), round 2 a moment later (new connections refused).
    for (const round of [1, 2]) {
      const answers = await Promise.all(
        cut.map(async (identity, i) => {
          const accept = i % 2 === 0 ? ('json' as const) : ('html' as const);
          return { accept, answer: await login(identity, accept) };
        }),
      );
      for (const { accept, answer } of answers) {
        latencies.push(answer.ms);
        assertUnavailable(answer, accept);
      }
      figure(`503 latency, round ${round} (${round === 1 ? 'right after the cut' : '1 s later'}): ${answers.map((a) => a.answer.ms).join(', ')} ms`);
      await sleep(1000);
    }
    // A known user during the outage: also a clean 503, not a 500.
    const known = await login(ROOT.email, 'html');
    assertUnavailable(known, 'html');
    figure(`503 latency: median ${median(latencies)} ms, max ${Math.max(...latencies)} ms (known user ${known.ms} ms), outage ${Date.now() - severedAt} ms so far`);
    assert.ok(Math.max(...latencies) <= ANSWER_WITHIN_MS);

    // Still alive, and nothing half-written (checked on a direct connection, not through the forwarder).
    assert.equal(app.exited(), null, 'Strapi died');
    for (const identity of cut) assert.deepEqual(await rowsOf(identity), [0, 0, 0], `rows left for ${identity}`);
    const log = plain(app.output());
    assert.match(log, /refused \(service-unavailable\) GET \/remote-auth\/login/, 'no log line for the operator');
  });

  test(`after restore, logins work again without a restart (within ${RECOVERY_WITHIN_MS} ms)`, async () => {
    assert.ok(forwarder.severed, 'runs after the cut');
    forwarder.restore();
    const restoredAt = Date.now();
    const [recovered, identity] = await recovery(restoredAt, `back-${run}`);
    figure(`recovery after restore: first successful first-login ${recovered} ms after restore()`);
    assert.ok(recovered <= RECOVERY_WITHIN_MS, `still failing ${RECOVERY_WITHIN_MS} ms after restore`);
    assert.deepEqual(await rowsOf(identity), [1, 1, 1]);

    // The identities refused during the outage were never half-created: they sign in now, once each.
    for (const email of cut) assert.deepEqual(await rowsOf(email), [0, 0, 0], `rows left for ${email}`);
    for (const email of cut) {
      const { res } = await login(email);
      assert.equal(res.status, 302, `${email}: ${res.status} ${res.body.slice(0, 300)}`);
      assert.deepEqual(await rowsOf(email), [1, 1, 1], email);
    }
    assert.equal((await login(ROOT.email)).res.status, 302, 'the known user');
    assert.equal(app.exited(), null);
  });

  test('a cut in the middle of traffic: every answer is 302 or 503, every identity all-or-nothing, then recovery', async () => {
    const emails = Array.from({ length: 60 }, (_, i) => `mid-${run}-${String(i).padStart(2, '0')}@corp.example`);
    const answers: Array<Timed | Error> = new Array(emails.length);
    let next = 0;
    let done = 0;
    const workers = Array.from({ length: 15 }, async () => {
      while (next < emails.length) {
        const index = next++;
        answers[index] = await login(emails[index]).catch((error: Error) => error);
        done++;
      }
    });
    // Cut once some logins went through and others are in flight.
    while (done < 12) await sleep(5);
    forwarder.sever();
    const severedAt = Date.now();
    await Promise.all(workers);
    const outage = Date.now() - severedAt;
    await app.assertAlive(); // one crash report, not 48 copies of it below

    const hangs = answers.filter((a): a is Error => a instanceof Error);
    assert.deepEqual(hangs.map((e) => e.message), [], 'requests that were not answered');
    const statuses = (answers as Timed[]).map((a) => a.res.status);
    const tally = Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]));
    figure(`mid-traffic cut: ${JSON.stringify(tally)} (cut after 12 answers; the rest finished ${outage} ms after the cut; slowest answer ${Math.max(...(answers as Timed[]).map((a) => a.ms))} ms)`);
    assert.ok(statuses.every((s) => s === 302 || s === 503), `unexpected statuses ${JSON.stringify(tally)}`);
    assert.ok(statuses.includes(503), 'the cut did not hit any login: nothing was tested');

    // All-or-nothing: a user with its link, or neither. A 302 always has both.
    for (const [i, email] of emails.entries()) {
      const rows = await rowsOf(email);
      const status = statuses[i];
      if (status === 302) assert.deepEqual(rows, [1, 1, 1], `${email} signed in but rows are ${rows}`);
      else assert.ok(rows.join() === '0,0,0' || rows.join() === '1,1,1', `${email} (${status}) left partial rows: users/links/matching = ${rows}`);
    }
    assert.equal(await roleless(), 0, 'roleless users');
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM remote_auth_identities i WHERE NOT EXISTS (SELECT 1 FROM admin_users u WHERE u.id = i.user_id)'),
      0,
      'orphan link rows',
    );

    forwarder.restore();
    const restoredAt = Date.now();
    const [recovered] = await recovery(restoredAt, `back2-${run}`);
    figure(`recovery after the mid-traffic cut: ${recovered} ms`);
    assert.ok(recovered <= RECOVERY_WITHIN_MS);
    for (const [i, email] of emails.entries()) {
      if (statuses[i] === 302) continue;
      const { res } = await login(email);
      assert.equal(res.status, 302, `${email} after recovery: ${res.status} ${res.body.slice(0, 300)}`);
      assert.deepEqual(await rowsOf(email), [1, 1, 1], email);
    }
  });

  test('a deleted default role: new users are refused (403 no-role) with a clear message; no crash, no roleless user', async () => {
    const created = await admin('POST', '/admin/roles', { name: `SSO newcomers ${run}`, description: 'default role for single sign-on users' });
    assert.equal(created.status, 201, created.body);
    const role = created.json().data as { id: number; code: string; name: string };
    const saved = await admin('PUT', '/remote-auth/settings', { settings: { defaultRoles: [role.code] } });
    assert.equal(saved.status, 200, saved.body);
    const deleted = await admin('DELETE', `/admin/roles/${role.id}`);
    assert.equal(deleted.status, 200, deleted.body);

    const mark = app.output().length;
    const usersBefore = await count('SELECT COUNT(*) AS n FROM admin_users');
    const json = await login(`orphan-${run}@corp.example`, 'json');
    assert.equal(json.res.status, 403, json.res.body);
    assert.equal(json.res.json().error.details.code, 'no-role');
    assert.match(json.res.json().error.message, /could not be created/i);
    const html = await login(`orphan-${run}@corp.example`, 'html');
    assert.equal(html.res.status, 403, html.res.body);
    assert.match(String(html.res.headers['content-type']), /text\/html/);
    assert.match(html.res.body, /could not be created/i);
    assert.match(html.res.body, /no-role/);

    assert.equal(await count('SELECT COUNT(*) AS n FROM admin_users'), usersBefore, 'a user was created anyway');
    assert.deepEqual(await rowsOf(`orphan-${run}@corp.example`), [0, 0, 0]);
    assert.equal(await roleless(), 0, 'roleless users');
    const log = plain(app.outputSince(mark));
    assert.match(log, new RegExp(`refused \\(no-role\\).*default role "${role.code}" does not exist`), `no clear log line:\n${log.slice(-2000)}`);

    // No crash: the instance still serves existing users.
    assert.equal(app.exited(), null);
    assert.equal((await login(ROOT.email)).res.status, 302);
  });

  test('a deleted default role: diagnostics says so for an identity that would be created', async () => {
    // Runs after the previous test: defaultRoles names a role that no longer exists.
    const res = await admin('GET', '/remote-auth/diagnostics', undefined, { 'Remote-User': `orphan-${run}@corp.example` });
    assert.equal(res.status, 200, res.body);
    const { outcome } = res.json().data;
    assert.equal(outcome.result, 'refused', `diagnostics outcome: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.code, 'no-role');
    assert.match(outcome.reason, /does not exist/);
  });

  test(`a silent partition (nothing closed, no byte through): first logins still answered within ${ANSWER_WITHIN_MS} ms, with a 503`, async () => {
    // Runs last: a request stuck on a dead connection only finishes once the partition heals.
    const reset = await admin('PUT', '/remote-auth/settings', { settings: {} }); // default roles again
    assert.equal(reset.status, 200, reset.body);
    assert.equal((await login(ROOT.email)).res.status, 302, 'healthy before the partition');
    const identities = [`silent-${run}-0@corp.example`, `silent-${run}-1@corp.example`];
    forwarder.sever('blackhole');
    const started = Date.now();
    const pending = identities.map((identity, i) => {
      const accept = i === 0 ? ('json' as const) : ('html' as const);
      const answer = request(app.origin, '/remote-auth/login', {
        headers: { 'Remote-User': identity, Accept: accept === 'json' ? 'application/json' : BROWSER.Accept },
      }).then((res) => ({ res, ms: Date.now() - started }));
      return { identity, accept, answer };
    });
    const inTime = await Promise.all(
      pending.map(({ answer }) => Promise.race([answer, giveUpAfter(ANSWER_WITHIN_MS)])),
    );
    // Heal before asserting, so the stuck requests (if any) finish and the checks below can run.
    forwarder.restore();
    const late = await Promise.all(pending.map(({ answer }) => Promise.race([answer, giveUpAfter(30_000)])));
    figure(
      `silent partition: answers ${inTime.map((a) => (a ? `${a.res.status} after ${a.ms} ms` : `none within ${ANSWER_WITHIN_MS} ms`)).join(', ')}; ` +
        `after healing at ${ANSWER_WITHIN_MS} ms: ${late.map((a) => (a ? `${a.res.status} at ${a.ms} ms` : 'still none 30 s later')).join(', ')}`,
    );
    for (const [i, { identity }] of pending.entries()) {
      const rows = await rowsOf(identity);
      assert.ok(rows.join() === '0,0,0' || rows.join() === '1,1,1', `${identity} left partial rows: ${rows}`);
      const answer = late[i];
      if (answer) assert.ok(answer.res.status === 302 || answer.res.status === 503, `${identity}: ${answer.res.status}`);
    }
    for (const [i, answer] of inTime.entries()) {
      assert.ok(answer, `${pending[i].identity}: no answer within ${ANSWER_WITHIN_MS} ms while the database was unreachable (a hang, not a 503)`);
      assertUnavailable(answer, pending[i].accept);
    }
  });
});
