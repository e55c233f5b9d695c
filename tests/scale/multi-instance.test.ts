/**
 * Scale-out: two Strapi processes (A and B) on one PostgreSQL or MariaDB
 * database, the way production runs behind a load balancer.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/multi-instance.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/multi-instance.test.ts
 *
 * (a) racing first logins of one identity on both instances → one admin user, one link;
 * (b) 200 distinct first logins in parallel → 200 users, no duplicates;
 * (c) a settings change saved on A applies on A at once and on B within the bound;
 * (d) the link table is created once; a restart keeps links and re-runs bootstrap as a no-op.
 *
 * Figures (propagation, throughput) are printed as `# figure …` diagnostics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKind, type TestDatabase } from '../harness/database';
import { request, type TestResponse } from '../harness/http';
import { LINKS_MIGRATION_COUNT, LINKS_SCHEMA_VERSION } from '../../server/src/strapi/accounts/identity-links';
import { failOnProcessDeath, startStrapi, type StrapiProcess } from '../harness/strapi';
import { connectDirect, type DirectSql } from '../harness/sql';

const kind = databaseKind();
const skip =
  kind === 'sqlite'
    ? 'needs a database server: SQLite is one file and cannot be shared by several Strapi processes; run with TEST_DB=postgres or TEST_DB=mysql'
    : false;

// These suites create hundreds of accounts on purpose: no creation ceiling.
const CONFIG = { autoCreate: true, trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0 };
const ENV = { STRAPI_LOG_LEVEL: 'info' };
const ROOT = { email: 'root@corp.example', password: 'Sup3rSecret!pass', firstname: 'Root', lastname: 'Admin' };
const SETTINGS_BOUND_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;
const run = Math.random().toString(36).slice(2, 8);

let db: TestDatabase;
let sql: DirectSql;
let a: StrapiProcess;
let b: StrapiProcess;
let rootToken = '';
/** Where A's and B's output stood when the race of (a) started. */
let raceMarks: [number, number] = [0, 0];

const figure = (text: string) => console.log(`# figure [${kind}] ${text}`);
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const errorLines = (log: string) =>
  plain(log)
    .split('\n')
    .filter((line) => /^\[[^\]]+\] error\b/i.test(line) || /BOOT FAILED|Unhandled|uncaught/i.test(line));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** GET /remote-auth/login as an API client behind the trusted proxy. */
const login = (app: StrapiProcess, identity: string, header = 'Remote-User'): Promise<TestResponse> =>
  within(
    request(app.origin, '/remote-auth/login', { headers: { [header]: identity, Accept: 'application/json' } }),
    REQUEST_TIMEOUT_MS,
    `login of ${identity} on ${app.origin}`,
  );

/** Strapi's admin API as the root administrator. */
const asRoot = (app: StrapiProcess, method: string, path: string, body?: unknown): Promise<TestResponse> =>
  request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${rootToken}`, Accept: 'application/json' } });

async function withLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

/** The admin token the minted session cookie carries works, for exactly `email`. */
async function assertWorkingSession(app: StrapiProcess, res: TestResponse, email: string): Promise<void> {
  assert.ok(res.cookies.jwtToken, `no jwtToken cookie (status ${res.status}): ${res.body.slice(0, 300)}`);
  const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${res.cookies.jwtToken}` } });
  assert.equal(me.status, 200, me.body);
  assert.equal(me.json().data.email, email);
}

const RACE_ROUNDS = 10;
/** The racers whose round ran. */
const raced: string[] = [];
const racers = Array.from({ length: RACE_ROUNDS }, (_, i) => `racer-${run}-${i}@corp.example`);

/** How many admin user ids the database has handed out (committed or rolled back). */
async function idsConsumed(): Promise<number> {
  if (kind === 'postgres') return Number((await sql.query<{ n: unknown }>('SELECT last_value AS n FROM admin_users_id_seq'))[0].n);
  const [row] = await sql.query<{ n: unknown }>(
    `SELECT AUTO_INCREMENT AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'admin_users'`,
  );
  return Number(row.n);
}

const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: unknown }>(query, params))[0].n);

describe(`two Strapi processes on one ${kind} database`, { skip }, () => {
  failOnProcessDeath(() => [a, b]);
  before(async () => {
    db = await createTestDatabase(kind);
    sql = await connectDirect(db);
    // A first, then B: the first instance creates the schema (Strapi's own tables too).
    a = await startStrapi({ mode: 'child', database: db, config: CONFIG, env: ENV, superAdmin: false });
    b = await startStrapi({ mode: 'child', database: db, config: CONFIG, env: ENV, superAdmin: false });
    const registered = await request(a.origin, '/admin/register-admin', { method: 'POST', body: ROOT });
    assert.equal(registered.status, 200, registered.body);
    rootToken = registered.json().data.token;
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sql?.close();
    await db?.drop();
  });

  test('both instances booted without an error, and the link table was created by the first one only', () => {
    assert.deepEqual(errorLines(a.output()), [], 'A logged errors while booting');
    assert.deepEqual(errorLines(b.output()), [], 'B logged errors while booting');
    const migrated = (log: string) => plain(log).split('\n').filter((line) => line.includes('identity link table at schema version')).length;
    assert.equal(migrated(a.output()), LINKS_MIGRATION_COUNT, 'A should have brought the link table to the current version, one step each');
    assert.equal(migrated(b.output()), 0, 'B found it done and should not have migrated again');
  });

  test(`(a) 2 × 50 concurrent first logins of one new identity, ${RACE_ROUNDS} rounds → one admin user and one link each, all 302`, async () => {
    // Warm both instances (code paths, connection pools) so their first requests really collide.
    const warm = await Promise.all(Array.from({ length: 40 }, (_, i) => login(i % 2 === 0 ? a : b, ROOT.email)));
    assert.deepEqual([...new Set(warm.map((res) => res.status))], [302]);
    raceMarks = [a.output().length, b.output().length];

    let collisions = 0;
    const problems: string[] = [];
    for (const email of racers) {
      const idsBefore = await idsConsumed();
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => login(i % 2 === 0 ? a : b, email)));
      const elapsed = Date.now() - started;
      raced.push(email);
      // A user insert that lost the race was rolled back, but used up an id.
      const wasted = (await idsConsumed()) - idsBefore - 1;
      collisions += wasted > 0 ? 1 : 0;
      const statuses = new Map<number, number>();
      for (const res of results) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      figure(`(a) 100 racing first logins of ${email}: ${elapsed} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, rolled-back user inserts ${wasted}`);

      const failures = results.filter((res) => res.status !== 302 || res.headers.location !== '/admin');
      if (failures.length > 0) {
        // The server side of it: the first "sign-in … failed" line either instance logged.
        const cause = plain(a.outputSince(raceMarks[0]) + b.outputSince(raceMarks[1]))
          .split('\n')
          .find((line) => line.includes(`sign-in of "${email}" failed`));
        problems.push(
          `${email}: ${failures.length} answers not 302 → /admin, e.g. ${failures[0].status} ${failures[0].body.slice(0, 200)}` +
            (cause ? `; logged: ${cause.slice(0, 400)}` : ''),
        );
      }
      const users = await sql.query<{ id: number }>('SELECT id FROM admin_users WHERE LOWER(email) = ?', [email]);
      const links = await sql.query<{ user_id: number }>('SELECT user_id FROM remote_auth_identities WHERE subject = ?', [email]);
      if (users.length !== 1 || links.length !== 1 || Number(links[0].user_id) !== Number(users[0].id)) {
        problems.push(`${email}: ${users.length} admin users (ids ${users.map((u) => u.id)}), ${links.length} links (to ${links.map((l) => l.user_id)})`);
        continue;
      }
      const roles = await sql.query<{ code: string }>(
        'SELECT r.code FROM admin_roles r JOIN admin_users_roles_lnk l ON l.role_id = r.id WHERE l.user_id = ?',
        [users[0].id],
      );
      if (roles.map((r) => r.code).join() !== 'strapi-author') problems.push(`${email}: roles ${roles.map((r) => r.code)}, expected strapi-author`);

      // Answers from either instance are working sessions for that one user.
      const fromA = results.find((res, i) => i % 2 === 0 && res.status === 302);
      const fromB = results.find((res, i) => i % 2 === 1 && res.status === 302);
      if (fromA) await assertWorkingSession(a, fromA, email);
      if (fromB) await assertWorkingSession(b, fromB, email);
    }
    figure(`(a) rounds where both instances inserted a user and one rolled back: ${collisions} of ${RACE_ROUNDS}`);
    const fivexx = problems.filter((p) => / 5\d\d /.test(p));
    assert.deepEqual(fivexx, [], 'zero 5xx expected');
    assert.deepEqual(problems, []);
  });

  test('(a) …and each creation is reported once (the "created" log line, and created: true for the onLogin hook)', () => {
    const created = (log: string, email: string) =>
      plain(log)
        .split('\n')
        .filter((line) => line.includes('[remote-auth] created admin user') && line.includes(`"${email}"`)).length;
    assert.ok(raced.length > 0, 'runs after (a)');
    const perIdentity = raced.map((email) => [created(a.outputSince(raceMarks[0]), email), created(b.outputSince(raceMarks[1]), email)]);
    figure(`(a) "created admin user" lines per new identity [A, B]: ${JSON.stringify(perIdentity)}`);
    // One user was created per identity, so one sign-in may say so. Every other request
    // found it or lost the race; created: true for them re-runs an operator's onLogin
    // "first login" work (welcome mail, provisioning elsewhere) once per request.
    for (const [i, [onA, onB]] of perIdentity.entries()) {
      assert.equal(onA + onB, 1, `${raced[i]}: the creation was reported ${onA} times on A and ${onB} times on B`);
    }
  });

  test('(b) 200 distinct new identities in parallel (limit 50, over A and B) → 200 users, no duplicates, 200 links', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM admin_users');
    const emails = Array.from({ length: 200 }, (_, i) => `crowd-${run}-${String(i).padStart(3, '0')}@corp.example`);
    const started = Date.now();
    const results = await withLimit(emails, 50, (email, i) => login(i % 2 === 0 ? a : b, email));
    const elapsed = Date.now() - started;
    figure(`(b) 200 distinct first logins, 50 in flight, 2 instances: ${elapsed} ms = ${(200 / (elapsed / 1000)).toFixed(1)} users/s`);

    const bad = results.map((res, i) => ({ res, email: emails[i] })).filter(({ res }) => res.status !== 302);
    assert.equal(bad.length, 0, `not 302: ${bad.slice(0, 5).map(({ res, email }) => `${email}: ${res.status} ${res.body.slice(0, 200)}`).join(' | ')}`);

    const pattern = `crowd-${run}-%`;
    assert.equal(await count('SELECT COUNT(*) AS n FROM admin_users'), before + 200, 'users created');
    assert.equal(await count('SELECT COUNT(DISTINCT LOWER(email)) AS n FROM admin_users WHERE email LIKE ?', [pattern]), 200);
    const duplicates = await sql.query('SELECT LOWER(email) AS email, COUNT(*) AS n FROM admin_users GROUP BY LOWER(email) HAVING COUNT(*) > 1');
    assert.deepEqual(duplicates, [], 'duplicate e-mails');
    assert.equal(await count('SELECT COUNT(*) AS n FROM remote_auth_identities WHERE subject LIKE ?', [pattern]), 200, 'link rows');
    // Each link points at the user with that e-mail; no user without a role.
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM remote_auth_identities i JOIN admin_users u ON u.id = i.user_id WHERE i.subject LIKE ? AND LOWER(u.email) = i.subject', [pattern]),
      200,
      'links pointing at the wrong user',
    );
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM admin_users u WHERE NOT EXISTS (SELECT 1 FROM admin_users_roles_lnk l WHERE l.user_id = u.id)'),
      0,
      'roleless users',
    );
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM remote_auth_identities i WHERE NOT EXISTS (SELECT 1 FROM admin_users u WHERE u.id = i.user_id)'),
      0,
      'orphan link rows',
    );
  });

  test(`(c) a settings change saved on A applies on A at once and on B within ${SETTINGS_BOUND_MS} ms`, async () => {
    const api = (app: StrapiProcess, settings: Record<string, unknown>) =>
      request(app.origin, '/remote-auth/settings', {
        method: 'PUT',
        body: { settings },
        headers: { Authorization: `Bearer ${rootToken}`, Accept: 'application/json' },
      });

    /** Polls `app` until a login with `header` signs root in; returns the time since `since`. */
    async function propagation(app: StrapiProcess, header: string, since: number): Promise<number> {
      for (;;) {
        const res = await login(app, ROOT.email, header);
        if (res.status === 302) return Date.now() - since;
        assert.equal(res.status, 401, `while waiting: ${res.status} ${res.body.slice(0, 200)}`);
        if (Date.now() - since > SETTINGS_BOUND_MS * 2) return Infinity;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    // B has read the stored settings recently (it is in its TTL): the change must still reach it.
    assert.equal((await login(b, ROOT.email)).status, 302);

    const saved = await api(a, { header: 'X-Auth-User' });
    const savedAt = Date.now();
    assert.equal(saved.status, 200, saved.body);
    assert.equal(saved.json().data.settings.header, 'X-Auth-User');

    // A: at once — the new header signs in, the old one no longer does.
    assert.equal((await login(a, ROOT.email, 'X-Auth-User')).status, 302, 'A did not apply its own change at once');
    assert.equal((await login(a, ROOT.email, 'Remote-User')).status, 401, 'A still accepts the old header');

    const toB = await propagation(b, 'X-Auth-User', savedAt);
    figure(`(c) header change A → B visible after ${toB} ms (bound ${SETTINGS_BOUND_MS} ms, settings TTL 2000 ms)`);
    assert.ok(toB <= SETTINGS_BOUND_MS, `B applied the change after ${toB} ms`);
    assert.equal((await login(b, ROOT.email, 'Remote-User')).status, 401, 'B still accepts the old header');

    // And back, saved on B this time (either instance can save).
    const back = await api(b, {});
    const backAt = Date.now();
    assert.equal(back.status, 200, back.body);
    assert.equal((await login(b, ROOT.email, 'Remote-User')).status, 302, 'B did not apply its own change at once');
    const toA = await propagation(a, 'Remote-User', backAt);
    figure(`(c) header change B → A visible after ${toA} ms`);
    assert.ok(toA <= SETTINGS_BOUND_MS, `A applied the change after ${toA} ms`);
  });

  test('(d) restart of B: links kept, schema version unchanged, bootstrap re-run is a no-op', async () => {
    const snapshot = () =>
      sql.query<{ id: number; subject: string; user_id: number; created_at: unknown }>(
        'SELECT id, source, subject, user_id, created_at FROM remote_auth_identities ORDER BY id',
      );
    const version = async () =>
      (await sql.query<{ value: string }>(`SELECT "value" FROM strapi_core_store_settings WHERE "key" = 'plugin_remote-auth_schemaVersion'`)).map(
        (row) => JSON.parse(row.value),
      );
    const linksBefore = await snapshot();
    const usersBefore = await count('SELECT COUNT(*) AS n FROM admin_users');
    assert.ok(linksBefore.length > 0, 'expected the links of (a) and (b)');
    assert.deepEqual(await version(), [LINKS_SCHEMA_VERSION]);

    const stopped = await b.stop();
    assert.equal(stopped, 0, `B did not stop cleanly: ${stopped}`);
    const restartedAt = Date.now();
    b = await startStrapi({ mode: 'child', database: db, config: CONFIG, env: ENV });
    figure(`(d) B restarted in ${Date.now() - restartedAt} ms`);

    assert.deepEqual(errorLines(b.output()), [], 'errors while B booted again');
    assert.ok(!plain(b.output()).includes('identity link table at schema version'), 'B migrated the link table again');
    assert.deepEqual(await version(), [LINKS_SCHEMA_VERSION], 'schemaVersion changed');
    assert.deepEqual(await snapshot(), linksBefore, 'link rows changed across the restart');

    // The two unique indexes are there, once each: (source, subject) and (source, user_id).
    const uniques = (
      kind === 'postgres'
        ? await sql.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'remote_auth_identities' AND indexdef LIKE 'CREATE UNIQUE INDEX%'`)
        : await sql.query<{ name: string }>(
            `SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'remote_auth_identities' AND non_unique = 0 AND index_name <> 'PRIMARY'`,
          )
    )
      .map((row) => row.name)
      .filter((name) => name !== 'remote_auth_identities_pkey')
      .sort();
    assert.deepEqual(uniques, ['remote_auth_identities_source_subject_unique', 'remote_auth_identities_source_user_unique']);

    // The restarted instance finds the existing identity through its link: same user, nobody new.
    const email = racers[0];
    const res = await login(b, email);
    assert.equal(res.status, 302, res.body);
    await assertWorkingSession(b, res, email);
    assert.equal(await count('SELECT COUNT(*) AS n FROM admin_users'), usersBefore, 'a user was created on restart');
    assert.deepEqual(errorLines(b.output()), [], 'errors after the restart');
  });

  test('(e) a default role deleted through A: B refuses new users at once (403 no-role), no roleless user, no 5xx', async () => {
    const created = await asRoot(a, 'POST', '/admin/roles', { name: `SSO newcomers ${run}`, description: 'default role for new SSO users' });
    assert.equal(created.status, 201, created.body);
    const createdAt = Date.now();
    const role = created.json().data as { id: number; code: string };
    const saved = await asRoot(a, 'PUT', '/remote-auth/settings', { settings: { defaultRoles: [role.code] } });
    assert.equal(saved.status, 200, saved.body);
    // B picks the setting up within its TTL…
    const since = Date.now();
    while ((await asRoot(b, 'GET', '/remote-auth/settings')).json().data.settings.defaultRoles[0] !== role.code) {
      assert.ok(Date.now() - since < SETTINGS_BOUND_MS, 'B never saw the new defaultRoles');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // …and has used the role for a new user (so anything B caches about roles is warm).
    const first = await login(b, `newcomer-${run}@corp.example`);
    assert.equal(first.status, 302, `B refused a new user although its default role ${role.code} exists (created on A ${Date.now() - createdAt} ms ago): ${first.body}`);
    // The role must be unused to be deleted: move that user to Author through the API.
    const newcomer = (await sql.query<{ id: number }>('SELECT id FROM admin_users WHERE email = ?', [`newcomer-${run}@corp.example`]))[0];
    const author = (await sql.query<{ id: number }>(`SELECT id FROM admin_roles WHERE code = 'strapi-author'`))[0];
    const moved = await asRoot(a, 'PUT', `/admin/users/${newcomer.id}`, { roles: [author.id] });
    assert.equal(moved.status, 200, moved.body);
    const deleted = await asRoot(a, 'DELETE', `/admin/roles/${role.id}`);
    assert.equal(deleted.status, 200, deleted.body);

    const usersBefore = await count('SELECT COUNT(*) AS n FROM admin_users');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await login(i % 2 === 0 ? b : a, `late-${run}-${i}@corp.example`));
    const detail = answers.map((res) => `${res.status} ${res.body.slice(0, 160)}`).join(' | ');
    assert.equal(answers.filter((res) => res.status >= 500).length, 0, `5xx: ${detail}`);
    for (const res of answers) {
      assert.equal(res.status, 403, detail);
      assert.equal(res.json().error.details.code, 'no-role', detail);
    }
    assert.equal(await count('SELECT COUNT(*) AS n FROM admin_users'), usersBefore, 'users were created with a deleted role');
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM admin_users u WHERE NOT EXISTS (SELECT 1 FROM admin_users_roles_lnk l WHERE l.user_id = u.id)'),
      0,
      'roleless users',
    );
    assert.equal(a.exited(), null);
    assert.equal(b.exited(), null);
  });

  test('(f) a mapped role deleted through A: a returning person signing in on B at once is not answered 5xx, and keeps no link to it', async () => {
    const created = await asRoot(a, 'POST', '/admin/roles', { name: `Testers ${run}`, description: 'mapped from a group' });
    assert.equal(created.status, 201, created.body);
    const role = created.json().data as { id: number; code: string };
    const settings = { defaultRoles: ['strapi-author'], groupsHeader: 'Remote-Groups', groupRoles: { testers: [role.code] } };
    assert.equal((await asRoot(a, 'PUT', '/remote-auth/settings', { settings })).status, 200);
    const since = Date.now();
    while (JSON.stringify((await asRoot(b, 'GET', '/remote-auth/settings')).json().data.settings.groupRoles) !== JSON.stringify(settings.groupRoles)) {
      assert.ok(Date.now() - since < SETTINGS_BOUND_MS, 'B never saw the new groupRoles');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const email = `tester-${run}@corp.example`;
    const signIn = () =>
      within(
        request(b.origin, '/remote-auth/login', { headers: { 'Remote-User': email, 'Remote-Groups': 'testers', Accept: 'application/json' } }),
        REQUEST_TIMEOUT_MS,
        `login of ${email} on B`,
      );
    // B reads its role list for this sign-in and keeps it a few seconds: the role is in it.
    const first = await signIn();
    assert.equal(first.status, 302, first.body);
    const [{ id }] = await sql.query<{ id: number }>('SELECT id FROM admin_users WHERE email = ?', [email]);
    // The role must be unused to be deleted: the person goes back to Author, then the role goes.
    const author = (await sql.query<{ id: number }>(`SELECT id FROM admin_roles WHERE code = 'strapi-author'`))[0];
    assert.equal((await asRoot(a, 'PUT', `/admin/users/${id}`, { roles: [author.id] })).status, 200);
    assert.equal((await asRoot(a, 'DELETE', `/admin/roles/${role.id}`)).status, 200);
    // On B, within the list's few seconds (on a slow machine B may have read it again: then this passes without the stale list).
    const again = await signIn();
    assert.equal(again.status, 302, `B answered ${again.status}: ${again.body.slice(0, 300)}`);
    const roles = await sql.query<{ code: string }>(
      'SELECT r.code FROM admin_roles r JOIN admin_users_roles_lnk l ON l.role_id = r.id WHERE l.user_id = ? ORDER BY r.code',
      [id],
    );
    assert.deepEqual(roles.map((r) => r.code), ['strapi-author']);
  });
});
