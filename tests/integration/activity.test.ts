/**
 * Sign-in activity against a real Strapi: every kind of entry is recorded
 * where it happens (hand-off, explicit sign-in, strict mode once per session,
 * creation, role changes with their groups, refusals with a masked identity,
 * logout, strict revocation and person switch, settings changes without
 * values), and the API behind the Activity page: filters, pagination, the
 * per-day summary, CSV export (escaping, formula injection) and the
 * `plugin::remote-auth.activity.read` permission on every route.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';
import type { RefusalCode } from '../../server/src/pipeline/refusal';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { passwordLogin } from '../harness/assertions';
import { ACTIVITY_TABLE } from '../../server/src/strapi/activity/activity-table';
import { holdPluginClockStill } from '../harness/plugin-clock';
import { activityRows, type ActivityRowRead } from '../harness/activity-rows';
import { REFUSAL_ROWS_PER_WINDOW, SUPPRESSED_REASON } from '../../server/src/strapi/activity/activity-log';

const PASSWORD = 'Sup3rSecret!pass';
const SECRET = 'activity-shared-secret-0123456789abcdef';
const BASE = { trustedProxies: ['127.0.0.1/32'], autoCreate: true, maxNewUsersPerMinute: 0 };
let app: TestStrapi;
const activityLog = activityRows(() => app);
const { lastId, details } = activityLog;
const rowsSince = activityLog.since;
type Row = ActivityRowRead;
let root = '';
let author = '';
let reader = '';


const activity = () => app.strapi.plugin('remote-auth').service('activity') as { flush(): Promise<void>; record(entry: unknown): void };
const tokenFor = async (email: string) => (await passwordLogin(app, email, PASSWORD)).json().data.token as string;
const handOff = (identity: string, headers: Record<string, string> = {}) =>
  request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity, ...headers } });
const api = (path: string, headers: Record<string, string>, method = 'GET', body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Accept: 'application/json', ...headers } });
const asAdmin = (token: string, path: string) => api(path, { Authorization: `Bearer ${token}` });
const bearer = (res: TestResponse) => ({ Authorization: `Bearer ${res.cookies.jwtToken}` });

const idOf = async (email: string) => (await app.adminUsers()).find((u) => u.email === email)!.id;

before(async () => {
  app = await startStrapi({ config: BASE });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'author@corp.example', password: PASSWORD, roles: ['strapi-author'] });
  const role = await app.strapi.service('admin::role').create({ name: 'Auditors', description: 'may read sign-in activity' });
  await app.strapi.service('admin::role').assignPermissions(role.id, [
    { action: 'plugin::remote-auth.activity.read', subject: null, properties: {}, conditions: [] },
  ]);
  await app.createAdmin({ email: 'auditor@corp.example', password: PASSWORD, roles: [role.code] });
  root = await tokenFor('root@corp.example');
  author = await tokenFor('author@corp.example');
  reader = await tokenFor('auditor@corp.example');
});
after(() => app?.stop());
beforeEach(() => app.configure(BASE));

describe('recording', () => {
  test('a first hand-off records the account creation and one sign-in; page loads of the same session add nothing', async () => {
    const start = await lastId();
    const first = await handOff('new.person@corp.example');
    assert.equal(first.status, 200, first.body);
    const again = await request(app.origin, '/admin/content-manager', {
      headers: { ...BROWSER, 'Remote-User': 'new.person@corp.example', Cookie: cookieHeader(first.cookies) },
    });
    assert.equal(again.status, 200);
    const rows = await rowsSince(start);
    assert.deepEqual(rows.map((r) => r.kind), ['created', 'sign-in'], JSON.stringify(rows));
    const user = (await app.adminUsers()).find((u) => u.email === 'new.person@corp.example')!;
    for (const row of rows) {
      assert.equal(Number(row.user_id), user.id);
      assert.equal(row.identity, 'new.person@corp.example');
      assert.equal(row.peer, '127.0.0.1');
      assert.equal(row.source, 'header');
    }
    assert.deepEqual(details(rows[0]), { roles: ['strapi-author'] });
    assert.deepEqual(details(rows[1]), { via: 'hand-off' });
  });

  test('the explicit sign-in step records via "explicit"', async () => {
    const start = await lastId();
    const res = await request(app.origin, '/remote-auth/login?returnTo=/admin', { headers: { ...BROWSER, 'Remote-User': 'new.person@corp.example' } });
    assert.equal(res.status, 302, res.body);
    const rows = await rowsSince(start, { kind: 'sign-in' });
    assert.equal(rows.length, 1);
    assert.deepEqual(details(rows[0]), { via: 'explicit' });
  });

  test('role changes record the roles added and removed and the groups that caused them', async () => {
    app.configure({ ...BASE, groupsHeader: 'Remote-Groups', groupRoles: { 'cms-editors': ['strapi-editor'] }, syncRoles: true, defaultRoles: ['strapi-author'] });
    await handOff('grouped@corp.example');
    const start = await lastId();
    await handOff('grouped@corp.example', { 'Remote-Groups': 'cms-editors,unmapped' });
    let rows = await rowsSince(start, { kind: 'roles-changed' });
    assert.equal(rows.length, 1);
    assert.deepEqual(details(rows[0]), { added: ['strapi-editor'], removed: [], groups: ['cms-editors'] });
    await handOff('grouped@corp.example', { 'Remote-Groups': 'unmapped' });
    rows = await rowsSince(start, { kind: 'roles-changed' });
    assert.equal(rows.length, 2);
    assert.deepEqual(details(rows[1]), { added: [], removed: ['strapi-editor'], groups: [] });
  });

  test('refusals record the reason, the peer, the masked identity and what to change', async () => {
    app.configure({ ...BASE, autoCreate: false });
    const start = await lastId();
    const unknown = await handOff('jane.doe@corp.example');
    assert.equal(unknown.status, 403);
    const untrusted = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'root@corp.example' }, localAddress: '127.0.0.2' });
    assert.equal(untrusted.status, 403);
    const rows = await rowsSince(start, { kind: 'refused' });
    const byReason = Object.fromEntries(rows.map((r) => [r.reason, r]));
    const unknownRow = byReason['unknown-user'];
    assert.ok(unknownRow, JSON.stringify(rows));
    assert.equal(unknownRow.identity, 'ja******@corp.example #a46d6c', 'the tag is keyed from the fixture app\'s admin.auth.secret, not the SHA-256 of the address (#75741b)');
    assert.equal(unknownRow.peer, '127.0.0.1');
    assert.equal(unknownRow.user_id, null);
    assert.equal(details(unknownRow).status, 403);
    assert.ok(!JSON.stringify(unknownRow).includes('jane.doe'), 'the identity must be masked everywhere in the row');
    const untrustedRow = byReason['untrusted-peer'];
    assert.ok(untrustedRow);
    assert.equal(untrustedRow.peer, '127.0.0.2');
    assert.match(details(untrustedRow).hint, /trustedProxies/);
  });

  test('a user id that cannot fit the column is stored as none; a row the database refuses does not take its neighbours', async () => {
    const log = app.strapi.plugin('remote-auth').service('activity') as { flush(): Promise<void>; record(entry: unknown): void; stats(): { dropped: number } };
    const start = await lastId();
    const droppedBefore = log.stats().dropped;
    log.record({ kind: 'signed-out-by-admin', userId: 99999999999, source: 'admin', by: 1, sessions: 0 });
    log.record({ kind: 'logout', userId: 1, source: 'neighbour-1' });
    log.record({ kind: null, source: 'refused-by-the-database' }); // NOT NULL kind: the database refuses this one row
    log.record({ kind: 'logout', userId: 1, source: 'neighbour-2' });
    const rows = await rowsSince(start);
    assert.deepEqual(
      rows.map((row) => [row.kind, row.user_id === null ? null : Number(row.user_id), row.source]),
      [
        ['signed-out-by-admin', null, 'admin'],
        ['logout', 1, 'neighbour-1'],
        ['logout', 1, 'neighbour-2'],
      ],
    );
    assert.equal(log.stats().dropped, droppedBefore + 1);
  });

  test("a refusal's hint keeps no e-mail address or other person's identity unmasked", async () => {
    app.configure({ ...BASE, userField: 'username', emailDomain: 'corp.example', emailHeader: 'Remote-Email' });
    const start = await lastId();
    const res = await handOff('stranger', { 'Remote-Email': 'author@corp.example' });
    assert.equal(res.status, 403);
    const [row] = await rowsSince(start, { kind: 'refused' });
    assert.ok(row, 'a refusal row');
    const hint = details(row).hint as string;
    assert.equal(hint, REFUSAL_CODES[row.reason as RefusalCode].hint, 'the hint is the fixed sentence of the code');
    assert.ok(!JSON.stringify(row).includes('author@corp.example'), hint);
    assert.ok(!JSON.stringify(row).includes('stranger'), hint);
  });

  test('a flood of the same refusal is folded into one row', async () => {
    const start = await lastId();
    for (let i = 0; i < 20; i++) await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'x@corp.example' }, localAddress: '127.0.3.3' });
    assert.equal((await rowsSince(start, { kind: 'refused' })).length, 1);
  });

  test('logout of a session the plugin started is recorded', async () => {
    const signedIn = await handOff('new.person@corp.example');
    const start = await lastId();
    const logout = await request(app.origin, '/admin/logout', {
      method: 'POST',
      body: {},
      headers: { ...bearer(signedIn), Cookie: cookieHeader(signedIn.cookies), 'Remote-User': 'new.person@corp.example' },
    });
    assert.equal(logout.status, 200, logout.body);
    const rows = await rowsSince(start, { kind: 'logout' });
    assert.equal(rows.length, 1);
    assert.equal(Number(rows[0].user_id), (await app.adminUsers()).find((u) => u.email === 'new.person@corp.example')!.id);
  });

  test('strict mode: header authentication is one sign-in per session, not per request', async () => {
    app.configure({ ...BASE, mode: 'strict' });
    const start = await lastId();
    for (let i = 0; i < 5; i++) assert.equal((await api('/admin/users/me', { 'Remote-User': 'strict.api@corp.example' })).status, 200);
    const rows = await rowsSince(start, { kind: 'sign-in' });
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.deepEqual(details(rows[0]), { via: 'header-strategy' });
  });

  test('strict mode: a revoked session and a person switch are recorded', async () => {
    app.configure({ ...BASE, mode: 'strict' });
    const first = await handOff('strict.one@corp.example');
    await handOff('strict.two@corp.example');
    const users = await app.adminUsers();
    const one = users.find((u) => u.email === 'strict.one@corp.example')!.id;
    const start = await lastId();
    const switched = await api('/admin/users/me', { ...bearer(first), 'Remote-User': 'strict.two@corp.example' });
    assert.equal(switched.status, 401);
    const switchRows = await rowsSince(start);
    assert.deepEqual(switchRows.map((r) => r.kind), ['revoked', 'sign-in']);
    assert.equal(details(switchRows[0]).cause, 'person-switch');
    assert.equal(Number(switchRows[0].user_id), one);
    assert.deepEqual(details(switchRows[1]), { via: 'strict' });

    const second = await handOff('strict.one@corp.example');
    const mark = await lastId();
    const gone = await api('/admin/users/me', bearer(second));
    assert.equal(gone.status, 401);
    const revoked = await rowsSince(mark, { kind: 'revoked' });
    assert.equal(revoked.length, 1);
    assert.deepEqual(details(revoked[0]), { cause: 'strict-revocation', code: 'identity-gone' });
    assert.equal(Number(revoked[0].user_id), one);
  });

  test('a settings change records who and which keys, never a value', async () => {
    const start = await lastId();
    const current = (await asAdmin(root, '/remote-auth/settings')).json().data.settings;
    const saved = await api('/remote-auth/settings', { Authorization: `Bearer ${root}` }, 'PUT', {
      settings: { ...current, activityRetentionDays: 30, sharedSecret: { header: 'X-Proxy-Secret', value: SECRET } },
    });
    assert.equal(saved.status, 200, saved.body);
    const rows = await rowsSince(start, { kind: 'settings-changed' });
    assert.equal(rows.length, 1);
    assert.deepEqual(details(rows[0]).keys.sort(), ['activityRetentionDays', 'sharedSecret']);
    assert.equal(Number(rows[0].user_id), (await app.adminUsers()).find((u) => u.email === 'root@corp.example')!.id);
    assert.ok(!JSON.stringify(rows).includes(SECRET));
    await api('/remote-auth/settings', { Authorization: `Bearer ${root}` }, 'PUT', { settings: { trustedProxies: current.trustedProxies } });
  });
});

describe('the activity API', () => {
  const seedIdentity = 'csv.person@corp.example';

  before(async () => {
    // Rows on fixed days, through the recorder, for the filters and the chart.
    const knex = app.strapi.db.connection;
    await activity().flush();
    const day = (d: string, hour = 12) => Date.parse(`${d}T${String(hour).padStart(2, '0')}:00:00Z`);
    const rows = [
      { at: day('2020-01-01'), kind: 'sign-in', identity: seedIdentity, details: '{"via":"hand-off"}' },
      { at: day('2020-01-01', 13), kind: 'refused', reason: 'unknown-user', identity: 'cs***@corp.example', details: '{"status":403}' },
      { at: day('2020-01-02'), kind: 'sign-in', identity: seedIdentity, details: '{"via":"explicit"}' },
      { at: day('2020-01-03'), kind: 'refused', reason: 'group-denied', identity: 'cs***@corp.example', details: '{"status":403}' },
      { at: day('2020-01-03', 14), kind: 'refused', reason: 'unknown-user', identity: 'cs***@corp.example', details: '{"status":403}' },
      // For the filter by account: a day of its own, one row for root and one for another account.
      { at: day('2020-01-05'), kind: 'settings-changed', user_id: await idOf('root@corp.example'), identity: null, source: 'admin', details: '{"keys":["mode"]}' },
      { at: day('2020-01-05', 13), kind: 'settings-changed', user_id: await idOf('author@corp.example'), identity: null, source: 'admin', details: '{"keys":["mode"]}' },
    ];
    await knex(ACTIVITY_TABLE).insert(
      rows.map((row) => ({ reason: null, user_id: null, peer: '10.0.0.1', source: 'header', instance: 'seed', ...row, day: new Date(row.at).toISOString().slice(0, 10) })),
    );
  });

  const list = (query: string, token = root) => asAdmin(token, `/remote-auth/activity?${query}`);

  test('filters by person, kind, reason and date range; newest first', async () => {
    const range = 'from=2020-01-01&to=2020-01-03';
    const all = (await list(range)).json().data;
    assert.equal(all.pagination.total, 5);
    assert.deepEqual(all.results.map((r: { at: string }) => r.at.slice(0, 10)), ['2020-01-03', '2020-01-03', '2020-01-02', '2020-01-01', '2020-01-01']);
    assert.equal((await list(`${range}&kind=refused`)).json().data.pagination.total, 3);
    assert.equal((await list(`${range}&kind=refused&reason=unknown-user`)).json().data.pagination.total, 2);
    assert.equal((await list('from=2020-01-02&to=2020-01-03&kind=sign-in,refused')).json().data.pagination.total, 3);
    assert.equal((await list(`${range}&from=2020-01-02`)).status, 400, 'a filter given twice is refused');
    assert.equal((await list(`${range}&person=CSV.PERSON`)).json().data.pagination.total, 2);
    assert.equal((await list(`${range}&person=100%25`)).json().data.pagination.total, 0, 'LIKE wildcards are literal');
    const byUser = (await list('from=2020-01-05&to=2020-01-05&person=root@corp')).json().data;
    assert.equal(byUser.pagination.total, 1, JSON.stringify(byUser.results));
    assert.equal(byUser.results[0].user?.email, 'root@corp.example');
    assert.equal((await list('from=2020-01-05&to=2020-01-05')).json().data.pagination.total, 2, 'the filter by account had nothing to leave out');
  });

  test('paginates', async () => {
    const page2 = (await list('from=2020-01-01&to=2020-01-03&pageSize=2&page=2')).json().data;
    assert.deepEqual(page2.pagination, { page: 2, pageSize: 2, total: 5, pageCount: 3 });
    assert.equal(page2.results.length, 2);
    assert.equal(page2.results[0].at.slice(0, 10), '2020-01-02');
  });

  test('bad filters are a 400 naming the problem', async () => {
    const res = await list('from=yesterday');
    assert.equal(res.status, 400);
    assert.match(res.json().error.message, /from must be a day as YYYY-MM-DD/);
    assert.match((await list('kind=nonsense')).json().error.message, /unknown kind nonsense/);
  });

  test('a person filter of digits past the id column (2^31−1) matches no user id instead of failing the query', async () => {
    for (const person of ['99999999999', '2147483648']) {
      const res = await list(`person=${person}`);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json().data.pagination.total, 0);
      assert.equal((await asAdmin(root, `/remote-auth/activity/summary?person=${person}`)).status, 200);
    }
  });

  test('summary: sign-ins and refusals per day over the range, and the reasons seen', async () => {
    const res = await asAdmin(root, '/remote-auth/activity/summary?from=2020-01-01&to=2020-01-04');
    assert.equal(res.status, 200, res.body);
    const data = res.json().data;
    assert.deepEqual(data.days, [
      { day: '2020-01-01', signIns: 1, refusals: 1 },
      { day: '2020-01-02', signIns: 1, refusals: 0 },
      { day: '2020-01-03', signIns: 0, refusals: 2 },
      { day: '2020-01-04', signIns: 0, refusals: 0 },
    ]);
    assert.deepEqual(data.reasons, ['group-denied', 'unknown-user']);
  });

  test("summary: the recorder's counters are the live ones (a row the database refuses shows as dropped)", async () => {
    const summary = async () => (await asAdmin(root, '/remote-auth/activity/summary?from=2020-01-01&to=2020-01-01')).json().data.recorder;
    const before = await summary();
    assert.equal(typeof before.dropped, 'number');
    activity().record({ kind: null, source: 'refused-by-the-database' }); // NOT NULL kind
    await activity().flush();
    const after = await summary();
    assert.equal(after.dropped, before.dropped + 1, JSON.stringify({ before, after }));
  });

  test('CSV export: every matching row, escaped, formulas neutralised', async () => {
    activity().record({ kind: 'sign-in', via: 'hand-off', identity: '=HYPERLINK("http://evil.example","x"),@SUM(1)', peer: '10.0.0.9', source: 'header' });
    activity().record({ kind: 'sign-in', via: 'hand-off', identity: '-2+3', peer: '10.0.0.9', source: 'header' });
    const res = await asAdmin(root, '/remote-auth/activity/export?kind=logout&from=2020-01-01&to=2020-01-01');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="remote-auth-activity-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = res.body.split('\r\n');
    assert.equal(lines[0], 'time,kind,reason,user_id,user_email,identity,peer,source,details,instance');
    const all = await asAdmin(root, '/remote-auth/activity/export?kind=sign-in');
    assert.ok(all.body.includes(`,"'=HYPERLINK(""http://evil.example"",""x""),@SUM(1)",10.0.0.9,header,"{""via"":""hand-off""}",`), all.body.slice(0, 2000));
    assert.ok(all.body.includes(`,'-2+3,10.0.0.9,header,`));
    const ranged = await asAdmin(root, '/remote-auth/activity/export?from=2020-01-01&to=2020-01-03&kind=refused');
    const rows = ranged.body.trim().split('\r\n');
    assert.equal(rows.length, 4);
    assert.match(rows[1], /^2020-01-03T14:00:00\.000Z,refused,unknown-user,,,cs\*\*\*@corp\.example,10\.0\.0\.1,header,"{""status"":403}",seed$/);
  });

  test('every route needs plugin::remote-auth.activity.read', async () => {
    for (const path of ['/remote-auth/activity', '/remote-auth/activity/summary', '/remote-auth/activity/export']) {
      assert.equal((await asAdmin(author, path)).status, 403, `${path} for a role without the permission`);
      assert.equal((await api(path, {})).status, 401, `${path} without a session`);
      assert.equal((await asAdmin(reader, path)).status, 200, `${path} for a role with only activity.read`);
    }
    // activity.read does not open the settings.
    assert.equal((await asAdmin(reader, '/remote-auth/settings')).status, 403);
  });
});

describe('retention', () => {
  const DAY_MS = 86_400_000;

  test('the lease: of holders racing for it, exactly one gets it; it renews for its holder and passes on when it expires', async () => {
    const { createLeases } = await import('../../server/src/strapi/infrastructure/lease');
    const name = `race-${Date.now()}`;
    // One clock for every holder, moved by the test (the instances of a deployment share real time).
    let now = Date.now();
    const clock = { now: () => now };
    const holders = Array.from({ length: 8 }, (_, i) => createLeases(app.strapi, `holder-${i}`, clock));
    const won = await Promise.all(holders.map((leases) => leases.acquire(name, 60_000)));
    assert.equal(won.filter(Boolean).length, 1, JSON.stringify(won));
    const winner = holders[won.indexOf(true)];
    const other = holders.find((h) => h !== winner)!;
    assert.equal((await winner.holderOf(name))?.holder, winner.holder);
    now += 30_000;
    assert.equal(await winner.acquire(name, 1_000), true, 'the holder renews');
    assert.equal((await winner.holderOf(name))?.expiresAt, now + 1_000);
    now += 999;
    assert.equal(await other.acquire(name, 60_000), false, 'a lease passed on before it expired');
    now += 2;
    assert.equal(await other.acquire(name, 60_000), true, 'an expired lease passes on');
    assert.equal(await winner.acquire(name, 60_000), false);
    assert.equal((await other.holderOf(name))?.holder, other.holder);
  });

  test('pruning deletes rows older than activityRetentionDays in batches, keeps the rest; another instance holding the lease skips', async () => {
    const knex = app.strapi.db.connection;
    await activity().flush();
    const now = Date.now();
    await knex(ACTIVITY_TABLE).where('at', '<', now - 90 * DAY_MS).delete(); // the API tests' rows of 2020
    const old = Array.from({ length: 2_500 }, (_, i) => now - 91 * DAY_MS - i * 1000);
    const kept = [now - 89 * DAY_MS, now - DAY_MS];
    const row = (at: number) => ({ at, day: new Date(at).toISOString().slice(0, 10), kind: 'sign-in', identity: 'retention@corp.example', instance: 'seed' });
    for (let i = 0; i < old.length; i += 500) await knex(ACTIVITY_TABLE).insert(old.slice(i, i + 500).map(row));
    await knex(ACTIVITY_TABLE).insert(kept.map(row));
    const retention = app.strapi.plugin('remote-auth').service('retention') as { prune(): Promise<{ deleted: number } | 'skipped'> };
    // Another instance holds the lease: this one skips.
    const { createLeases } = await import('../../server/src/strapi/infrastructure/lease');
    await knex('remote_auth_leases').where({ name: 'activity-retention' }).delete();
    assert.equal(await createLeases(app.strapi, 'another-instance').acquire('activity-retention', 60_000), true);
    assert.equal(await retention.prune(), 'skipped');
    assert.equal(Number((await knex(ACTIVITY_TABLE).where({ identity: 'retention@corp.example' }).count({ n: '*' }).first())?.n), 2_502);
    // The lease expired: this one prunes.
    await knex('remote_auth_leases').where({ name: 'activity-retention' }).update({ expires_at: 0 });
    assert.deepEqual(await retention.prune(), { deleted: 2_500 });
    const left = (await knex(ACTIVITY_TABLE).where({ identity: 'retention@corp.example' }).orderBy('at').pluck('at')).map(Number);
    assert.deepEqual(left, kept);
  });
});

// Last: the cap it fills holds for the next 10 s, and later refusal tests would see their rows counted instead.
describe('refusal floods', () => {
  test('refusals from many source addresses: one row per network (/24), at most REFUSAL_ROWS_PER_WINDOW rows, the rest counted in a summary row', async (t) => {
    holdPluginClockStill(app.strapi, t); // the whole flood is one 10-s window, however slow the machine is
    const start = await lastId();
    const refuse = (localAddress: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'x@corp.example' }, localAddress });
    for (let host = 1; host <= 40; host++) assert.equal((await refuse(`127.0.7.${host}`)).status, 403);
    for (let net = 0; net < REFUSAL_ROWS_PER_WINDOW + 30; net++) assert.equal((await refuse(`127.${10 + (net >> 8)}.${net & 255}.1`)).status, 403);
    const rows = await rowsSince(start, { kind: 'refused' });
    const own = rows.filter((row) => row.reason === 'untrusted-peer');
    const summaries = rows.filter((row) => row.reason === SUPPRESSED_REASON);
    assert.equal(own.filter((row) => row.peer!.startsWith('127.0.7.')).length, 1, 'one row for one /24');
    assert.ok(summaries.length >= 1, 'the refusals past the cap must still show');
    const suppressed = summaries.reduce((sum, row) => sum + (details(row).suppressed as number), 0);
    assert.equal(own.length + suppressed, 1 + REFUSAL_ROWS_PER_WINDOW + 30, 'every refused network is a row or counted');
    assert.ok(own.length <= 2 * REFUSAL_ROWS_PER_WINDOW, `${own.length} rows`);
    assert.match(details(summaries[0]).hint, /refusals within 10 s were counted/);
  });
});
