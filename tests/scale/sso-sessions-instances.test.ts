/**
 * SSO sessions and deprovisioning with two Strapi processes (A and B) on one
 * PostgreSQL or MariaDB database:
 * - the session list is the same on both (it comes from the database);
 * - a sign-out on A is honoured by B at once (refresh and next request refused);
 * - the deactivation job, started on both at the same moment, runs once.
 *
 *   TEST_DB=postgres node --import tsx --test tests/scale/sso-sessions-instances.test.ts
 *   TEST_DB=mysql    node --import tsx --test tests/scale/sso-sessions-instances.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKind, type TestDatabase } from '../harness/database';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { failOnProcessDeath, startStrapi, type StrapiProcess } from '../harness/strapi';
import { connectDirect, type DirectSql } from '../harness/sql';

const kind = databaseKind();
const skip = kind === 'sqlite' ? 'needs a database server shared by two Strapi processes; run with TEST_DB=postgres or TEST_DB=mysql' : false;
const CONFIG = { autoCreate: true, trustedProxies: ['127.0.0.1/32'], maxNewUsersPerMinute: 0, defaultRoles: ['strapi-editor'] };
const ROOT = { email: 'root@corp.example', password: 'Sup3rSecret!pass', firstname: 'Root', lastname: 'Admin' };
const DAY_MS = 86_400_000;

let db: TestDatabase;
let sql: DirectSql;
let a: StrapiProcess;
let b: StrapiProcess;
let root = '';

const handOff = (app: StrapiProcess, identity: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
const asRoot = (app: StrapiProcess, method: string, path: string, body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${root}`, Accept: 'application/json' } });
const refresh = (app: StrapiProcess, res: TestResponse) =>
  request(app.origin, '/admin/access-token', {
    method: 'POST',
    headers: { Cookie: cookieHeader({ strapi_admin_refresh: res.cookies.strapi_admin_refresh, 'strapi_admin_refresh.sig': res.cookies['strapi_admin_refresh.sig'] }) },
  });
const userId = async (email: string) => Number((await sql.query<{ id: unknown }>('SELECT id FROM admin_users WHERE email = ?', [email]))[0].id);

describe(`SSO sessions on two Strapi processes sharing one ${kind} database`, { skip }, () => {
  failOnProcessDeath(() => [a, b]);
  before(async () => {
    db = await createTestDatabase(kind);
    sql = await connectDirect(db);
    a = await startStrapi({ mode: 'child', database: db, config: CONFIG, superAdmin: false });
    b = await startStrapi({ mode: 'child', database: db, config: CONFIG, superAdmin: false });
    const registered = await request(a.origin, '/admin/register-admin', { method: 'POST', body: ROOT });
    assert.equal(registered.status, 200, registered.body);
    root = registered.json().data.token;
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sql?.close();
    await db?.drop();
  });

  test('a session started on A is listed on B; signed out on A, B refuses its refresh and its next request', async () => {
    const session = await handOff(a, 'kim@corp.example');
    assert.ok(session.cookies.jwtToken, session.body.slice(0, 200));
    const kim = await userId('kim@corp.example');
    const onB = (await asRoot(b, 'GET', `/remote-auth/sessions?userId=${kim}`)).json();
    assert.equal(onB.results.length, 1, JSON.stringify(onB));
    assert.equal(onB.results[0].user.managed, 'created');
    assert.equal((await refresh(b, session)).status, 200, 'B does not honour the session before the sign-out');

    const ended = await asRoot(a, 'DELETE', `/remote-auth/sessions/${onB.results[0].id}`);
    assert.equal(ended.status, 200, ended.body);
    assert.equal((await refresh(b, session)).status, 401);
    const next = await request(b.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${session.cookies.jwtToken}` } });
    assert.equal(next.status, 401, next.body);
    assert.equal((await asRoot(b, 'GET', `/remote-auth/sessions?userId=${kim}`)).json().results.length, 0);
  });

  test('per person: signed out on B, both of their sessions (one from A, one from B) end everywhere', async () => {
    const fromA = await handOff(a, 'lou@corp.example');
    const fromB = await handOff(b, 'lou@corp.example');
    const lou = await userId('lou@corp.example');
    const ended = await asRoot(b, 'DELETE', `/remote-auth/users/${lou}/sessions`);
    assert.equal(ended.json().data.ended, 2, ended.body);
    for (const [app, session] of [[a, fromA], [a, fromB], [b, fromA], [b, fromB]] as const) {
      assert.equal((await refresh(app, session)).status, 401);
    }
  });

  test('the deactivation job, started on A and B at the same moment, runs once', async () => {
    const people = ['old1@corp.example', 'old2@corp.example', 'old3@corp.example'];
    const sessions = await Promise.all(people.map((p, i) => handOff(i % 2 ? b : a, p)));
    for (const p of people) {
      await sql.query('UPDATE remote_auth_identities SET last_seen_at = ? WHERE subject = ?', [new Date(Date.now() - 50 * DAY_MS), p]);
    }
    const saved = await asRoot(a, 'PUT', '/remote-auth/settings', { settings: { deactivateAfterDays: 30 } });
    assert.equal(saved.status, 200, saved.body);
    // B reads the stored settings within its cache TTL.
    for (let tries = 0; (await asRoot(b, 'GET', '/remote-auth/deprovisioning/preview')).json().data.days !== 30; tries++) {
      assert.ok(tries < 100, 'B never saw deactivateAfterDays');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const preview = (await asRoot(b, 'GET', '/remote-auth/deprovisioning/preview')).json().data.due.map((p: { email: string }) => p.email).sort();
    assert.deepEqual(preview, people);

    const runs = (await Promise.all([asRoot(a, 'POST', '/remote-auth/deprovisioning/run'), asRoot(b, 'POST', '/remote-auth/deprovisioning/run')])).map(
      (res) => res.json().data,
    );
    assert.deepEqual(runs.map((run) => run.ran).sort(), [false, true], JSON.stringify(runs));
    const done = runs.flatMap((run) => (run.ran ? run.deactivated.map((d: { person: { email: string } }) => d.person.email) : [])).sort();
    assert.deepEqual(done, preview, 'the job did not do what the preview said');
    const active = await sql.query<{ email: string; is_active: unknown }>('SELECT email, is_active FROM admin_users WHERE email IN (?, ?, ?)', people);
    assert.ok(active.every((row) => !row.is_active || row.is_active === 0), JSON.stringify(active));
    for (const session of sessions) assert.equal((await refresh(b, session)).status, 401);

    // One "deactivated" activity row per person (the recorder writes in batches).
    let rows: Array<{ user_id: unknown }> = [];
    for (let tries = 0; tries < 100; tries++) {
      rows = await sql.query<{ user_id: unknown }>(`SELECT user_id FROM remote_auth_activity WHERE kind = 'deactivated'`);
      if (rows.length >= people.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(rows.length, people.length, JSON.stringify(rows));
    assert.deepEqual((await asRoot(a, 'GET', '/remote-auth/deprovisioning/preview')).json().data.due, []);
  });
});
