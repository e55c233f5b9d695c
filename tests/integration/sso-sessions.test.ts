/**
 * SSO sessions and deprovisioning against a real Strapi: the list of sessions
 * this plugin started, "Sign out" per session and per person (the next request
 * in strict mode, the next refresh in persistent mode is refused), who may do
 * it, deactivateAfterDays (preview = what the job then does) and syncInterval.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { passwordLogin } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
const BASE = { autoCreate: true, defaultRoles: ['strapi-editor'], maxNewUsersPerMinute: 0 };
const DAY_MS = 86_400_000;
let app: TestStrapi;
let root = '';
let reader = '';
let revoker = '';
let author = '';

const tokenFor = async (email: string) => (await passwordLogin(app, email, PASSWORD)).json().data.token as string;
const api = (token: string, path: string, method = 'GET', body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
const handOff = (identity: string, extra: Record<string, string> = {}) =>
  request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity, ...extra } });
const refresh = (res: TestResponse) =>
  request(app.origin, '/admin/access-token', {
    method: 'POST',
    headers: { Cookie: cookieHeader({ strapi_admin_refresh: res.cookies.strapi_admin_refresh, 'strapi_admin_refresh.sig': res.cookies['strapi_admin_refresh.sig'] }) },
  });
const me = (res: TestResponse, extra: Record<string, string> = {}) =>
  request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', Authorization: `Bearer ${res.cookies.jwtToken}`, ...extra } });
const idOf = async (email: string) => (await app.adminUsers()).find((u) => u.email === email)!.id;
const rolesOf = async (email: string) => ((await app.adminUsers()).find((u) => u.email === email)!.roles ?? []).map((r) => r.code).sort();
const sessionsOf = async (token: string, userId: number) =>
  (await api(token, `/remote-auth/sessions?userId=${userId}`)).json().results as Array<{ id: string; user: { id: number; managed: string } }>;
const role = async (name: string, actions: string[]) => {
  const created = await app.strapi.service('admin::role').create({ name, description: name });
  await app.strapi.service('admin::role').assignPermissions(
    created.id,
    actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })),
  );
  return created.code as string;
};
const knex = () => app.strapi.db.connection;
const ageIdentity = (subject: string, days: number) =>
  knex()('remote_auth_identities').where({ subject }).update({ last_seen_at: new Date(Date.now() - days * DAY_MS) });

before(async () => {
  app = await startStrapi({ config: BASE });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'author@corp.example', password: PASSWORD, roles: ['strapi-author'] });
  const readOnly = await role('SSO session readers', ['plugin::remote-auth.sessions.read']);
  const full = await role('SSO session managers', ['plugin::remote-auth.sessions.read', 'plugin::remote-auth.sessions.revoke']);
  await app.createAdmin({ email: 'reader@corp.example', password: PASSWORD, roles: [readOnly] });
  await app.createAdmin({ email: 'revoker@corp.example', password: PASSWORD, roles: [full] });
  root = await tokenFor('root@corp.example');
  reader = await tokenFor('reader@corp.example');
  revoker = await tokenFor('revoker@corp.example');
  author = await tokenFor('author@corp.example');
});
after(() => app?.stop());
beforeEach(() => app.configure(BASE));

describe('the list of single sign-on sessions', () => {
  test('lists the sessions this plugin started (not password sessions), paginated, with person and times', async () => {
    await handOff('ann@corp.example');
    await handOff('ann@corp.example');
    await handOff('bob@corp.example');
    const ann = await idOf('ann@corp.example');
    const listed = await sessionsOf(root, ann);
    assert.equal(listed.length, 2);
    const body = (await api(root, '/remote-auth/sessions?pageSize=1')).json();
    assert.equal(body.results.length, 1);
    assert.ok(body.pagination.total >= 3);
    assert.equal(body.pagination.pageCount, body.pagination.total);
    const all = (await api(root, '/remote-auth/sessions?pageSize=100')).json().results;
    assert.ok(all.every((s: { user: { email: string } }) => s.user.email !== 'root@corp.example'), 'a password session was listed');
    const one = all.find((s: { user: { email: string } }) => s.user.email === 'bob@corp.example');
    assert.equal(one.user.managed, 'created');
    for (const key of ['startedAt', 'renewedAt', 'expiresAt']) assert.ok(!Number.isNaN(Date.parse(one[key])), key);
    assert.ok(Date.parse(one.expiresAt) > Date.now());
  });

  test('accounts: created by the plugin vs linked to an existing account', async () => {
    await app.createAdmin({ email: 'existing@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    await handOff('existing@corp.example');
    await handOff('fresh@corp.example');
    const accounts = (await api(root, '/remote-auth/accounts?pageSize=100')).json().results as Array<{ email: string; managed: string; sessions: number }>;
    assert.equal(accounts.find((a) => a.email === 'existing@corp.example')?.managed, 'linked');
    assert.equal(accounts.find((a) => a.email === 'fresh@corp.example')?.managed, 'created');
    assert.ok(accounts.find((a) => a.email === 'fresh@corp.example')!.sessions >= 1);
    assert.equal(accounts.find((a) => a.email === 'root@corp.example'), undefined, 'an account single sign-on never touched is listed');
  });
});

describe('signing out', () => {
  test('persistent mode: one session ends (its next refresh and request are refused), the other lives on', async () => {
    const first = await handOff('carol@corp.example');
    const second = await handOff('carol@corp.example');
    const carol = await idOf('carol@corp.example');
    const [target] = (await sessionsOf(root, carol)).filter(Boolean);
    const res = await api(revoker, `/remote-auth/sessions/${target.id}`, 'DELETE');
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json().data, { userId: carol, ended: 1 });
    const refreshed = [await refresh(first), await refresh(second)].map((r) => r.status).sort();
    assert.deepEqual(refreshed, [200, 401], 'exactly the revoked session must fail to renew');
    assert.equal((await sessionsOf(root, carol)).length, 1);
  });

  test('persistent mode: per person, every plugin session of theirs ends, their password session does not', async () => {
    await app.createAdmin({ email: 'dan@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    const password = await tokenFor('dan@corp.example');
    const a = await handOff('dan@corp.example');
    const b = await handOff('dan@corp.example');
    const dan = await idOf('dan@corp.example');
    const res = await api(revoker, `/remote-auth/users/${dan}/sessions`, 'DELETE');
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().data.ended, 2);
    assert.equal((await refresh(a)).status, 401);
    assert.equal((await refresh(b)).status, 401);
    assert.equal((await me(a)).status, 401);
    assert.equal((await api(password, '/admin/users/me')).status, 200, 'the password session was ended too');
  });

  test('strict mode: the next request of a signed-out session is refused, on both kinds of sign-out', async () => {
    app.configure({ ...BASE, mode: 'strict' });
    const one = await handOff('erin@corp.example');
    const two = await handOff('erin@corp.example');
    const erin = await idOf('erin@corp.example');
    const header = { 'Remote-User': 'erin@corp.example' };
    assert.equal((await me(one, header)).status, 200);
    const [target] = await sessionsOf(root, erin);
    assert.equal((await api(revoker, `/remote-auth/sessions/${target.id}`, 'DELETE')).status, 200);
    const statuses = [(await me(one, header)).status, (await me(two, header)).status].sort();
    assert.deepEqual(statuses, [200, 401]);
    assert.equal((await api(revoker, `/remote-auth/users/${erin}/sessions`, 'DELETE')).status, 200);
    assert.equal((await me(one, header)).status, 401);
    assert.equal((await me(two, header)).status, 401);
  });

  test('an unknown session id answers 404', async () => {
    assert.equal((await api(root, '/remote-auth/sessions/00000000-0000-0000-0000-000000000000', 'DELETE')).status, 404);
    assert.equal((await api(root, '/remote-auth/sessions/not-an-id', 'DELETE')).status, 404);
  });

  test('a user id that cannot be a row id is a 400, an unknown user a 404 — neither writes an activity row', async () => {
    const rows = async () => {
      await app.strapi.plugin('remote-auth').service('activity').flush();
      return Number(((await knex()('remote_auth_activity').count({ n: '*' }).first()) as { n: unknown }).n);
    };
    const before = await rows();
    for (const id of ['99999999999', '2147483648', '0', '-1', '1.5', '1e3']) {
      const res = await api(revoker, `/remote-auth/users/${id}/sessions`, 'DELETE');
      assert.equal(res.status, 400, id);
      assert.match(res.json().error.message, /1 to 2147483647/);
      assert.equal((await api(revoker, `/remote-auth/sessions?userId=${id}`)).status, 400, id);
    }
    const unknown = await api(revoker, '/remote-auth/users/2147483647/sessions', 'DELETE');
    assert.equal(unknown.status, 404);
    assert.match(unknown.json().error.message, /No admin user with id 2147483647/);
    assert.equal(await rows(), before);
  });
});

describe('who may see and end sessions', () => {
  test('a role without the sessions permissions gets 403 everywhere', async () => {
    const target = await handOff('frank@corp.example');
    const frank = await idOf('frank@corp.example');
    const [session] = await sessionsOf(root, frank);
    for (const [path, method] of [
      ['/remote-auth/sessions', 'GET'],
      ['/remote-auth/accounts', 'GET'],
      ['/remote-auth/deprovisioning/preview', 'GET'],
      [`/remote-auth/sessions/${session.id}`, 'DELETE'],
      [`/remote-auth/users/${frank}/sessions`, 'DELETE'],
      ['/remote-auth/deprovisioning/run', 'POST'],
    ] as const) {
      assert.equal((await api(author, path, method)).status, 403, `${method} ${path}`);
    }
    assert.equal((await refresh(target)).status, 200, 'the session ended anyway');
  });

  test('sessions.read lists but cannot sign out', async () => {
    const target = await handOff('gina@corp.example');
    const gina = await idOf('gina@corp.example');
    assert.equal((await api(reader, '/remote-auth/sessions')).status, 200);
    const [session] = await sessionsOf(reader, gina);
    assert.equal((await api(reader, `/remote-auth/sessions/${session.id}`, 'DELETE')).status, 403);
    assert.equal((await api(reader, `/remote-auth/users/${gina}/sessions`, 'DELETE')).status, 403);
    assert.equal((await refresh(target)).status, 200);
  });

  test('only a Super Admin signs a Super Admin out', async () => {
    await app.createAdmin({ email: 'boss@corp.example', roles: ['strapi-super-admin'] });
    const boss = await idOf('boss@corp.example');
    const target = await handOff('boss@corp.example');
    const [session] = await sessionsOf(root, boss);
    const bySession = await api(revoker, `/remote-auth/sessions/${session.id}`, 'DELETE');
    assert.equal(bySession.status, 403, bySession.body);
    assert.match(bySession.json().error.message, /Only a Super Admin/);
    assert.equal((await api(revoker, `/remote-auth/users/${boss}/sessions`, 'DELETE')).status, 403);
    assert.equal((await refresh(target)).status, 200, 'the Super Admin was signed out by a non-Super Admin');
    assert.equal((await api(root, `/remote-auth/users/${boss}/sessions`, 'DELETE')).status, 200);
    assert.equal((await refresh(target)).status, 401);
  });
});

describe('deprovisioning (deactivateAfterDays)', () => {
  test('off by default: the preview says so and the job does nothing', async () => {
    const preview = (await api(root, '/remote-auth/deprovisioning/preview')).json().data;
    assert.equal(preview.enabled, false);
    assert.deepEqual(preview.due, []);
    const run = (await api(root, '/remote-auth/deprovisioning/run', 'POST')).json().data;
    assert.equal(run.ran, false);
  });

  test('created + stale → deactivated and signed out; linked-with-password, Super Admin and recent → never; preview = job', async () => {
    await app.createAdmin({ email: 'pw.stale@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    const linked = await handOff('pw.stale@corp.example');
    const stale = await handOff('gone@corp.example');
    await handOff('recent@corp.example');
    await handOff('chief@corp.example');
    await app.strapi.service('admin::user').updateById(await idOf('chief@corp.example'), {
      roles: [(await app.strapi.db.query('admin::role').findOne({ where: { code: 'strapi-super-admin' } })).id],
    });
    for (const subject of ['pw.stale@corp.example', 'gone@corp.example', 'chief@corp.example']) await ageIdentity(subject, 40);
    await ageIdentity('recent@corp.example', 10);
    app.configure({ ...BASE, deactivateAfterDays: 30 });

    const preview = (await api(reader, '/remote-auth/deprovisioning/preview')).json().data;
    assert.equal(preview.days, 30);
    const due = preview.due.map((p: { email: string }) => p.email);
    assert.ok(due.includes('gone@corp.example'), JSON.stringify(due));
    for (const never of ['pw.stale@corp.example', 'chief@corp.example', 'recent@corp.example', 'root@corp.example']) {
      assert.ok(!due.includes(never), `${never} would be deactivated`);
    }

    assert.equal((await api(revoker, '/remote-auth/deprovisioning/run', 'POST')).status, 403, 'only a Super Admin runs the job by hand');
    const run = (await api(root, '/remote-auth/deprovisioning/run', 'POST')).json().data;
    assert.equal(run.ran, true);
    assert.deepEqual(run.deactivated.map((d: { person: { email: string } }) => d.person.email).sort(), [...due].sort(), 'the job did not do what the preview said');

    const users = await app.adminUsers();
    assert.equal(users.find((u) => u.email === 'gone@corp.example')!.isActive, false);
    for (const kept of ['pw.stale@corp.example', 'chief@corp.example', 'recent@corp.example']) assert.equal(users.find((u) => u.email === kept)!.isActive, true, kept);
    assert.equal((await refresh(stale)).status, 401, 'the deactivated person kept a session');
    assert.equal((await refresh(linked)).status, 200);
    assert.deepEqual((await api(root, '/remote-auth/deprovisioning/preview')).json().data.due, [], 'a second run would deactivate again');
    const gone = (await api(root, '/remote-auth/accounts?pageSize=100')).json().results.find((a: { email: string }) => a.email === 'gone@corp.example');
    assert.equal(gone.isActive, false);
    assert.equal(gone.sessions, 0);
  });

  test('an account the plugin created that has since been given a password is never deactivated, however stale', async () => {
    // Created by single sign-on (not only linked) and stale like the control: only its password spares it.
    await handOff('pw.created@corp.example');
    const control = await handOff('nopw.created@corp.example');
    const withPassword = await idOf('pw.created@corp.example');
    await app.strapi.service('admin::user').updateById(withPassword, { password: PASSWORD });
    const stored = await knex()('admin_users').where({ id: withPassword }).first('password');
    assert.ok(stored?.password, 'the password was not stored: nothing is tested');
    for (const subject of ['pw.created@corp.example', 'nopw.created@corp.example']) await ageIdentity(subject, 40);
    const managed = (await api(root, '/remote-auth/accounts?pageSize=100')).json().results as Array<{ email: string; managed: string }>;
    assert.equal(managed.find((a) => a.email === 'pw.created@corp.example')?.managed, 'created', 'the account must be one the plugin created');
    app.configure({ ...BASE, deactivateAfterDays: 30 });

    const due = ((await api(root, '/remote-auth/deprovisioning/preview')).json().data.due as Array<{ email: string }>).map((p) => p.email);
    assert.ok(due.includes('nopw.created@corp.example'), `the stale control is not due: ${JSON.stringify(due)}`);
    assert.ok(!due.includes('pw.created@corp.example'), 'an account with a password would be deactivated');
    const run = (await api(root, '/remote-auth/deprovisioning/run', 'POST')).json().data;
    assert.equal(run.ran, true, JSON.stringify(run));
    const deactivated = run.deactivated.map((d: { person: { email: string } }) => d.person.email);
    assert.ok(deactivated.includes('nopw.created@corp.example'), JSON.stringify(deactivated));
    assert.ok(!deactivated.includes('pw.created@corp.example'), 'an account with a password was deactivated');
    const users = await app.adminUsers();
    assert.equal(users.find((u) => u.email === 'pw.created@corp.example')!.isActive, true);
    assert.equal(users.find((u) => u.email === 'nopw.created@corp.example')!.isActive, false);
    assert.equal((await refresh(control)).status, 401, 'the deactivated control kept its session');
    const passwordLoginRes = await passwordLogin(app, 'pw.created@corp.example', PASSWORD);
    assert.equal(passwordLoginRes.status, 200, 'the spared account cannot sign in with its password');
  });

  test('two runs asked for at once on one instance are one run: the second answers with the first one\'s result', async () => {
    await handOff('twice@corp.example');
    await ageIdentity('twice@corp.example', 40);
    app.configure({ ...BASE, deactivateAfterDays: 30 });
    await app.strapi.plugin('remote-auth').service('activity').flush();
    // Both asked for in the same tick (two HTTP requests may not overlap): the instance's job, as the route calls it.
    type Run = { ran: boolean; deactivated: Array<{ person: { email: string } }> };
    const job = app.strapi.plugin('remote-auth').service('deactivation-job') as { runOnce(): Promise<Run> };
    const [firstRun, secondRun] = await Promise.all([job.runOnce(), job.runOnce()]);
    assert.equal(firstRun.ran, true);
    assert.deepEqual(secondRun, firstRun);
    assert.deepEqual(firstRun.deactivated.map((d: { person: { email: string } }) => d.person.email), ['twice@corp.example']);
    await app.strapi.plugin('remote-auth').service('activity').flush();
    const rows = await knex()('remote_auth_activity').where({ kind: 'deactivated', user_id: await idOf('twice@corp.example') });
    assert.equal(rows.length, 1);
  });
});

describe('syncInterval (persistent mode), on a clock the test moves', () => {
  const GROUPS = {
    ...BASE,
    groupsHeader: 'Remote-Groups',
    groupRoles: { editors: ['strapi-editor'], authors: ['strapi-author'] },
    syncRoles: true,
    defaultRoles: [],
  };
  const INTERVAL_MS = 3_000;
  /** The plugin's clock (server/src/strapi/infrastructure/clock.ts): syncInterval decides with clock.now(). */
  const clock = () => app.strapi.plugin('remote-auth').service('clock') as { now(): number };
  let system: (() => number) | null = null;
  let at = 0;
  /** Stops the plugin's clock at a fixed instant; `advance` moves it. */
  const freeze = () => {
    system ??= clock().now;
    at = Date.now();
    clock().now = () => at;
  };
  const advance = (ms: number) => {
    at += ms;
  };
  beforeEach(freeze);
  afterEach(() => {
    if (system) clock().now = system;
    system = null;
  });
  const asWho = (who: string, groups: string, extra: Record<string, string> = {}) => ({ 'Remote-User': who, 'Remote-Groups': groups, ...extra });

  test('roles changed at the proxy are re-synced once the interval is up, not a millisecond before', async () => {
    app.configure({ ...GROUPS, syncInterval: INTERVAL_MS / 1000 });
    const who = 'hank@corp.example';
    const session = await handOff(who, { 'Remote-Groups': 'editors' });
    assert.deepEqual(await rolesOf(who), ['strapi-editor']);
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200); // this instance first sees the session: its clock starts
    advance(INTERVAL_MS - 1);
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    assert.deepEqual(await rolesOf(who), ['strapi-editor'], 're-synced before the interval');
    advance(1);
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    assert.deepEqual(await rolesOf(who), ['strapi-author'], 'not re-synced once the interval was up');
  });

  test("another person's header on the session: never switches, never syncs either account, and restarts the clock", async () => {
    app.configure({ ...GROUPS, syncInterval: INTERVAL_MS / 1000 });
    const who = 'hank.two@corp.example';
    const other = 'ivy@corp.example';
    const session = await handOff(who, { 'Remote-Groups': 'editors' });
    await handOff(other, { 'Remote-Groups': 'editors' });
    assert.equal((await me(session, asWho(who, 'editors'))).status, 200);
    advance(INTERVAL_MS);
    const res = await me(session, asWho(other, 'authors'));
    assert.equal(res.status, 200);
    assert.equal(res.json().data.email, who, 'the request switched person');
    assert.deepEqual(await rolesOf(who), ['strapi-editor']);
    assert.deepEqual(await rolesOf(other), ['strapi-editor']);
    // The attempt restarted the clock: the right person's header waits a whole interval again.
    advance(INTERVAL_MS - 1);
    await me(session, asWho(who, 'authors'));
    assert.deepEqual(await rolesOf(who), ['strapi-editor'], 'the attempt with the wrong header did not restart the clock');
    advance(1);
    await me(session, asWho(who, 'authors'));
    assert.deepEqual(await rolesOf(who), ['strapi-author']);
  });

  test('from another origin (T17): ignored, and the same person from the same origin then re-syncs', async () => {
    app.configure({ ...GROUPS, syncInterval: INTERVAL_MS / 1000 });
    const who = 'hank.three@corp.example';
    const session = await handOff(who, { 'Remote-Groups': 'editors' });
    assert.equal((await me(session, asWho(who, 'editors'))).status, 200);
    advance(INTERVAL_MS);
    await me(session, asWho(who, 'authors', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }));
    assert.deepEqual(await rolesOf(who), ['strapi-editor'], 'a cross-origin request re-synced roles');
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    assert.deepEqual(await rolesOf(who), ['strapi-author']);
  });

  test('off (the default): roles change only at sign-in, however much time passes', async () => {
    app.configure(GROUPS);
    const who = 'jade@corp.example';
    const session = await handOff(who, { 'Remote-Groups': 'editors' });
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    advance(366 * DAY_MS);
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    advance(366 * DAY_MS);
    assert.equal((await me(session, asWho(who, 'authors'))).status, 200);
    assert.deepEqual(await rolesOf(who), ['strapi-editor']);
    // The same requests with syncInterval on do re-sync (the requests above could have).
    app.configure({ ...GROUPS, syncInterval: 1 });
    await me(session, asWho(who, 'authors')); // this instance first sees the session with syncInterval on: its clock starts
    advance(1_000);
    await me(session, asWho(who, 'authors'));
    assert.deepEqual(await rolesOf(who), ['strapi-author'], 'the control re-sync did not happen: the requests above proved nothing');
  });
});

describe('link-table migration 4 (created_account) on links made before it', () => {
  test('backfill: a password → linked; no password and made with its link → created; no password but older → linked', async () => {
    const { migrateLinksTable } = await import('../../server/src/strapi/accounts/identity-links');
    // Links this test makes itself through sign-ins (one created, one linked) must come out as they went in.
    await app.createAdmin({ email: 'mig.linked@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    await handOff('mig.linked@corp.example');
    await handOff('mig.created@corp.example');
    const withPassword = await app.createAdmin({ email: 'old.pw@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    const madeWithLink = await app.createAdmin({ email: 'old.sso@corp.example', roles: ['strapi-editor'] });
    const older = await app.createAdmin({ email: 'old.invited@corp.example', roles: ['strapi-editor'] });
    await knex()('admin_users').where({ id: older.id }).update({ created_at: new Date(Date.now() - 5 * DAY_MS) });
    const now = new Date();
    for (const [user, subject] of [[withPassword, 'old.pw'], [madeWithLink, 'old.sso'], [older, 'old.invited']] as const) {
      await knex()('remote_auth_identities').insert({ source: 'header', subject: `${subject}@corp.example`, user_id: user.id, created_at: now, last_seen_at: now });
    }
    const createdFlags = async () =>
      Object.fromEntries(
        (await knex()('remote_auth_identities').select('subject', 'created_account')).map((r: { subject: string; created_account: unknown }) => [r.subject, Boolean(r.created_account)]),
      );
    const before = await createdFlags();
    assert.equal(before['mig.created@corp.example'], true, 'the sign-in did not record a created account');
    assert.equal(before['mig.linked@corp.example'], false, 'the sign-in did not record a linked account');
    const store = app.strapi.store({ type: 'plugin', name: 'remote-auth' });
    try {
      // Back to version 3: the column goes, the store says 3.
      await knex().schema.alterTable('remote_auth_identities', (table) => table.dropColumn('created_account'));
      await store.set({ key: 'schemaVersion', value: 3 });
      await migrateLinksTable(app.strapi);
    } finally {
      // Whatever happened above, the tests after this one get the current schema back.
      if (!(await knex().schema.hasColumn('remote_auth_identities', 'created_account'))) {
        await store.set({ key: 'schemaVersion', value: 3 });
        await migrateLinksTable(app.strapi);
      }
    }
    const after = await createdFlags();
    assert.equal(after['old.pw@corp.example'], false);
    assert.equal(after['old.sso@corp.example'], true);
    assert.equal(after['old.invited@corp.example'], false);
    for (const subject of ['mig.created@corp.example', 'mig.linked@corp.example']) assert.equal(after[subject], before[subject], subject);
    assert.equal(await store.get({ key: 'schemaVersion' }), 4);
  });
});
