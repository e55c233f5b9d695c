/**
 * End to end through a real Debian Apache httpd: Basic auth at the proxy, then
 * `RequestHeader set Remote-User expr=%{REMOTE_USER}` + a shared secret and
 * mod_proxy in front of a real Strapi. Every forgery is tried with real HTTP and
 * must end with jane (never bob) or with a refusal that sets no session cookie
 * and creates no admin user row.
 *
 * Besides Strapi, the same Apache config also fronts a tiny echo server, so each
 * comment about "what Apache did with the header" is checked against what
 * Apache actually forwarded, not just inferred from Strapi's answer.
 *
 *   npm run build && node tests/harness/ensure-fixture-build.js
 *   node --import tsx --test tests/e2e/apache.test.ts
 *
 * Needs /usr/sbin/apache2 (`apt-get install apache2`, or run through `.ci/run`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, rawRequest, request, type TestResponse } from '../harness/http';
import { assertSession, basic, raw } from '../harness/proxy-requests';
import { IDENTITY_HEADERS, startApache, type Apache, type ApacheOptions } from '../harness/apache';
import { assertRefused, assertUnchanged, snapshot } from '../harness/assertions';
import { APACHE, needs } from '../harness/system-packages';
import { assertReadmeMatches, docBlock } from '../harness/readme-blocks';

const SECRET_HEADER = 'X-Remote-Auth-Secret';
const SECRET = randomBytes(24).toString('base64url'); // 32 characters
const PASSWORDS = { jane: randomBytes(12).toString('hex'), bob: randomBytes(12).toString('hex') };
const JANE = 'jane@corp.example';

const skip = needs(APACHE);

let app: TestStrapi;
/** The proxy under test: the recommended config (unsets Remote_User early). */
let apache: Apache;
/** Same config without `RequestHeader unset Remote_User early`, to show the plugin's own defence. */
let lenientApache: Apache;
/** The common mistake `RequestHeader set Remote-User "%{REMOTE_USER}s"`. */
let nullApache: Apache;
/** The recommended config in front of an echo server: shows exactly what Apache forwards. */
let echoApache: Apache;
let echo: http.Server;

before(async () => {
  if (skip) return;
  app = await startStrapi({
    config: {
      trustedProxies: ['127.0.0.1/32'],
      sharedSecret: { header: SECRET_HEADER, value: SECRET },
      userField: 'username',
      emailDomain: 'corp.example',
      autoCreate: true,
    },
    // As behind a real proxy: Koa's ctx.ip follows X-Forwarded-For (Apache adds one). The plugin must not (T2).
    env: { SERVER_PROXY: 'true' },
  });
  const proxy: ApacheOptions = { upstreamPort: app.port, users: PASSWORDS, secret: SECRET, secretHeader: SECRET_HEADER };
  apache = await startApache(proxy);
  lenientApache = await startApache({ ...proxy, unsetUnderscoreTwin: false });
  nullApache = await startApache({ ...proxy, identityValue: 'format-string' });

  echo = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(req.rawHeaders));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as { port: number }).port;
  echoApache = await startApache({ ...proxy, upstreamPort: echoPort });
});

after(async () => {
  await echoApache?.stop();
  await nullApache?.stop();
  await lenientApache?.stop();
  await apache?.stop();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

const asJane = basic('jane', PASSWORDS.jane);
const asBob = basic('bob', PASSWORDS.bob);

const emails = async (): Promise<string[]> => (await app.adminUsers()).map((user) => user.email).sort();

/** Who a token belongs to, asked straight from Strapi (Apache's Basic auth would refuse a Bearer header). */
async function emailOf(token: string): Promise<string> {
  const res = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  assert.equal(res.status, 200, `GET /admin/users/me: ${res.body}`);
  return res.json().data.email;
}

/** The request went through as jane: 200, session cookies, the token is jane's, and jane is the only account. */
async function assertJane(res: TestResponse, label: string, status = 200): Promise<void> {
  assert.equal(res.status, status, `${label}: ${res.body.slice(0, 300)}`);
  assert.equal(await emailOf(assertSession(res, label)), JANE, label);
  assert.deepEqual(await emails(), [JANE], `${label}: jane is the only admin user; no bob`);
}

/**
 * What the recommended Apache config forwards upstream: the identity header, its
 * underscore twin and the secret, as sorted [lower-case name, value] pairs. Names
 * are lower-cased because `RequestHeader set` overwrites the value of the client's
 * line in place, keeping the client's spelling ("remote-user") and position.
 */
async function forwarded(headers: string[]): Promise<string[][]> {
  const res = await request(echoApache.origin, '/admin', { headers });
  assert.equal(res.status, 200, res.body);
  const list: string[] = res.json();
  const pairs: string[][] = [];
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i].toLowerCase();
    if (/^remote[-_]user$/.test(name) || name === SECRET_HEADER.toLowerCase()) pairs.push([name, list[i + 1]]);
  }
  return pairs.sort(([a], [b]) => a.localeCompare(b));
}

/** What Strapi receives when Apache does its job: one Remote-User (jane) and the real secret. */
const JANE_AND_SECRET = [
  ['remote-user', 'jane'],
  [SECRET_HEADER.toLowerCase(), SECRET],
];

// ---------------------------------------------------------------- Apache refuses anonymous clients

describe('without Basic auth, Apache answers 401 and Strapi never sees the request', { skip }, () => {
  test('no credentials, wrong password, unknown user, and a self-asserted Remote-User', async () => {
    const before = await snapshot(app);
    const attempts: Array<[string, Record<string, string>]> = [
      ['no credentials', { ...BROWSER }],
      ['wrong password', { ...BROWSER, Authorization: basic('jane', 'not-the-password') }],
      ['unknown user', { ...BROWSER, Authorization: basic('mallory', 'x') }],
      ['Remote-User without credentials', { ...BROWSER, 'Remote-User': 'jane' }],
      ['Remote-User and secret without credentials', { ...BROWSER, 'Remote-User': 'jane', [SECRET_HEADER]: SECRET }],
    ];
    for (const [label, headers] of attempts) {
      for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
        const res = await request(apache.origin, path, { headers });
        // Apache's own 401 page, not Strapi's: mod_auth_basic stops the request before mod_proxy.
        assert.match(String(res.headers['www-authenticate']), /^Basic realm="Strapi"/, `${label} ${path}`);
        assert.match(String(res.headers.server), /^Apache/, `${label} ${path}`);
        await assertRefused(app, before, res, 401);
      }
    }
    assert.doesNotMatch(apache.accessLog(), /" 200$/m, 'nothing was proxied');
  });
});

// ---------------------------------------------------------------- the happy path through Apache

describe('the Apache httpd block of docs/proxies/apache.md', { skip }, () => {
  test('is the tested config (modulo paths, ports and the secret)', () => {
    const htpasswd = /^\s*AuthUserFile (.*)$/m.exec(apache.config)?.[1] ?? 'missing';
    assertReadmeMatches(docBlock('docs/proxies/apache.md', 'Apache httpd', 'apache'), apache.config, [
      ['/etc/apache2/strapi.htpasswd', htpasswd],
      ['127.0.0.1:1337', `127.0.0.1:${app.port}`],
      ['<REMOTE_AUTH_SECRET>', SECRET],
    ]);
  });
});

describe('jane, authenticated by Apache, gets an admin session', { skip }, () => {
  test('Apache forwards exactly one Remote-User: jane and the secret', async () => {
    assert.deepEqual(await forwarded(raw('Authorization', asJane)), JANE_AND_SECRET);
  });

  test('GET /admin → 200 with session cookies; the token is jane’s', async () => {
    const res = await request(apache.origin, '/admin', { headers: { ...BROWSER, Authorization: asJane } });
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    await assertJane(res, 'GET /admin as jane');

    const users = await app.adminUsers();
    assert.deepEqual(
      users[0].roles.map((role) => role.code),
      ['strapi-author'],
      'autoCreate gives the defaultRoles, never Super Admin',
    );
    assert.match(apache.accessLog(), /^127\.0\.0\.1 jane "GET \/admin HTTP\/1\.1" 200$/m);
  });

  test('GET /remote-auth/login?returnTo=/admin/content-manager → 302 there, with cookies', async () => {
    const res = await request(apache.origin, '/remote-auth/login?returnTo=/admin/content-manager', {
      headers: { ...BROWSER, Authorization: asJane },
    });
    assert.equal(res.headers.location, '/admin/content-manager');
    await assertJane(res, 'login hand-off', 302);
  });

  test('Apache with Basic auth on every path refuses the admin SPA’s Bearer API calls (deployment note)', async () => {
    // mod_auth_basic wants "Authorization: Basic …"; the admin SPA sends "Authorization:
    // Bearer <jwt>" on its API calls, so Apache answers 401 ("client used wrong
    // authentication scheme") before Strapi sees them. Same limitation as nginx's auth_basic.
    const signIn = await request(apache.origin, '/admin', { headers: { ...BROWSER, Authorization: asJane } });
    const token = assertSession(signIn, 'sign-in');
    const res = await request(apache.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /^Basic/);
    assert.match(apache.errorLog(), /client used wrong authentication scheme/);
  });
});

// ---------------------------------------------------------------- jane tries to be bob

describe('jane, authenticated by Apache, cannot become bob by sending her own identity header', { skip }, () => {
  test('Remote-User: bob (any case) is replaced by Apache with jane', async () => {
    for (const name of ['Remote-User', 'remote-user', 'REMOTE-USER']) {
      // `RequestHeader set` is apr_table_set: it overwrites the value of the first
      // header of that name (compared case-insensitively) and deletes the others.
      assert.deepEqual(await forwarded(raw('Authorization', asJane, name, 'bob')), JANE_AND_SECRET, `${name}: what Apache forwards`);
      const res = await request(apache.origin, '/admin', { headers: raw('Authorization', asJane, name, 'bob') });
      await assertJane(res, name);
    }
  });

  test('two Remote-User lines from the client become Apache’s single Remote-User: jane', async () => {
    // Apache's request parser merges repeated header lines into one "bob, admin"
    // value, and `RequestHeader set` then replaces that merged header.
    const twice = ['Remote-User', 'bob', 'Remote-User', 'admin'];
    assert.deepEqual(await forwarded(raw('Authorization', asJane, ...twice)), JANE_AND_SECRET);
    await assertJane(await request(apache.origin, '/admin', { headers: raw('Authorization', asJane, ...twice) }), 'two lines via /admin');
    const login = await request(apache.origin, '/remote-auth/login?returnTo=/admin', { headers: raw('Authorization', asJane, ...twice) });
    assert.equal(login.headers.location, '/admin');
    await assertJane(login, 'two lines via /remote-auth/login', 302);
  });

  test('Remote_User: bob (any case) is removed by `RequestHeader unset Remote_User early` and jane signs in', async () => {
    for (const name of ['Remote_User', 'remote_user', 'REMOTE_USER']) {
      // Unlike nginx, Apache does not drop client headers with "_" in their names
      // when proxying (it only skips them when building a CGI environment); and to
      // mod_headers "Remote_User" is a different name from "Remote-User". The early
      // unset (server context, before authentication) is what removes it.
      assert.deepEqual(await forwarded(raw('Authorization', asJane, name, 'bob')), JANE_AND_SECRET, `${name}: what Apache forwards`);
      const res = await request(apache.origin, '/admin', { headers: raw('Authorization', asJane, name, 'bob') });
      await assertJane(res, name);
    }
  });

  test('without the unset, Apache forwards Remote_User: bob next to Remote-User: jane and the plugin refuses the twin (400)', async () => {
    // lenientApache differs only by the missing `RequestHeader unset Remote_User early`.
    // Strapi then receives both "Remote-User: jane" and the client's "Remote_User: bob";
    // Node keeps the underscore, the plugin sees two spellings and refuses (T4).
    assert.doesNotMatch(lenientApache.config, /^RequestHeader unset Remote_User/m);
    for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
      for (const name of ['Remote_User', 'REMOTE_USER']) {
        const before = await snapshot(app);
        const res = await request(lenientApache.origin, path, { headers: raw('Authorization', asJane, name, 'bob') });
        await assertRefused(app, before, res, 400, 'header-twin');
      }
    }
  });

  test('every identity and attribute header the client sends, either spelling, is removed (Remote-Groups, Remote_Email, …)', async () => {
    const forged = IDENTITY_HEADERS.flatMap((name) => [name, name.replace('-', '_')]).flatMap((name) => [name, 'bob']);
    const res = await request(echoApache.origin, '/admin', { headers: raw('Authorization', asJane, ...forged) });
    assert.equal(res.status, 200, res.body);
    const list: string[] = res.json();
    const identity: string[][] = [];
    for (let i = 0; i < list.length; i += 2) if (/^remote[-_]/i.test(list[i])) identity.push([list[i].toLowerCase(), list[i + 1]]);
    assert.deepEqual(identity, [['remote-user', 'jane']], 'only Apache’s own Remote-User reaches the upstream');
  });

  test('a client-sent secret header is replaced too: a wrong one does not break jane, and proves nothing', async () => {
    const headers = raw('Authorization', asJane, SECRET_HEADER, 'forged', 'Remote-User', 'bob');
    assert.deepEqual(await forwarded(headers), JANE_AND_SECRET);
    await assertJane(await request(apache.origin, '/admin', { headers }), 'forged secret');
  });

  test('Connection: Remote-User makes Apache drop its own Remote-User: the request is anonymous, not bob', async () => {
    // mod_proxy_http removes the hop-by-hop headers a client names in "Connection"
    // (RFC 9110 §7.6.1) from the request it sends upstream, and it does so *after*
    // mod_headers has set Remote-User. Strapi receives no identity at all (T6): the
    // admin page is served without a session, and /remote-auth/login refuses.
    const headers = raw('Authorization', asJane, 'Remote-User', 'bob', 'Connection', 'Remote-User');
    assert.deepEqual(await forwarded(headers), [[SECRET_HEADER.toLowerCase(), SECRET]], 'Apache forwards no Remote-User at all');
    let before = await snapshot(app);
    await assertRefused(app, before, await request(apache.origin, '/admin', { headers }), 200);
    before = await snapshot(app);
    const login = await request(apache.origin, '/remote-auth/login?returnTo=/admin', { headers });
    await assertRefused(app, before, login, 401, 'no-identity');
  });

  test('Connection: X-Remote-Auth-Secret makes Apache drop the secret: the plugin refuses (403)', async () => {
    // Same hop-by-hop stripping, aimed at the secret: Strapi gets Remote-User: jane
    // without the secret and refuses it as not coming from the proxy.
    const headers = raw('Authorization', asJane, 'Connection', SECRET_HEADER);
    assert.deepEqual(await forwarded(headers), [['remote-user', 'jane']], 'Apache forwards no secret');
    for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
      const before = await snapshot(app);
      await assertRefused(app, before, await request(apache.origin, path, { headers }), 403, 'secret-missing');
    }
  });

  test('"Remote-User : bob" (space before the colon) is rejected by Apache itself (400)', async () => {
    // HttpProtocolOptions Strict (Apache's default) refuses a malformed header line.
    const before = await snapshot(app);
    const res = await rawRequest(
      apache.port,
      `GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nAuthorization: ${asJane}\r\nRemote-User : bob\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(res.status, 400, res.raw.slice(0, 300));
    assert.doesNotMatch(res.raw, /Set-Cookie/i);
    await assertUnchanged(app, before);
  });

  test('bob exists only once bob himself authenticates', async () => {
    const res = await request(apache.origin, '/admin', { headers: { ...BROWSER, Authorization: asBob } });
    assert.equal(res.status, 200);
    assert.equal(await emailOf(assertSession(res, 'bob')), 'bob@corp.example');
    assert.ok((await emails()).includes('bob@corp.example'));
  });
});

// ---------------------------------------------------------------- a config mistake fails closed

describe('RequestHeader set Remote-User "%{REMOTE_USER}s" (wrong syntax) fails closed', { skip }, () => {
  test('Apache sends the literal "(null)" for everyone; the plugin refuses it (403 invalid-identity)', async () => {
    // In mod_headers format strings %{VAR}s is an SSL variable and %{VAR}e an
    // environment variable; neither holds the user on a proxied request, and
    // Apache prints "(null)". Only `expr=%{REMOTE_USER}` reads the authenticated user.
    assert.match(nullApache.config, /RequestHeader set Remote-User "%\{REMOTE_USER\}s"/);
    for (const [label, auth] of [
      ['jane', asJane],
      ['bob', asBob],
    ]) {
      const before = await snapshot(app);
      const res = await request(nullApache.origin, '/admin', { headers: { ...BROWSER, Authorization: auth } });
      await assertRefused(app, before, res, 403, 'invalid-identity');
      assert.ok(!(await emails()).some((email) => email.includes('null')), 'no "(null)" account');
    }
  });
});
