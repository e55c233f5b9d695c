/**
 * Core behaviour against a real Strapi: the REMOTE_USER hand-off, known and
 * unknown users, auto-creation, inactive/blocked accounts, user fields, hooks,
 * logout without loops, password fallback. (Django's test_remote_user.py and
 * Nautobot's remote-auth settings, the Strapi way.)
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request } from '../harness/http';
import { assertNoSession, assertRefused, assertSignedInAs, assertUnchanged, passwordLogin, snapshot, userCount } from '../harness/assertions';

let app: TestStrapi;
const PASSWORD = 'Sup3rSecret!pass';

before(async () => {
  app = await startStrapi();
  await app.createAdmin({ email: 'root@corp.example', password: PASSWORD });
  await app.createAdmin({ email: 'known.person@corp.example', roles: ['strapi-editor'] });
  await app.createAdmin({ email: 'sleepy@corp.example', roles: ['strapi-editor'], isActive: false });
  await app.createAdmin({ email: 'blocked@corp.example', roles: ['strapi-editor'], blocked: true });
  await app.createAdmin({ email: 'inactive-blocked@corp.example', roles: ['strapi-editor'], blocked: true, isActive: false });
});
after(() => app?.stop());
beforeEach(() => app.configure({}));

const visit = (identity: string | undefined, path = '/admin', extra: Record<string, string> = {}) =>
  request(app.origin, path, { headers: { ...BROWSER, ...(identity === undefined ? {} : { 'Remote-User': identity }), ...extra } });

describe('anonymous requests', () => {
  test('no header: the SPA is served, no session, no user created', async () => {
    const before = await userCount(app);
    const res = await visit(undefined);
    assert.equal(res.status, 200);
    assert.match(res.body, /<div id="strapi"/);
    assert.deepEqual(res.setCookies.filter((c) => /jwtToken|strapi_admin_refresh/.test(c)), []);
    assert.equal(await userCount(app), before);
  });

  test('empty and whitespace-only headers are anonymous, never a default user', async () => {
    app.configure({ autoCreate: true });
    const before = await userCount(app);
    for (const value of ['', '   ', '\t']) {
      const res = await visit(value);
      assert.equal(res.status, 200);
      assert.equal(res.cookies.jwtToken, undefined);
    }
    assert.equal(await userCount(app), before);
  });

  test('API requests (Accept: application/json) are never handed a session', async () => {
    const res = await request(app.origin, '/admin/init', { headers: { Accept: 'application/json', 'Remote-User': 'known.person@corp.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.cookies.jwtToken, undefined);
  });

  test('enabled: false ignores the header entirely', async () => {
    app.configure({ enabled: false });
    const res = await visit('known.person@corp.example');
    assert.equal(res.status, 200);
    assert.equal(res.cookies.jwtToken, undefined);
  });

  test('enabled: false refuses the explicit sign-in step (disabled)', async () => {
    app.configure({ enabled: false });
    const before = await snapshot(app);
    const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': 'known.person@corp.example' } });
    await assertRefused(app, before, res, 403, 'disabled');
  });
});

describe('known users', () => {
  test('the header signs the browser in as exactly that user (e-mail matched case-insensitively)', async () => {
    const res = await visit('KNOWN.person@corp.EXAMPLE', '/admin/content-manager');
    assert.equal(res.status, 200);
    await assertSignedInAs(app, res, 'known.person@corp.example');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['cache-control'], 'no-store');
    const refresh = res.setCookies.find((c) => c.startsWith('strapi_admin_refresh='));
    assert.match(refresh ?? '', /path=\/admin/);
    assert.match(refresh ?? '', /httponly/);
    assert.match(refresh ?? '', /samesite=lax/);
    assert.doesNotMatch(res.setCookies.find((c) => c.startsWith('jwtToken=')) ?? '', /httponly/, 'the SPA must be able to read jwtToken');
  });

  test('the minted refresh cookie works with /admin/access-token like a password session', async () => {
    const res = await visit('known.person@corp.example');
    const refreshed = await request(app.origin, '/admin/access-token', {
      method: 'POST',
      headers: { Cookie: cookieHeader({ strapi_admin_refresh: res.cookies.strapi_admin_refresh, 'strapi_admin_refresh.sig': res.cookies['strapi_admin_refresh.sig'] }) },
    });
    assert.equal(refreshed.status, 200, refreshed.body);
    assert.ok(refreshed.json().data.token);
  });

  test('a browser already signed in as the asserted user gets no new session', async () => {
    const first = await visit('known.person@corp.example');
    const second = await visit('known.person@corp.example', '/admin', { Cookie: cookieHeader(first.cookies) });
    assert.equal(second.status, 200);
    assert.equal(second.cookies.jwtToken, undefined, 'a second session was minted');
  });

  test('a header naming another user replaces the session and ends the previous one at once (T24)', async () => {
    const previous = await app.createAdmin({ email: 'previous.person@corp.example', roles: ['strapi-editor'] });
    const first = await visit('previous.person@corp.example');
    const active = async () => (await app.strapi.db.query('admin::session').findMany({ where: { userId: String(previous.id), status: 'active' } })).length;
    assert.equal(await active(), 1);
    const root = await visit('root@corp.example', '/admin', { Cookie: cookieHeader(first.cookies) });
    await assertSignedInAs(app, root, 'root@corp.example');
    assert.equal(await active(), 0, 'the previous person’s session is still active');
    const old = await request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', Authorization: `Bearer ${first.cookies.jwtToken}` } });
    assert.equal(old.status, 401, 'the previous person’s token still works');
  });

  test('a password session in the same browser is not ended by the hand-off', async () => {
    const login = await passwordLogin(app, 'root@corp.example', PASSWORD);
    const handOff = await visit('known.person@corp.example', '/admin', { Cookie: cookieHeader(login.cookies) });
    await assertSignedInAs(app, handOff, 'known.person@corp.example');
    const me = await request(app.origin, '/admin/users/me', { headers: { Accept: 'application/json', Authorization: `Bearer ${login.json().data.token}` } });
    assert.equal(me.status, 200, 'a password session was revoked');
  });

  test('the cookies follow admin.auth.cookie.* (name, path, sameSite)', async () => {
    const previous = app.strapi.config.get('admin.auth.cookie');
    app.strapi.config.set('admin.auth.cookie', { name: 'cmsToken', path: '/admin', sameSite: 'strict' });
    try {
      const res = await visit('known.person@corp.example');
      assert.ok(res.cookies.cmsToken, res.setCookies.join('\n'));
      assert.match(res.setCookies.find((c) => c.startsWith('cmsToken='))!, /samesite=strict/);
    } finally {
      app.strapi.config.set('admin.auth.cookie', previous);
    }
  });
});

describe('unknown users', () => {
  test('autoCreate off (default): refused with a page for browsers and JSON for API clients; nothing created', async () => {
    const before = await userCount(app);
    const page = await visit('stranger@corp.example');
    assertNoSession(page, 403);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.body, /no Strapi admin account/i);
    const json = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': 'stranger@corp.example' } });
    assertNoSession(json, 403);
    assert.equal(json.json().error.details.code, 'unknown-user');
    assert.equal(await userCount(app), before);
  });

  test('autoCreate on: a password-less active user with the default role (Author), created once', async () => {
    app.configure({ autoCreate: true });
    const res = await visit('new.person@corp.example');
    await assertSignedInAs(app, res, 'new.person@corp.example');
    await visit('new.person@corp.example');
    const users = (await app.adminUsers()).filter((u) => u.email === 'new.person@corp.example');
    assert.equal(users.length, 1);
    assert.equal(users[0].isActive, true);
    assert.deepEqual(users[0].roles.map((r) => r.code), ['strapi-author']);
    const stored = await app.strapi.db.query('admin::user').findOne({ where: { email: 'new.person@corp.example' }, select: ['password'] });
    assert.equal(stored.password, null, 'an auto-created account must have no password');
    for (const guess of ['', 'Sup3rSecret!pass', 'null', 'undefined']) {
      const login = await passwordLogin(app, 'new.person@corp.example', guess);
      assertNoSession(login, 400);
    }
  });

  test('concurrent first logins create exactly one user', async () => {
    app.configure({ autoCreate: true });
    const results = await Promise.all(Array.from({ length: 20 }, () => visit('burst@corp.example')));
    for (const res of results) assert.equal(res.status, 200);
    assert.equal((await app.adminUsers()).filter((u) => u.email === 'burst@corp.example').length, 1);
  });

  test('defaultRoles accept role names as well as codes', async () => {
    app.configure({ autoCreate: true, defaultRoles: ['Editor', 'strapi-author'] });
    await visit('two.roles@corp.example');
    const user = (await app.adminUsers()).find((u) => u.email === 'two.roles@corp.example');
    assert.deepEqual(user?.roles.map((r) => r.code).sort(), ['strapi-author', 'strapi-editor']);
  });

  test('a default role that does not exist refuses the sign-in instead of creating a roleless user', async () => {
    app.configure({ autoCreate: true, defaultRoles: ['no-such-role'] });
    const res = await visit('roleless@corp.example');
    assertNoSession(res, 403);
    assert.equal((await app.adminUsers()).some((u) => u.email === 'roleless@corp.example'), false);
  });
});

describe('inactive and blocked users', () => {
  test('inactive users are refused by default (inactive-user)', async () => {
    await app.createAdmin({ email: 'sleepy.page@corp.example', roles: ['strapi-editor'], isActive: false });
    const before = await snapshot(app);
    await assertRefused(app, before, await visit('sleepy.page@corp.example'), 403, 'inactive-user');
  });

  test('blocked users are refused (blocked-user), even with allowInactive', async () => {
    await app.createAdmin({ email: 'blocked.page@corp.example', roles: ['strapi-editor'], blocked: true });
    await app.createAdmin({ email: 'inactive-blocked.page@corp.example', roles: ['strapi-editor'], blocked: true, isActive: false });
    let before = await snapshot(app);
    await assertRefused(app, before, await visit('blocked.page@corp.example'), 403, 'blocked-user');
    app.configure({ allowInactive: true });
    before = await snapshot(app);
    await assertRefused(app, before, await visit('blocked.page@corp.example'), 403, 'blocked-user');
    await assertRefused(app, before, await visit('inactive-blocked.page@corp.example'), 403, 'blocked-user');
  });

  test('allowInactive lets an inactive user in (and activates the account)', async () => {
    await app.createAdmin({ email: 'sleepy.activated@corp.example', roles: ['strapi-editor'], isActive: false });
    app.configure({ allowInactive: true });
    const res = await visit('sleepy.activated@corp.example');
    await assertSignedInAs(app, res, 'sleepy.activated@corp.example');
    assert.equal((await app.adminUsers()).find((u) => u.email === 'sleepy.activated@corp.example')?.isActive, true);
  });
});

describe('identity formats', () => {
  test('userField "username" maps jane → jane@<emailDomain>', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', autoCreate: true });
    const res = await visit('Jane');
    await assertSignedInAs(app, res, 'jane@corp.example');
    const user = (await app.adminUsers()).find((u) => u.email === 'jane@corp.example') as { username?: string } | undefined;
    assert.equal(user?.username, 'jane');
  });

  test('a listed realm is stripped from a Kerberos principal', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', realms: ['CORP.EXAMPLE'], autoCreate: true });
    await assertSignedInAs(app, await visit('kerb@CORP.EXAMPLE'), 'kerb@corp.example');
  });

  test('with no realms listed a user@REALM value is refused', async () => {
    app.configure({ userField: 'username', emailDomain: 'corp.example', autoCreate: true });
    assertNoSession(await visit('realm@CORP.EXAMPLE'), 403);
  });

  test('header in the Django form HTTP_X_REMOTE_USER means X-Remote-User', async () => {
    app.configure({ header: 'HTTP_X_REMOTE_USER' });
    const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'X-Remote-User': 'known.person@corp.example' } });
    await assertSignedInAs(app, res, 'known.person@corp.example');
    const ignored = await visit('known.person@corp.example');
    assert.equal(ignored.cookies.jwtToken, undefined, 'Remote-User must be ignored when the header is X-Remote-User');
  });

  test('normalizeIdentity (clean_username) and onLogin (configure_user) hooks', async () => {
    const logins: Array<{ email: string; created: boolean }> = [];
    app.configure({
      autoCreate: true,
      normalizeIdentity: (value: string) => (value.startsWith('svc-') ? null : value.replace(/^CORP\\/, '')),
      onLogin: ({ user, created }: { user: { email: string }; created: boolean }) => void logins.push({ email: user.email, created }),
    });
    await assertSignedInAs(app, await visit('CORP\\hooked@corp.example'), 'hooked@corp.example');
    await request(app.origin, '/remote-auth/login', { headers: { 'Remote-User': 'hooked@corp.example' } });
    assert.deepEqual(logins, [
      { email: 'hooked@corp.example', created: true },
      { email: 'hooked@corp.example', created: false },
    ]);
    assertNoSession(await visit('svc-robot@corp.example'), 403);
    assert.equal((await app.adminUsers()).some((u) => u.email === 'svc-robot@corp.example'), false);
  });
});

describe('explicit login endpoint and returnTo', () => {
  test('/remote-auth/login signs in and redirects to a same-origin admin path', async () => {
    const res = await request(app.origin, '/remote-auth/login?returnTo=%2Fadmin%2Fcontent-manager%3Fpage%3D2', { headers: { 'Remote-User': 'known.person@corp.example' } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/admin/content-manager?page=2');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(res.headers.location ?? '', /eyJ/, 'no token in the URL');
    await assertSignedInAs(app, res, 'known.person@corp.example');
  });

  const vectors = ['//evil.example', '/\\evil.example', '\\\\evil.example', '%2F%2Fevil.example', 'javascript:alert(1)',
    'https://evil.example/admin', ' /admin', '/admin/../evil', '/\t/evil.example', '/administrator', 'http:evil.example'];
  for (const vector of vectors) {
    test(`returnTo ${JSON.stringify(vector)} lands on /admin`, async () => {
      const res = await request(app.origin, `/remote-auth/login?returnTo=${encodeURIComponent(vector)}`, { headers: { 'Remote-User': 'known.person@corp.example' } });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/admin');
    });
  }

  test('without an identity the endpoint explains that the proxy sent none', async () => {
    const res = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json' } });
    assertNoSession(res, 401);
  });

  test('other spellings of the path reach the same step through Strapi\'s router; other methods and longer paths start nothing', async () => {
    for (const path of ['/remote-auth/login/', '/Remote-Auth/Login']) {
      const res = await request(app.origin, `${path}?returnTo=%2Fadmin%2Fplugins`, { headers: { 'Remote-User': 'known.person@corp.example' } });
      assert.equal(res.status, 302, `${path}: ${res.status}`);
      assert.equal(res.headers.location, '/admin/plugins', path);
      await assertSignedInAs(app, res, 'known.person@corp.example');
    }
    for (const [method, path] of [['POST', '/remote-auth/login'], ['PUT', '/remote-auth/login'], ['GET', '/remote-auth/loginx'], ['GET', '/remote-auth/login/x']]) {
      const before = await snapshot(app);
      const res = await request(app.origin, path, { method, headers: { 'Remote-User': 'stranger.by.method@corp.example' } });
      assert.ok(res.status === 404 || res.status === 405, `${method} ${path}: ${res.status}`);
      assertNoSession(res, res.status);
      await assertUnchanged(app, before);
    }
  });
});

describe('sign-in steps another page cannot fire', () => {
  test('/remote-auth/login and /logout as a fetch, image or frame are refused (cross-site-request)', async () => {
    for (const path of ['/remote-auth/login', '/remote-auth/logout']) {
      for (const mode of ['no-cors', 'cors', 'same-origin']) {
        const before = await snapshot(app);
        const res = await request(app.origin, path, {
          headers: { Accept: 'application/json', 'Remote-User': 'known.person@corp.example', 'Sec-Fetch-Mode': mode, 'Sec-Fetch-Site': 'cross-site', Cookie: 'strapi_remote_auth_signed_out=1' },
        });
        await assertRefused(app, before, res, 403, 'cross-site-request');
        assert.equal(res.setCookies.filter((c) => c.startsWith('strapi_remote_auth_signed_out=')).length, 0, `${path} ${mode} touched the signed-out marker`);
      }
    }
  });

  test('sign-out must start on the admin; sign-in may come back from the identity provider', async () => {
    const before = await snapshot(app);
    const logout = await request(app.origin, '/remote-auth/logout', {
      headers: { Accept: 'application/json', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site', Cookie: 'strapi_remote_auth_signed_out=1' },
    });
    await assertRefused(app, before, logout, 403, 'cross-site-request');
    for (const site of ['same-origin', 'none']) {
      const ok = await request(app.origin, '/remote-auth/logout', { headers: { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': site } });
      assert.equal(ok.status, 302, site);
    }
    const login = await request(app.origin, '/remote-auth/login', {
      headers: { 'Remote-User': 'known.person@corp.example', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'document' },
    });
    assert.equal(login.status, 302);
    await assertSignedInAs(app, login, 'known.person@corp.example');
  });
});

describe('logout does not loop (T16)', () => {
  test('after logout, /admin with the header shows the login page until the user asks for SSO', async () => {
    const signedIn = await visit('known.person@corp.example');
    const logout = await request(app.origin, '/admin/logout', {
      method: 'POST',
      body: {},
      headers: { Authorization: `Bearer ${signedIn.cookies.jwtToken}`, Cookie: cookieHeader(signedIn.cookies), 'Remote-User': 'known.person@corp.example' },
    });
    assert.equal(logout.status, 200, logout.body);
    assert.equal(logout.cookies.strapi_remote_auth_signed_out, '1');
    const jar = { ...logout.cookies };

    const revisit = await visit('known.person@corp.example', '/admin', { Cookie: cookieHeader(jar) });
    assert.equal(revisit.status, 200);
    assert.equal(revisit.cookies.jwtToken, undefined, 'signed straight back in after logout');

    const status = await request(app.origin, '/remote-auth/status', { headers: { Cookie: cookieHeader(jar) } });
    assert.equal(status.json().data.signedOut, true);

    const sso = await request(app.origin, '/remote-auth/login', { headers: { 'Remote-User': 'known.person@corp.example', Cookie: cookieHeader(jar) } });
    assert.equal(sso.status, 302);
    await assertSignedInAs(app, sso, 'known.person@corp.example');
    assert.match(sso.setCookies.find((c) => c.startsWith('strapi_remote_auth_signed_out=')) ?? '', /expires=Thu, 01 Jan 1970/);
  });

  test('a password user who logs out is not marked (no SSO sign-out for them)', async () => {
    const login = await passwordLogin(app, 'root@corp.example', PASSWORD);
    const logout = await request(app.origin, '/admin/logout', {
      method: 'POST',
      body: {},
      headers: { Authorization: `Bearer ${login.json().data.token}`, Cookie: cookieHeader(login.cookies) },
    });
    assert.equal(logout.status, 200, logout.body);
    assert.equal(logout.cookies.strapi_remote_auth_signed_out, undefined);
  });

  test('with logoutRedirectUrl, /remote-auth/logout sends the browser to the proxy sign-out page', async () => {
    app.configure({ logoutRedirectUrl: 'https://sso.corp.example/logout' });
    const res = await request(app.origin, '/remote-auth/logout', { headers: { Cookie: 'strapi_remote_auth_signed_out=1' } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, 'https://sso.corp.example/logout');
    const status = await request(app.origin, '/remote-auth/status');
    assert.equal(status.json().data.hasLogoutRedirect, true);
  });
});

describe('password login fallback', () => {
  test('password login keeps working by default', async () => {
    const res = await passwordLogin(app, 'root@corp.example', PASSWORD);
    assert.equal(res.status, 200, res.body);
  });

  test('allowPasswordLogin: false refuses SSO accounts, keeps the super-admin break-glass', async () => {
    const sso = await app.createAdmin({ email: 'sso.with.password@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    const local = await app.createAdmin({ email: 'local.only@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    assert.ok(sso.id && local.id);
    await visit('sso.with.password@corp.example'); // links the account to a proxy identity
    await visit('root@corp.example');
    app.configure({ allowPasswordLogin: false });

    const before = await snapshot(app);
    const refused = await passwordLogin(app, 'sso.with.password@corp.example', PASSWORD);
    await assertRefused(app, before, refused, 403, 'password-login-disabled');
    assert.match(refused.json().error.message, /Password sign-in is disabled/);
    assert.equal((await passwordLogin(app, 'root@corp.example', PASSWORD)).status, 200, 'super admin break-glass');
    assert.equal((await passwordLogin(app, 'local.only@corp.example', PASSWORD)).status, 200, 'accounts that never used SSO');
  });
});
