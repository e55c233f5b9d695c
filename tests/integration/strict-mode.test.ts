/**
 * Strict mode, porting the behaviours of Django's tests/auth_tests/
 * test_remote_user.py: the header is the credential on every admin request.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { assertNoSession, assertRefused, passwordLogin, snapshot, userCount } from '../harness/assertions';

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

  test('unknown user: refused (unknown-user) without autoCreate; created once (never duplicated) with it', async () => {
    const before = await snapshot(app);
    const refused = await api('/admin/users/me', { 'Remote-User': 'newuser@corp.example' });
    await assertRefused(app, before, refused, 403, 'unknown-user');
    const count = await userCount(app);
    app.configure({ mode: 'strict', autoCreate: true });
    const results = await Promise.all(Array.from({ length: 10 }, () => api('/admin/users/me', { 'Remote-User': 'newuser@corp.example' })));
    for (const res of results) assert.equal(res.status, 200, res.body);
    assert.equal(await userCount(app), count + 1);
  });

  test('last seen is recorded for the identity', async () => {
    await api('/admin/users/me', { 'Remote-User': 'knownuser2@corp.example' });
    const row = await app.strapi.db.connection('remote_auth_identities').where({ subject: 'knownuser2@corp.example' }).first();
    assert.ok(row, 'no identity link');
    assert.ok(Date.now() - new Date(row.last_seen_at).getTime() < 60_000);
  });

  test('inactive user is refused (inactive-user), and allowInactive lets them in', async () => {
    await app.createAdmin({ email: 'sleepy.api@corp.example', roles: ['strapi-editor'], isActive: false });
    const before = await snapshot(app);
    await assertRefused(app, before, await api('/admin/users/me', { 'Remote-User': 'sleepy.api@corp.example' }), 403, 'inactive-user');
    app.configure({ mode: 'strict', allowInactive: true });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'sleepy.api@corp.example' })).status, 200);
  });

  test('blocked user is refused (blocked-user), even with allowInactive', async () => {
    await app.createAdmin({ email: 'blocked.api@corp.example', roles: ['strapi-editor'], blocked: true });
    app.configure({ mode: 'strict', allowInactive: true });
    const before = await snapshot(app);
    await assertRefused(app, before, await api('/admin/users/me', { 'Remote-User': 'blocked.api@corp.example' }), 403, 'blocked-user');
  });

  test('custom header', async () => {
    app.configure({ mode: 'strict', header: 'X-Auth-User' });
    assert.equal((await api('/admin/users/me', { 'X-Auth-User': 'knownuser@corp.example' })).status, 200);
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example' })).status, 401);
  });

  test('from an untrusted address the header authenticates nobody', async () => {
    const before = await snapshot(app);
    const res = await request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', 'Remote-User': 'root@corp.example' }, localAddress: '127.0.0.2' });
    await assertRefused(app, before, res, 403, 'untrusted-peer');
  });

  test('a Super Admin authenticated by the header alone is a Super Admin to the plugin: no setting is read-only to them', async () => {
    const res = await api('/remote-auth/settings', { 'Remote-User': 'root@corp.example' });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json().data.readOnly, {});
  });

  test('persistent mode never authenticates API requests by the header', async () => {
    app.configure({ mode: 'persistent' });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'knownuser@corp.example' })).status, 401);
  });
});

describe('requests authenticated by the header must be same-origin, reads included (T17)', () => {
  const who = 'knownuser@corp.example';
  const firstname = async () => (await app.strapi.db.query('admin::user').findOne({ where: { email: who }, select: ['firstname'] })).firstname;
  const CORS_GRANT = ['access-control-allow-origin', 'access-control-allow-credentials'];
  const assertNoCorsGrant = (res: TestResponse, label: string) => {
    for (const name of CORS_GRANT) assert.equal(res.headers[name], undefined, `${label}: ${name} on a refused response`);
  };

  /** What a page on another origin can make the browser send through the proxy; each write carries its own value. */
  const crossOriginWrites = (): Array<[string, Record<string, string>]> => [
    ['Origin + Sec-Fetch-Site cross-site', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site cross-site only', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['foreign Origin only', { Origin: 'https://evil.example' }],
    ['Origin null', { Origin: 'null' }],
    ['same host and port, other scheme', { Origin: app.origin.replace('http:', 'https:') }],
    ['no Origin, no Sec-Fetch-Site', {}],
  ];

  test('every cross-origin write is refused with cross-site-request, and the user is not changed', async () => {
    for (const [label, headers] of crossOriginWrites()) {
      const before = await snapshot(app);
      const res = await api('/admin/users/me', { 'Remote-User': who, 'Content-Type': 'application/json', ...headers }, 'PUT', { firstname: `Forged ${label}` });
      await assertRefused(app, before, res, 403, 'cross-site-request');
      assertNoCorsGrant(res, label);
      assert.notEqual(await firstname(), `Forged ${label}`, label);
    }
  });

  test('a form content type (what a cross-site form can send) is refused even same-origin', async () => {
    const before = await snapshot(app);
    const res = await request(app.origin, '/admin/users/me', {
      method: 'PUT',
      body: 'firstname=FormPosted',
      headers: { Accept: 'application/json', 'Remote-User': who, Origin: app.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await assertRefused(app, before, res, 403, 'cross-site-request');
    assert.notEqual(await firstname(), 'FormPosted');
  });

  test('a same-origin JSON write is honoured (and really happens)', async () => {
    for (const [label, headers] of [
      ['Origin', { Origin: app.origin }],
      ['Sec-Fetch-Site', { 'Sec-Fetch-Site': 'same-origin' }],
    ] as Array<[string, Record<string, string>]>) {
      const value = `Same-origin via ${label}`;
      const res = await api('/admin/users/me', { 'Remote-User': who, 'Content-Type': 'application/json', ...headers }, 'PUT', { firstname: value });
      assert.equal(res.status, 200, res.body);
      assert.equal(await firstname(), value);
    }
  });

  test('cross-origin reads are refused without a CORS grant: /admin/users, /admin/users/me, /admin/api-tokens', async () => {
    const attack = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' };
    for (const path of ['/admin/users', '/admin/users/me', '/admin/api-tokens']) {
      const before = await snapshot(app);
      const res = await api(path, { 'Remote-User': 'root@corp.example', ...attack });
      await assertRefused(app, before, res, 403, 'cross-site-request');
      assertNoCorsGrant(res, path);
      assert.doesNotMatch(res.body, /root@corp\.example|accessKey/, path);
    }
  });

  test('other cross-origin read shapes: HEAD, Origin null, other scheme, Sec-Fetch-Site none or same-site', async () => {
    const shapes: Array<[string, string, Record<string, string>]> = [
      ['HEAD', 'HEAD', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
      ['Origin null', 'GET', { Origin: 'null' }],
      ['https Origin on http', 'GET', { Origin: app.origin.replace('http:', 'https:') }],
      ['Sec-Fetch-Site none', 'GET', { 'Sec-Fetch-Site': 'none' }],
      ['Sec-Fetch-Site same-site', 'GET', { 'Sec-Fetch-Site': 'same-site' }],
    ];
    for (const [label, method, headers] of shapes) {
      const res = await api('/admin/users/me', { 'Remote-User': who, ...headers }, method);
      assert.equal(res.status, 403, label);
      if (method === 'GET') assert.equal(res.json().error.details.code, 'cross-site-request', label);
      assertNoCorsGrant(res, label);
    }
  });

  test('same-origin reads: Sec-Fetch-Site alone (browsers send no Origin), the matching Origin, or a non-browser client', async () => {
    for (const headers of [{ 'Sec-Fetch-Site': 'same-origin' }, { Origin: app.origin }, {}] as Array<Record<string, string>>) {
      const res = await api('/admin/users/me', { 'Remote-User': who, ...headers });
      assert.equal(res.status, 200, `${JSON.stringify(headers)}: ${res.body}`);
    }
  });

  test('an absolute server.url is the admin origin', async () => {
    const previous = app.strapi.config.get('server.url');
    app.strapi.config.set('server.url', 'https://cms.example/');
    try {
      assert.equal((await api('/admin/users/me', { 'Remote-User': who, Origin: 'https://cms.example' })).status, 200);
      const res = await api('/admin/users/me', { 'Remote-User': who, Origin: app.origin });
      assert.equal(res.status, 403);
      assert.equal(res.json().error.details.code, 'cross-site-request');
    } finally {
      app.strapi.config.set('server.url', previous);
    }
  });

  test('X-Forwarded-Proto counts only when server.proxy is on', async () => {
    const https = app.origin.replace('http:', 'https:');
    const headers = { 'Remote-User': who, Origin: https, 'X-Forwarded-Proto': 'https' };
    assert.equal((await api('/admin/users/me', headers)).status, 403, 'a client-sent X-Forwarded-Proto was believed');
    const koa = app.strapi.server.app as { proxy: boolean };
    const previous = koa.proxy;
    koa.proxy = true;
    try {
      assert.equal((await api('/admin/users/me', headers)).status, 200);
    } finally {
      koa.proxy = previous;
    }
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
    const withSession = await api('/admin/users/me', { ...bearer(signedIn), 'Remote-User': 'soon.blocked@corp.example' });
    assert.equal(withSession.status, 401);
    assert.equal(withSession.json().error.details.code, 'blocked-user');
    const headerOnly = await api('/admin/users/me', { 'Remote-User': 'soon.blocked@corp.example' });
    assert.equal(headerOnly.status, 403);
    assert.equal(headerOnly.json().error.details.code, 'blocked-user');
  });

  test('a deactivated user is cut off on the next request', async () => {
    const victim = await app.createAdmin({ email: 'soon.inactive@corp.example', roles: ['strapi-editor'] });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.inactive@corp.example' })).status, 200);
    await app.strapi.service('admin::user').updateById(victim.id, { isActive: false });
    const res = await api('/admin/users/me', { 'Remote-User': 'soon.inactive@corp.example' });
    assert.equal(res.status, 403);
    assert.equal(res.json().error.details.code, 'inactive-user');
  });

  test('a role change is seen on the very next request (the identity cache is cleared at once)', async () => {
    const user = await app.createAdmin({ email: 'role.change@corp.example', roles: ['strapi-editor'] });
    const roles = async () => ((await api('/admin/users/me', { 'Remote-User': 'role.change@corp.example' })).json().data.roles as Array<{ code: string }>).map((r) => r.code);
    assert.deepEqual(await roles(), ['strapi-editor']);
    const author = await app.strapi.service('admin::role').findOne({ code: 'strapi-author' });
    await app.strapi.service('admin::user').updateById(user.id, { roles: [author.id] });
    assert.deepEqual(await roles(), ['strapi-author']);
  });

  test('a deleted user is refused on the very next request (the identity cache is cleared at once)', async () => {
    const user = await app.createAdmin({ email: 'soon.deleted@corp.example', roles: ['strapi-editor'] });
    assert.equal((await api('/admin/users/me', { 'Remote-User': 'soon.deleted@corp.example' })).status, 200, 'warms the identity cache');
    await app.strapi.service('admin::user').deleteById(user.id);
    const res = await api('/admin/users/me', { 'Remote-User': 'soon.deleted@corp.example' });
    assert.equal(res.status, 403, res.body);
    assert.equal(res.json().error.details.code, 'unknown-user');
  });

  test('a page load that switches the person ends the previous person’s session at once (T24)', async () => {
    const jane = await app.createAdmin({ email: 'switch.jane@corp.example', roles: ['strapi-editor'] });
    await app.createAdmin({ email: 'switch.bob@corp.example', roles: ['strapi-editor'] });
    const active = async () => (await app.strapi.db.query('admin::session').findMany({ where: { userId: String(jane.id), status: 'active' } })).length;
    const first = await handOff('switch.jane@corp.example');
    assert.equal(await active(), 1);
    // Only the refresh cookie: it alone names the session the browser holds.
    const refreshOnly = { strapi_admin_refresh: first.cookies.strapi_admin_refresh, 'strapi_admin_refresh.sig': first.cookies['strapi_admin_refresh.sig'] };
    const switched = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'switch.bob@corp.example', Cookie: cookieHeader(refreshOnly) } });
    assert.ok(switched.cookies.jwtToken, 'bob was not signed in');
    assert.equal(await active(), 0, 'jane’s session is still active');
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

describe('renewing a single sign-on session: only from the admin’s own origin, and never skipped (attack pass)', () => {
  const renew = (signedIn: TestResponse, headers: Record<string, string>) =>
    request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: { Cookie: cookieHeader(signedIn.cookies), 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
      body: {},
    });

  for (const mode of ['persistent', 'strict'] as const) {
    test(`${mode}: a sibling subdomain’s page cannot read a renewed token (403 cross-site-request, no CORS grant); the admin itself can`, async () => {
      app.configure({ mode });
      const signedIn = await handOff('knownuser@corp.example');
      for (const evidence of <Array<Record<string, string>>>[
        { Origin: 'http://evil.corp.test', 'Sec-Fetch-Site': 'same-site' },
        { Origin: 'http://evil.corp.test' },
        { 'Sec-Fetch-Site': 'cross-site' },
        { Origin: 'null' },
      ]) {
        const before = await snapshot(app);
        const res = await renew(signedIn, { ...evidence, 'Remote-User': 'knownuser@corp.example' });
        await assertRefused(app, before, res, 403, 'cross-site-request');
        assert.ok(!/"token"/.test(res.body), 'no token in the body');
        for (const name of Object.keys(res.headers)) assert.ok(!name.startsWith('access-control-'), `CORS grant ${name} on a refusal`);
      }
      const own = await renew(signedIn, { Origin: app.origin, 'Sec-Fetch-Site': 'same-origin', 'Remote-User': 'knownuser@corp.example' });
      assert.equal(own.status, 200, own.body);
      assert.ok(own.json().data.token);
    });
  }

  test('strict: a planted session of someone else plus the victim’s header, renewed cross-origin: refused, no session minted for the victim', async () => {
    const mallory = await app.createAdmin({ email: `mallory.${Date.now()}@corp.example`, roles: ['strapi-author'] });
    const planted = await handOff(mallory.email);
    const victimSessions = await sessionRows(await idOf('knownuser2@corp.example'));
    const before = await snapshot(app);
    const res = await renew(planted, { Origin: 'http://evil.corp.test', 'Sec-Fetch-Site': 'same-site', 'Remote-User': 'knownuser2@corp.example' });
    await assertRefused(app, before, res, 403, 'cross-site-request');
    assert.equal(await sessionRows(await idOf('knownuser2@corp.example')), victimSessions);
  });

  test('strict: an Authorization header that is not one of our Bearer tokens does not make a renewal skip the identity check', async () => {
    for (const authorization of ['Basic amFuZTpzZWNyZXQ=', 'Bearer x', 'Bearer not.a.jwt']) {
      const signedIn = await handOff('knownuser@corp.example');
      const gone = await renew(signedIn, { Authorization: authorization, Origin: app.origin });
      assert.equal(gone.status, 401, `${authorization}: ${gone.body}`);
      assert.equal(gone.json().error.details.code, 'identity-gone');
      const other = await handOff('knownuser@corp.example');
      const switched = await renew(other, { Authorization: authorization, Origin: app.origin, 'Remote-User': 'knownuser2@corp.example' });
      assert.equal(switched.status, 200, switched.body);
      const me = await api('/admin/users/me', { Authorization: `Bearer ${switched.json().data.token}`, 'Remote-User': 'knownuser2@corp.example' });
      assert.equal(me.json().data.email, 'knownuser2@corp.example', `${authorization}: the renewal must continue as the person the header names`);
    }
  });
});

describe('strict mode judges every request that uses one of our sessions (second attack pass)', () => {
  const forged = (token: string) => `${token.split('.').slice(0, 2).join('.')}.forged-signature`;

  for (const looksLikeAPage of [{ Accept: 'text/html' }, { 'Sec-Fetch-Dest': 'document' }, { ...BROWSER, 'Sec-Fetch-Dest': 'document' }]) {
    test(`a GET that looks like a page load (${Object.keys(looksLikeAPage).join(' + ')}) is judged like any API call`, async () => {
      const signedIn = await handOff('knownuser@corp.example');
      const gone = await request(app.origin, '/admin/users/me', { headers: { ...bearer(signedIn), ...looksLikeAPage } });
      assert.equal(gone.status, 401, gone.body.slice(0, 200));
      assert.equal(gone.json().error.details.code, 'identity-gone');
      assert.ok(!gone.body.includes('knownuser@corp.example'), 'answered as the person whose header is gone');
      const other = await handOff('knownuser@corp.example');
      const switched = await request(app.origin, '/admin/users/me', { headers: { ...bearer(other), ...looksLikeAPage, 'Remote-User': 'knownuser2@corp.example' } });
      assert.equal(switched.status, 401, switched.body.slice(0, 200));
      assert.equal(switched.json().error.details.code, 'identity-changed', 'must never answer as the previous person');
    });
  }

  test('a renewal is judged by the session it renews: a forged Bearer naming that session does not divert the check', async () => {
    const signedIn = await handOff('knownuser@corp.example');
    const renew = (headers: Record<string, string>) =>
      request(app.origin, '/admin/access-token', {
        method: 'POST',
        headers: { Cookie: cookieHeader(signedIn.cookies), 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body: {},
      });
    const other = await handOff('knownuser@corp.example');
    const switched = await request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: {
        Cookie: cookieHeader(other.cookies),
        'Content-Type': 'application/json',
        Authorization: `Bearer ${forged(other.cookies.jwtToken)}`,
        'Remote-User': 'knownuser2@corp.example',
      },
      body: {},
    });
    assert.equal(switched.status, 200, switched.body);
    const me = await api('/admin/users/me', { Authorization: `Bearer ${switched.json().data.token}`, 'Remote-User': 'knownuser2@corp.example' });
    assert.equal(me.json().data.email, 'knownuser2@corp.example', 'the renewal continued as the previous person');
    const gone = await renew({ Authorization: `Bearer ${forged(signedIn.cookies.jwtToken)}` });
    assert.equal(gone.status, 401, gone.body);
    assert.equal(gone.json().error.details.code, 'identity-gone');
  });
});

describe('strict mode: a single-sign-on session cannot mint an admin token that would outlive the header (third attack pass)', () => {
  const tokenRows = async () => Number(((await app.strapi.db.connection('strapi_api_tokens').count({ n: '*' }).first()) as { n: number }).n);

  test('header-authenticated or plugin-session POST /admin/admin-tokens (and …/regenerate) → 403 token-creation-refused, no token stored', async () => {
    const sso = await app.createAdmin({ email: `sso.root.${Date.now()}@corp.example`, roles: ['strapi-super-admin'] });
    const signedIn = await handOff(sso.email);
    const json = { 'Content-Type': 'application/json', Origin: app.origin, 'Sec-Fetch-Site': 'same-origin' };
    for (const [path, headers] of [
      ['/admin/admin-tokens', { ...json, 'Remote-User': sso.email }],
      ['/admin/Admin-Tokens/', { ...json, 'Remote-User': sso.email }],
      ['/admin/admin-tokens', { ...json, ...bearer(signedIn), 'Remote-User': sso.email }],
      ['/admin/admin-tokens/1/regenerate', { ...json, 'Remote-User': sso.email }],
    ] as Array<[string, Record<string, string>]>) {
      const rows = await tokenRows();
      const res = await api(path, headers, 'POST', { name: `t${Date.now()}`, description: '', lifespan: null });
      assert.equal(res.status, 403, `${path}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().error.details.code, 'token-creation-refused');
      assert.equal(await tokenRows(), rows, `${path}: a token was stored`);
    }
  });

  test('a password session of an account outside single sign-on still reaches the admin-token route', async () => {
    const login = await passwordLogin(app, 'root@corp.example', PASSWORD);
    const res = await api('/admin/admin-tokens', { Authorization: `Bearer ${login.json().data.token}`, 'Content-Type': 'application/json' }, 'POST', {
      name: `root-token-${Date.now()}`,
      description: '',
      lifespan: null,
    });
    assert.notEqual(res.status, 403, res.body.slice(0, 300));
  });
});
