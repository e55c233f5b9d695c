/**
 * End to end through a real Debian nginx in the production pattern: an auth
 * gateway (oauth2-proxy / Authelia style) checked with `auth_request`. nginx
 * asks the gateway about every request (it looks at the gateway's session
 * cookie), takes the identity and groups from the gateway's answer headers
 * and overwrites Remote-User / Remote-Groups with them. Authorization is left
 * alone, so the admin SPA's Bearer API calls pass and carry the identity too —
 * which is what strict mode needs.
 *
 *   node --import tsx --test tests/e2e/nginx-auth-request.test.ts
 *
 * Needs /usr/sbin/nginx built with http_auth_request (Debian's is).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { assertNoSessionGranted, assertSession, raw } from '../harness/proxy-requests';
import { NGINX_BIN, startNginx, type Nginx } from '../harness/nginx';
import { cookieValue, startAuthGateway, type AuthGateway } from '../harness/auth-gateway';
import { echoedHeaders, startHeaderEcho, type HeaderEcho } from '../harness/header-echo';
import { NGINX, needs } from '../harness/system-packages';
import { groupsProxySettings } from '../harness/groups-proxy-settings';

/** Without Debian's nginx the whole file skips with one loud line (a failure under .ci/run). */
const skip = needs({ ...NGINX, path: NGINX_BIN });

const { secretHeader: SECRET_HEADER, secret: SECRET, config: CONFIG } = groupsProxySettings();
const GATEWAY_COOKIE = 'gw_session';

let app: TestStrapi;
/** A fake oauth2-proxy `/oauth2/auth`: 202 + X-Auth-Request-* for a known session cookie, else 401. */
let gateway: AuthGateway;
/** `Cookie` values of the gateway's sessions, one a person (made in before()). */
const SESSIONS = { jane: '', ann: '' };
/** nginx with auth_request in front of Strapi. */
let nginx: Nginx;
/** The same config in front of a header echo, to see exactly what nginx forwards. */
let echoNginx: Nginx;
let echo: HeaderEcho;

before(async () => {
  if (skip) return;
  app = await startStrapi({ config: CONFIG, env: { SERVER_PROXY: 'true' } });
  gateway = await startAuthGateway({ cookieName: GATEWAY_COOKIE, grantStatus: 202 });
  SESSIONS.jane = gateway.sessionFor({ email: 'jane@corp.example', groups: 'staff,cms-editors' });
  // null: the gateway sends no groups header for ann.
  SESSIONS.ann = gateway.sessionFor({ email: 'ann@corp.example', groups: null });
  const authRequest = { port: gateway.port };
  nginx = await startNginx({ upstreamPort: app.port, secret: SECRET, secretHeader: SECRET_HEADER, authRequest });
  // The public address, as an operator sets it in config/server (`url`): nginx's `Host $host` drops
  // the port, so Strapi could not tell the admin's origin otherwise (renewals are same-origin only).
  app.strapi.config.set('server.url', nginx.origin);
  echo = await startHeaderEcho();
  echoNginx = await startNginx({ upstreamPort: echo.port, secret: SECRET, secretHeader: SECRET_HEADER, authRequest });
});

after(async () => {
  await nginx?.stop();
  await echoNginx?.stop();
  await echo?.close();
  await gateway?.close();
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

const gw = (who: keyof typeof SESSIONS) => SESSIONS[who];
const JSON_ACCEPT = { Accept: 'application/json' };
const users = async () => (await app.adminUsers()).map((user) => ({ email: user.email, roles: user.roles.map((role) => role.code).sort() }));
const emails = async (): Promise<string[]> => (await users()).map((user) => user.email).sort();

/** nginx's own 401 page, i.e. the gateway said no and Strapi never saw the request. */
function assertNginx401(res: TestResponse, label: string): void {
  assert.equal(res.status, 401, `${label}: ${res.body.slice(0, 200)}`);
  assert.match(res.body, /<center>nginx/, `${label}: the 401 must come from nginx, not Strapi`);
}

async function me(headers: Record<string, string> | string[]): Promise<TestResponse> {
  return request(nginx.origin, '/admin/users/me', { headers: Array.isArray(headers) ? headers : { ...JSON_ACCEPT, ...headers } });
}

/** Header name (lower-case) → every value nginx forwarded, from the echo upstream. */
async function forwarded(path: string, headers: string[], method = 'GET', body?: unknown): Promise<Record<string, string[]>> {
  const res = await request(echoNginx.origin, path, { headers, method, body });
  assert.equal(res.status, 200, res.body.slice(0, 200));
  return echoedHeaders(res);
}

// ---------------------------------------------------------------- no gateway session

describe('without a gateway session nginx answers 401 and Strapi never sees the request', { skip }, () => {
  test('no cookie, an unknown cookie, forged identity headers, Basic credentials', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['no cookie', { ...BROWSER }],
      ['unknown gateway cookie', { ...BROWSER, Cookie: `${GATEWAY_COOKIE}=${randomBytes(16).toString('hex')}` }],
      ['Remote-User + Remote-Groups + secret', { ...BROWSER, 'Remote-User': 'jane@corp.example', 'Remote-Groups': 'cms-editors', [SECRET_HEADER]: SECRET }],
      ['gateway answer headers sent by the client', { ...BROWSER, 'X-Auth-Request-Email': 'jane@corp.example', 'X-Auth-Request-Groups': 'cms-editors' }],
      ['Basic credentials', { ...BROWSER, Authorization: `Basic ${Buffer.from('jane:x').toString('base64')}` }],
      ['a Bearer token', { ...BROWSER, Authorization: 'Bearer x' }],
    ];
    for (const [label, headers] of attempts) {
      for (const path of ['/admin', '/remote-auth/login?returnTo=/admin', '/admin/users/me', '/admin/init']) {
        const res = await request(nginx.origin, path, { headers });
        assertNginx401(res, `${label} ${path}`);
        assertNoSessionGranted(res, `${label} ${path}`);
      }
    }
    assert.deepEqual(await emails(), [], 'no admin user may exist after anonymous requests');
  });

  test('the internal /_auth location is not reachable from outside', async () => {
    const res = await request(nginx.origin, '/_auth', { headers: { ...BROWSER, Cookie: gw('jane') } });
    assert.equal(res.status, 404);
  });
});

// ---------------------------------------------------------------- signed in at the gateway

let janeSignIn: TestResponse;

describe('jane, signed in at the gateway, gets an admin session with her group’s role', { skip }, () => {
  test('GET /admin with the gateway cookie → 200, session cookies, strapi-editor from cms-editors', async () => {
    janeSignIn = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Cookie: gw('jane') } });
    assert.equal(janeSignIn.status, 200, janeSignIn.body.slice(0, 300));
    assert.match(String(janeSignIn.headers['content-type']), /text\/html/);
    assertSession(janeSignIn, 'GET /admin as jane');
    const all = await users();
    assert.deepEqual(all.map((user) => user.email), ['jane@corp.example']);
    assert.ok(all[0].roles.includes('strapi-editor'), `roles: ${all[0].roles}`);
    assert.ok(!all[0].roles.includes('strapi-super-admin'));
  });

  test('the SPA’s Bearer API call goes through nginx (with the gateway cookie the browser sends) → 200, jane', async () => {
    const res = await me({ Authorization: `Bearer ${janeSignIn.cookies.jwtToken}`, Cookie: gw('jane') });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(res.json().data.email, 'jane@corp.example');
  });

  test('the same Bearer call without the gateway cookie → 401 from nginx', async () => {
    assertNginx401(await me({ Authorization: `Bearer ${janeSignIn.cookies.jwtToken}` }), 'Bearer without gateway cookie');
  });

  test('/remote-auth/login hand-off works too', async () => {
    const res = await request(nginx.origin, '/remote-auth/login?returnTo=/admin/content-manager', { headers: { ...BROWSER, Cookie: gw('jane') } });
    assert.equal(res.status, 302, res.body.slice(0, 300));
    assert.equal(res.headers.location, '/admin/content-manager');
    assertSession(res, 'hand-off');
  });
});

// ---------------------------------------------------------------- forged headers

describe('identity and groups come from the gateway only: client copies are overwritten', { skip }, () => {
  test('jane’s gateway cookie + Remote-User: bob (any case) → jane, no bob', async () => {
    for (const name of ['Remote-User', 'remote-user', 'REMOTE-USER']) {
      const res = await request(nginx.origin, '/admin', { headers: raw('Cookie', gw('jane'), name, 'bob@corp.example', SECRET_HEADER, 'forged') });
      assert.equal(res.status, 200, `${name}: ${res.body.slice(0, 200)}`);
      const token = assertSession(res, name);
      const who = await me({ Authorization: `Bearer ${token}`, Cookie: gw('jane') });
      assert.equal(who.json().data.email, 'jane@corp.example', name);
    }
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('ann (no groups at the gateway) + a forged Remote-Groups: cms-editors → ann, without strapi-editor', async () => {
    const res = await request(nginx.origin, '/admin', {
      headers: raw('Cookie', gw('ann'), 'Remote-Groups', 'cms-editors', 'Remote-User', 'bob@corp.example', 'X-Auth-Request-Groups', 'cms-editors'),
    });
    assert.equal(res.status, 200, res.body.slice(0, 200));
    assertSession(res, 'ann');
    const ann = (await users()).find((user) => user.email === 'ann@corp.example');
    assert.ok(ann, 'ann was not created');
    assert.deepEqual(ann.roles, ['strapi-author'], 'only the defaultRoles: the forged group must not count');
    assert.deepEqual(await emails(), ['ann@corp.example', 'jane@corp.example']);
  });

  test('Remote_User / Remote_Groups (underscores) are dropped by nginx', async () => {
    const res = await request(nginx.origin, '/admin', { headers: raw('Cookie', gw('ann'), 'Remote_User', 'bob@corp.example', 'Remote_Groups', 'cms-editors') });
    assert.equal(res.status, 200, res.body.slice(0, 200));
    assertSession(res, 'underscores');
    assert.deepEqual((await users()).find((user) => user.email === 'ann@corp.example')?.roles, ['strapi-author']);
    assert.deepEqual(await emails(), ['ann@corp.example', 'jane@corp.example']);
  });
});

// ---------------------------------------------------------------- what nginx forwards, what the gateway sees

describe('what nginx sends upstream and to the gateway (header echo behind the same config)', { skip }, () => {
  test('jane: one Remote-User and Remote-Groups from the gateway, the secret, X-Forwarded-For replaced; client copies gone', async () => {
    const seen = await forwarded(
      '/admin',
      raw('Cookie', gw('jane'), 'Remote-User', 'bob@corp.example', 'Remote-Groups', 'admins', 'X-Forwarded-For', '203.0.113.7', SECRET_HEADER, 'forged'),
    );
    assert.deepEqual(seen['remote-user'], ['jane@corp.example']);
    assert.deepEqual(seen['remote-groups'], ['staff,cms-editors']);
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
    assert.deepEqual(seen['x-forwarded-for'], ['127.0.0.1']);
  });

  test('ann (no groups answer): no Remote-Groups at all, not even the client’s', async () => {
    const seen = await forwarded('/admin', raw('Cookie', gw('ann'), 'Remote-Groups', 'cms-editors'));
    assert.deepEqual(seen['remote-user'], ['ann@corp.example']);
    assert.equal(seen['remote-groups'], undefined, JSON.stringify(seen['remote-groups']));
  });

  test('Authorization: Bearer is passed through untouched', async () => {
    const seen = await forwarded('/admin/users/me', raw('Cookie', gw('jane'), 'Authorization', 'Bearer abc'));
    assert.deepEqual(seen.authorization, ['Bearer abc']);
    assert.deepEqual(seen['remote-user'], ['jane@corp.example']);
  });

  test('the gateway gets the cookie and X-Original-URI, never the request body', async () => {
    gateway.calls.length = 0;
    await forwarded('/admin/some/path?x=1', raw('Cookie', gw('jane'), 'Content-Type', 'application/json'), 'POST', { big: 'x'.repeat(5000) });
    assert.equal(gateway.calls.length, 1, JSON.stringify(gateway.calls));
    const [call] = gateway.calls;
    assert.equal(call.url, '/verify');
    assert.equal(call.headers['x-original-uri'], '/admin/some/path?x=1');
    assert.equal(`${GATEWAY_COOKIE}=${cookieValue(call.headers.cookie, GATEWAY_COOKIE)}`, gw('jane'));
    assert.equal(call.bodyBytes, 0);
    assert.equal(call.headers['content-length'], undefined);
  });
});

// ---------------------------------------------------------------- strict mode

describe('strict mode behind auth_request: every SPA call carries the identity', { skip }, () => {
  let strictSignIn: TestResponse;

  before(() => app.configure({ ...CONFIG, mode: 'strict' }));
  after(() => app.configure({ ...CONFIG, mode: 'persistent' }));

  test('sign in, then Bearer + gateway cookie through nginx → 200 (the guard saw jane’s header)', async () => {
    strictSignIn = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Cookie: gw('jane') } });
    assert.equal(strictSignIn.status, 200, strictSignIn.body.slice(0, 300));
    const token = assertSession(strictSignIn, 'strict sign-in');
    for (let i = 0; i < 3; i++) {
      const res = await me({ Authorization: `Bearer ${token}`, Cookie: gw('jane') });
      assert.equal(res.status, 200, res.body.slice(0, 300));
      assert.equal(res.json().data.email, 'jane@corp.example');
    }
  });

  test('without the gateway cookie → 401 from nginx (and the session is not touched)', async () => {
    const token = strictSignIn.cookies.jwtToken;
    assertNginx401(await me({ Authorization: `Bearer ${token}` }), 'strict, no gateway cookie');
    const again = await me({ Authorization: `Bearer ${token}`, Cookie: gw('jane') });
    assert.equal(again.status, 200, again.body.slice(0, 300));
  });

  test('the SPA’s token refresh (refresh cookie + gateway cookie) → 200 for jane', async () => {
    const res = await request(nginx.origin, '/admin/access-token', {
      method: 'POST',
      headers: { ...JSON_ACCEPT, Cookie: `${cookieHeader(strictSignIn.cookies)}; ${gw('jane')}`, Origin: nginx.origin },
      body: {},
    });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const who = await me({ Authorization: `Bearer ${res.json().data.token}`, Cookie: gw('jane') });
    assert.equal(who.json().data.email, 'jane@corp.example');
  });

  test('an API call with the gateway cookie and no Bearer at all is authenticated by the header', async () => {
    const res = await me({ Cookie: gw('jane') });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(res.json().data.email, 'jane@corp.example');
  });

  test('jane’s Bearer with ann’s gateway session → 401 identity-changed, never answered as jane', async () => {
    const res = await me({ Authorization: `Bearer ${strictSignIn.cookies.jwtToken}`, Cookie: gw('ann') });
    assert.equal(res.status, 401, res.body.slice(0, 300));
    assert.equal(res.json().error.details.code, 'identity-changed');
    const switched = await me({ Authorization: `Bearer ${res.cookies.jwtToken}`, Cookie: gw('ann') });
    assert.equal(switched.json().data.email, 'ann@corp.example');
    // jane's old session was revoked.
    assert.equal((await me({ Authorization: `Bearer ${strictSignIn.cookies.jwtToken}`, Cookie: gw('jane') })).status, 401);
  });

  test('a forged Remote-User on the Bearer call is overwritten: still jane', async () => {
    const signIn = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Cookie: gw('jane') } });
    const token = assertSession(signIn, 'strict re-sign-in');
    const res = await me(raw('Authorization', `Bearer ${token}`, 'Cookie', gw('jane'), 'Remote-User', 'ann@corp.example'));
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(res.json().data.email, 'jane@corp.example');
    assert.deepEqual(await emails(), ['ann@corp.example', 'jane@corp.example']);
  });
});
