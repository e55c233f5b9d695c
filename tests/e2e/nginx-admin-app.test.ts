/**
 * End to end through a real Debian nginx: Basic auth that coexists with the
 * admin SPA (persistent mode). The SPA authenticates its own API calls with
 * `Authorization: Bearer <jwt>`, which a plain `auth_basic` refuses (see
 * nginx.test.ts). Here requests with a Bearer token skip Basic auth:
 *
 *   map $http_authorization $remote_auth_realm { default "Strapi"; "~*^Bearer " off; }
 *   auth_basic $remote_auth_realm;
 *   proxy_set_header Remote-User $remote_user;   # empty for Bearer requests → not sent
 *   proxy_set_header X-Forwarded-For $remote_addr;
 *
 *   node --import tsx --test tests/e2e/nginx-admin-app.test.ts
 *
 * Needs /usr/sbin/nginx (`apt-get install nginx`, or run through `.ci/run`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, rawRequest, request, type TestResponse } from '../harness/http';
import { assertNoSessionGranted, assertSession, basic, raw } from '../harness/proxy-requests';
import { NGINX_BIN, startNginx, type Nginx } from '../harness/nginx';
import { echoedHeaders, startHeaderEcho, type HeaderEcho } from '../harness/header-echo';
import { NGINX, needs } from '../harness/system-packages';

/** Without Debian's nginx the whole file skips with one loud line (a failure under .ci/run). */
const skip = needs({ ...NGINX, path: NGINX_BIN });

const SECRET_HEADER = 'X-Remote-Auth-Secret';
const SECRET = randomBytes(24).toString('base64url');
const PASSWORDS = { jane: randomBytes(12).toString('hex'), bob: randomBytes(12).toString('hex') };
const CONFIG = {
  trustedProxies: ['127.0.0.1/32'],
  sharedSecret: { header: SECRET_HEADER, value: SECRET },
  userField: 'username',
  emailDomain: 'corp.example',
  autoCreate: true,
};

let app: TestStrapi;
/** nginx with `bearerPassthrough` in front of Strapi. */
let nginx: Nginx;
/** The same nginx config in front of a header echo, to see exactly what nginx forwards. */
let echoNginx: Nginx;
let echo: HeaderEcho;

before(async () => {
  if (skip) return;
  app = await startStrapi({ config: CONFIG, env: { SERVER_PROXY: 'true' } });
  nginx = await startNginx({ upstreamPort: app.port, users: PASSWORDS, secret: SECRET, secretHeader: SECRET_HEADER, bearerPassthrough: true });
  // The public address, as an operator sets it in config/server (`url`): nginx's `Host $host` drops
  // the port, so Strapi could not tell the admin's origin otherwise (renewals are same-origin only).
  app.strapi.config.set('server.url', nginx.origin);
  echo = await startHeaderEcho();
  echoNginx = await startNginx({
    upstreamPort: echo.port,
    users: PASSWORDS,
    secret: SECRET,
    secretHeader: SECRET_HEADER,
    bearerPassthrough: true,
  });
});

after(async () => {
  await nginx?.stop();
  await echoNginx?.stop();
  await echo?.close();
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

const asJane = basic('jane', PASSWORDS.jane);
const JSON_ACCEPT = { Accept: 'application/json' };
const emails = async (): Promise<string[]> => (await app.adminUsers()).map((user) => user.email).sort();

/** nginx's own 401 page (Strapi answers JSON). */
function assertNginx401(res: TestResponse, label: string): void {
  assert.equal(res.status, 401, `${label}: ${res.body.slice(0, 200)}`);
  assert.match(String(res.headers['www-authenticate']), /^Basic realm="Strapi"/, label);
  assert.match(res.body, /<center>nginx/, `${label}: the 401 must come from nginx, not Strapi`);
}

/** Header name (lower-case) → every value nginx forwarded, from the echo upstream. */
async function forwarded(path: string, headers: Record<string, string> | string[]): Promise<Record<string, string[]>> {
  const res = await request(echoNginx.origin, path, { headers });
  assert.equal(res.status, 200, res.body.slice(0, 200));
  return echoedHeaders(res);
}

let janeSignIn: TestResponse;

// ---------------------------------------------------------------- Basic auth still guards sign-in

describe('without Basic credentials or a Bearer token, nginx answers 401', { skip }, () => {
  test('no credentials, wrong password, unknown user, a self-asserted Remote-User', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['no credentials', { ...BROWSER }],
      ['wrong password', { ...BROWSER, Authorization: basic('jane', 'not-the-password') }],
      ['unknown user', { ...BROWSER, Authorization: basic('mallory', 'x') }],
      ['Remote-User + secret, no credentials', { ...BROWSER, 'Remote-User': 'jane', [SECRET_HEADER]: SECRET }],
      ['another scheme', { ...BROWSER, Authorization: 'Token abc', 'Remote-User': 'jane' }],
      ['"Bearer" without the space', { ...BROWSER, Authorization: 'Bearerabc', 'Remote-User': 'jane' }],
    ];
    for (const [label, headers] of attempts) {
      for (const path of ['/admin', '/remote-auth/login?returnTo=/admin', '/admin/users/me']) {
        const res = await request(nginx.origin, path, { headers });
        assertNginx401(res, `${label} ${path}`);
        assertNoSessionGranted(res, `${label} ${path}`);
      }
    }
    assert.deepEqual(await emails(), []);
  });
});

// ---------------------------------------------------------------- the SPA flow

describe('jane signs in with Basic auth, then the SPA’s Bearer API calls get through', { skip }, () => {
  test('GET /admin with Basic → 200 with session cookies', async () => {
    janeSignIn = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Authorization: asJane } });
    assert.equal(janeSignIn.status, 200, janeSignIn.body.slice(0, 300));
    assert.match(String(janeSignIn.headers['content-type']), /text\/html/);
    assertSession(janeSignIn, 'GET /admin as jane');
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('GET /admin/users/me through nginx with only Authorization: Bearer → 200, jane', async () => {
    const res = await request(nginx.origin, '/admin/users/me', {
      headers: { ...JSON_ACCEPT, Authorization: `Bearer ${janeSignIn.cookies.jwtToken}` },
    });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(res.json().data.email, 'jane@corp.example');
    // Any spelling of the scheme (RFC 9110: case-insensitive), as some clients send it.
    const lower = await request(nginx.origin, '/admin/users/me', {
      headers: { ...JSON_ACCEPT, Authorization: `bearer ${janeSignIn.cookies.jwtToken}` },
    });
    assert.equal(lower.status, 200, lower.body.slice(0, 300));
    assert.equal(lower.json().data.email, 'jane@corp.example');
  });

  test('more SPA calls: permissions, and a write (PUT /admin/users/me) with the Bearer token', async () => {
    const bearer = { ...JSON_ACCEPT, Authorization: `Bearer ${janeSignIn.cookies.jwtToken}` };
    const perms = await request(nginx.origin, '/admin/users/me/permissions', { headers: bearer });
    assert.equal(perms.status, 200, perms.body.slice(0, 300));
    assert.ok(perms.json().data.length > 0);
    const put = await request(nginx.origin, '/admin/users/me', {
      method: 'PUT',
      headers: { ...bearer, Origin: nginx.origin },
      body: { firstname: 'Jane' },
    });
    assert.equal(put.status, 200, put.body.slice(0, 300));
    assert.equal(put.json().data.firstname, 'Jane');
  });

  test('the SPA’s token refresh (POST /admin/access-token, cookie, no Bearer) goes with the browser’s Basic credentials', async () => {
    // A browser resends the cached Basic credentials on same-origin requests that set no Authorization of their own.
    const res = await request(nginx.origin, '/admin/access-token', {
      method: 'POST',
      headers: { ...JSON_ACCEPT, Authorization: asJane, Cookie: cookieHeader(janeSignIn.cookies), Origin: nginx.origin },
      body: {},
    });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const me = await request(nginx.origin, '/admin/users/me', { headers: { ...JSON_ACCEPT, Authorization: `Bearer ${res.json().data.token}` } });
    assert.equal(me.json().data.email, 'jane@corp.example');
    // Without credentials the refresh never reaches Strapi.
    assertNginx401(
      await request(nginx.origin, '/admin/access-token', { method: 'POST', headers: { ...JSON_ACCEPT, Cookie: cookieHeader(janeSignIn.cookies) }, body: {} }),
      'refresh without Basic',
    );
  });
});

// ---------------------------------------------------------------- the Bearer bypass cannot assert an identity

describe('a Bearer request never carries an identity: client copies of Remote-User are dropped', { skip }, () => {
  test('jane’s Bearer + a forged Remote-User: bob (any case) → still jane, no bob', async () => {
    for (const name of ['Remote-User', 'remote-user', 'REMOTE-USER']) {
      const res = await request(nginx.origin, '/admin/users/me', {
        headers: raw('Authorization', `Bearer ${janeSignIn.cookies.jwtToken}`, name, 'bob', SECRET_HEADER, 'forged'),
      });
      assert.equal(res.status, 200, `${name}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().data.email, 'jane@corp.example', name);
    }
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('a made-up Bearer token + Remote-User: bob on the sign-in routes → no session, no bob', async () => {
    // auth_basic is off for this request, so it reaches Strapi — but as anonymous:
    // nginx's $remote_user is empty for a Bearer header and Remote-User is not sent.
    for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
      // Control: the same request shape with jane's Basic credentials does start a session.
      assertSession(await request(nginx.origin, path, { headers: raw('Authorization', asJane, 'Remote-User', 'bob') }), `control ${path}`);
      for (const [label, headers] of [
        ['Remote-User', raw('Authorization', 'Bearer x', 'Remote-User', 'bob')],
        ['Remote-User twice + secret', raw('Authorization', 'Bearer x', 'Remote-User', 'bob', 'Remote-User', 'bob', SECRET_HEADER, SECRET)],
        ['Remote_User (underscore)', raw('Authorization', 'Bearer x', 'Remote_User', 'bob')],
      ] as Array<[string, string[]]>) {
        const res = await request(nginx.origin, path, { headers });
        // Anonymous: /admin serves the SPA (its password form), the explicit hand-off route says "no identity".
        assert.equal(res.status, path === '/admin' ? 200 : 401, `${label} ${path}: ${res.body.slice(0, 200)}`);
        assert.doesNotMatch(res.body, /<center>nginx/, `${label} ${path}: reaches Strapi (auth_basic off)`);
        assertNoSessionGranted(res, `${label} ${path}`);
      }
    }
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('jane’s Bearer on GET /admin with Remote-User: bob → no session for bob', async () => {
    const res = await request(nginx.origin, '/admin', {
      headers: raw('Authorization', `Bearer ${janeSignIn.cookies.jwtToken}`, 'Remote-User', 'bob'),
    });
    assertNoSessionGranted(res, 'Bearer + Remote-User: bob on /admin');
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('two Authorization lines (Bearer, then Basic with a wrong password for bob) → refused by nginx, no bob', async () => {
    const wrongBob = basic('bob', 'not-the-password');
    for (const order of [
      ['Authorization', 'Bearer x', 'Authorization', wrongBob],
      ['Authorization', wrongBob, 'Authorization', 'Bearer x'],
    ]) {
      for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
        const res = await request(nginx.origin, path, { headers: raw(...order) });
        // nginx (1.22) refuses a second Authorization line outright.
        assert.equal(res.status, 400, `${order[1]} first, ${path}: ${res.body.slice(0, 200)}`);
        assert.match(res.body, /<center>nginx/, `${path}: nginx refuses it itself`);
        assertNoSessionGranted(res, path);
      }
    }
    assert.match(nginx.errorLog(), /client sent duplicate header line: "Authorization: /);
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });

  test('a raw request with a Basic value folded onto a Bearer line (obs-fold) → 400 from nginx, no bob', async () => {
    const res = await rawRequest(
      nginx.port,
      `GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n ${basic('bob', 'wrong')}\r\nRemote-User: bob\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(res.status, 400, res.raw.slice(0, 200));
    assert.doesNotMatch(res.raw, /Set-Cookie/i);
    assert.deepEqual(await emails(), ['jane@corp.example']);
  });
});

// ---------------------------------------------------------------- what nginx forwards

describe('what nginx sends upstream (header echo behind the same config)', { skip }, () => {
  test('Basic request: one Remote-User (jane), the secret, X-Forwarded-For = the socket peer only, no Basic password', async () => {
    const seen = await forwarded('/admin', raw('Authorization', asJane, 'Remote-User', 'bob', 'X-Forwarded-For', '203.0.113.7', SECRET_HEADER, 'forged'));
    assert.deepEqual(seen['remote-user'], ['jane']);
    assert.equal(seen.authorization, undefined, 'the Basic credentials must stay at nginx');
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
    assert.deepEqual(seen['x-forwarded-for'], ['127.0.0.1'], 'the client’s X-Forwarded-For must not be kept');
  });

  test('Bearer request: no Remote-User at all (not even the client’s), the secret, X-Forwarded-For replaced', async () => {
    const seen = await forwarded('/admin/users/me', raw('Authorization', 'Bearer abc', 'remote-user', 'bob', 'X-Forwarded-For', '203.0.113.7'));
    assert.equal(seen['remote-user'], undefined, `Remote-User forwarded: ${JSON.stringify(seen['remote-user'])}`);
    assert.deepEqual(seen.authorization, ['Bearer abc']);
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
    assert.deepEqual(seen['x-forwarded-for'], ['127.0.0.1']);
  });
});

// ---------------------------------------------------------------- the trade-off

describe('trade-offs of the Bearer bypass (deployment notes)', { skip }, () => {
  test('any Bearer value reaches Strapi anonymously: Basic auth no longer hides Strapi, it only supplies the identity', async () => {
    const res = await request(nginx.origin, '/admin/users/me', { headers: { ...JSON_ACCEPT, Authorization: 'Bearer not-a-token' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], undefined, 'this 401 is Strapi’s, not nginx’s');
    assert.doesNotMatch(res.body, /<center>nginx/);
    // Strapi's public endpoints answer, e.g. the admin init call.
    const init = await request(nginx.origin, '/admin/init', { headers: { ...JSON_ACCEPT, Authorization: 'Bearer x' } });
    assert.equal(init.status, 200, init.body.slice(0, 200));
  });

  test('strict mode does not work with it: the Bearer call carries no identity, so the session ends (identity-gone)', async () => {
    app.configure({ ...CONFIG, mode: 'strict' });
    try {
      const signIn = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Authorization: asJane } });
      const token = assertSession(signIn, 'strict sign-in');
      const res = await request(nginx.origin, '/admin/users/me', { headers: { ...JSON_ACCEPT, Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401, res.body.slice(0, 200));
      assert.equal(res.json().error.details.code, 'identity-gone');
    } finally {
      app.configure({ ...CONFIG, mode: 'persistent' });
    }
  });
});
