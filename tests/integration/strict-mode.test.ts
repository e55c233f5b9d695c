/**
 * Strict mode, porting the behaviours of Django's tests/auth_tests/
 * test_remote_user.py: the header is the credential on every admin request.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { assertNoSession, passwordLogin, userCount } from '../harness/assertions';

const PASSWORD = 'Sup3rSecret!pass';
let app: TestStrapi;

before(async () => {
  app = await startStrapi({ config: { mode: 'strict' } });
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'knownuser@corp.example', roles: ['strapi-editor'] });
  await app.createAdmin({ email: 'knownuser2@corp.example', roles: ['strapi-editor'] });
  await app.createAdmin({ email: 'sleepy@corp.example', roles: ['strapi-editor'], isActive: false });
});
after(() => app?.stop());
beforeEach(() => app.configure({ mode: 'strict' }));

const handOff = (identity: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
const api = (path: string, headers: Record<string, string>, method = 'GET', body?: unknown) =>
  request(app.origin, path, { method, body, headers: { Accept: 'application/json', ...headers } });
const bearer = (res: TestResponse) => ({ Authorization: `Bearer ${res.cookies.jwtToken}` });
const sessionRows = async (userId: number) =>
  (await app.strapi.db.query('admin::session').findMany({ where: { userId: String(userId) } })).length;
const idOf = async (email: string) => (await app.adminUsers()).find((u) => u.email === email)!.id;

describe('requests authenticated by the header alone (the auth strategy)', () => {
  test('no header: 401 from the admin API', async () => {
    assert.equal((await api('/admin/users/me', {})).status, 401);
  });

  test('empty header: 401, never a default user', async () => {
    assert.equal((await api('/admin/users/me', { 'Remote-User': '' })).status, 401);
  });

  test('known user: the API acts as that user, with ctx.state.user and abilities', async () => {
    const me = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example' });
    assert.equal(me.status, 200, me.body);
    assert.equal(me.json().data.email, 'knownuser@corp.example');
    const perms = await api('/admin/users/me/permissions', { 'Remote-User': 'knownuser@corp.example' });
    assert.equal(perms.status, 200);
    assert.ok(perms.json().data.length > 0, 'abilities were not computed');
  });

  test('unknown user: refused without autoCreate; created once (never duplicated) with it', async () => {
    const before = await userCount(app);
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'newuser@corp.example' })).status, 401);
    assert.equal(await userCount(app), before);
    app.configure({ mode: 'strict', autoCreate: true });
    const results = await Promise.all(Array.from({ length: 10 }, () => api('/admin/users/me', { 'Remote-User': 'newuser@corp.example' })));
    for (const res of results) assert.equal(res.status, 200, res.body);
    assert.equal(await userCount(app), before + 1);
  });

  test('last seen is recorded for the identity', async () => {
    await api('/admin/users/me', { 'Remote-User': 'knownuser2@corp.example' });
    const row = await app.strapi.db.connection('remote_auth_identities').where({ subject: 'knownuser2@corp.example' }).first();
    assert.ok(row, 'no identity link');
    assert.ok(Date.now() - new Date(row.last_seen_at).getTime() < 60_000);
  });

  test('inactive user is refused (and allowInactive lets them in)', async () => {
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'sleepy@corp.example' })).status, 401);
    app.configure({ mode: 'strict', allowInactive: true });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'sleepy@corp.example' })).status, 200);
  });

  test('custom header', async () => {
    app.configure({ mode: 'strict', header: 'X-Auth-User' });
    assert.equal((await api('/admin/users/me', { 'X-Auth-User': 'knownuser@corp.example' })).status, 200);
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example' })).status, 401);
  });

  test('from an untrusted address the header authenticates nobody', async () => {
    const res = await request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', 'Remote-User': 'root@corp.example' }, localAddress: '127.0.0.2' });
    assert.equal(res.status, 401);
  });

  test('persistent mode never authenticates API requests by the header', async () => {
    app.configure({ mode: 'persistent' });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example' })).status, 401);
  });
});

describe('CSRF guard on header-authenticated unsafe requests', () => {
  const body = { firstname: 'Changed' };
  test('cross-site Origin → 403', async () => {
    const res = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example', Origin: 'https://evil.example', 'Content-Type': 'application/json' }, 'PUT', body);
    assert.equal(res.status, 401, res.body);
    assert.match(res.json().error.message, /Cross-site/);
  });
  test('Sec-Fetch-Site: cross-site → refused', async () => {
    const res = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example', 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' }, 'PUT', body);
    assert.equal(res.status, 401);
  });
  test('a form content type (what a cross-site form can send) → refused even same-origin', async () => {
    const res = await request(app.origin, '/admin/users/me', {
      method: 'PUT',
      body: 'firstname=Changed',
      headers: { 'Remote-User': 'knownuser@corp.example', Origin: app.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 401);
  });
  test('no Origin and no Sec-Fetch-Site → refused', async () => {
    const res = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example', 'Content-Type': 'application/json' }, 'PUT', body);
    assert.equal(res.status, 401);
  });
  test('same-origin JSON → allowed', async () => {
    const res = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example', Origin: app.origin, 'Content-Type': 'application/json' }, 'PUT', body);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().data.firstname, 'Changed');
  });
});

describe('sessions the plugin started', () => {
  test('header still there and the same: the session keeps working', async () => {
    const signedIn = await handOff('knownuser@corp.example');
    const me = await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'knownuser@corp.example' });
    assert.equal(me.status, 200);
  });

  test('header disappears: the session is revoked and the request gets 401', async () => {
    const id = await idOf('knownuser2@corp.example');
    const signedIn = await handOff('knownuser2@corp.example');
    const before = await sessionRows(id);
    const gone = await api('/admin/users/me', bearer(signedIn));
    assert.equal(gone.status, 401, gone.body);
    assert.equal(gone.json().error.details.code, 'identity-gone');
    assert.equal(await sessionRows(id), before - 1, 'session row not revoked');
    // Even with the header back, the revoked token is dead.
    const again = await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(again.status, 401);
    const refresh = await request(app.origin, '/admin/access-token', { method: 'POST', headers: { Cookie: cookieHeader(signedIn.cookies), 'Remote-User': 'knownuser2@corp.example' } });
    assert.equal(refresh.status, 401);
  });

  test('header names another user: the old session ends, the browser is signed in as the new user', async () => {
    const first = await handOff('knownuser@corp.example');
    const switched = await api('/admin/users/me', { ...bearer(first), 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(switched.status, 401, 'must never answer as the previous user');
    assert.equal(switched.json().error.details.code, 'identity-changed');
    const asNew = await api('/admin/users/me', { ...bearer(switched), 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(asNew.json().data.email, 'knownuser2@corp.example');
    assert.equal((await api('/admin/users/me', { ...bearer(first), 'Remote-User': 'knownuser@corp.example' })).status, 401, 'old session still alive');
    // The SPA's refresh call, with the new cookie, continues as the new user.
    const refreshed = await request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: { Cookie: cookieHeader(switched.cookies), 'Remote-User': 'knownuser2@corp.example' },
    });
    assert.equal(refreshed.status, 200, refreshed.body);
    const me = await api('/admin/users/me', { Authorization: `Bearer ${refreshed.json().data.token}`, 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(me.json().data.email, 'knownuser2@corp.example');
  });

  test('the refresh call with another identity switches users too', async () => {
    const first = await handOff('knownuser@corp.example');
    const refreshed = await request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: { Cookie: cookieHeader(first.cookies), 'Remote-User': 'knownuser2@corp.example' },
    });
    assert.equal(refreshed.status, 200, refreshed.body);
    const me = await api('/admin/users/me', { Authorization: `Bearer ${refreshed.json().data.token}`, 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(me.json().data.email, 'knownuser2@corp.example');
  });

  test('a blocked user is cut off on the next request', async () => {
    const victim = await app.createAdmin({ email: 'soon.blocked@corp.example', roles: ['strapi-editor'] });
    const signedIn = await handOff('soon.blocked@corp.example');
    assert.equal((await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'soon.blocked@corp.example' })).status, 200);
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.blocked@corp.example' })).status, 200, 'warms the identity cache');
    await app.strapi.service('admin::user').updateById(victim.id, { blocked: true });
    assert.equal((await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'soon.blocked@corp.example' })).status, 401);
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.blocked@corp.example' })).status, 401);
  });

  test('a deactivated user is cut off on the next request', async () => {
    const victim = await app.createAdmin({ email: 'soon.inactive@corp.example', roles: ['strapi-editor'] });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.inactive@corp.example' })).status, 200);
    await app.strapi.service('admin::user').updateById(victim.id, { isActive: false });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.inactive@corp.example' })).status, 401);
  });
});

describe('password sessions are left alone', () => {
  test('a password session survives requests without the header', async () => {
    const login = await passwordLogin(app, 'root@corp.example', PASSWORD);
    const token = login.json().data.token;
    for (let i = 0; i < 3; i++) {
      assert.equal((await api('/admin/users/me', { Authorization: `Bearer ${token}` })).status, 200);
    }
  });
});

describe('logout in strict mode (T16)', () => {
  test('logout revokes the session and a still-present header does not sign the browser back in', async () => {
    const signedIn = await handOff('knownuser@corp.example');
    const logout = await api('/admin/logout', { ...bearer(signedIn), Cookie: cookieHeader(signedIn.cookies), 'Remote-User': 'knownuser@corp.example', Origin: app.origin, 'Content-Type': 'application/json' }, 'POST', {});
    assert.equal(logout.status, 200, logout.body);
    const jar = { ...logout.cookies };
    assert.equal((await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'knownuser@corp.example' })).status, 401);
    const page = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'knownuser@corp.example', Cookie: cookieHeader(jar) } });
    assertNoSession({ ...page, status: page.status === 200 ? 200 : page.status }, 200);
    const apiCall = await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example', Cookie: cookieHeader(jar) });
    assert.equal(apiCall.status, 401, 'the header authenticated API calls of a signed-out browser');
  });
});
