/**
 * The demo's SSO simulator in front of a real Strapi (fixture app, in-process):
 * signs people in through the plugin, and strips identity headers a client
 * forges, under any spelling.
 *
 * Run after `npm run build` and `node tests/harness/ensure-fixture-build.js`:
 *   node --import tsx --test tests/e2e/sso-simulator.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { startSsoSimulator, type SsoSimulator } from '../demo/sso-simulator';

const SECRET_HEADER = 'X-Remote-Auth-Secret';
const secret = randomBytes(24).toString('base64url'); // 32 characters

let app: TestStrapi;
let sim: SsoSimulator;

before(async () => {
  assert.equal(secret.length, 32);
  app = await startStrapi({ config: { autoCreate: true, sharedSecret: { header: SECRET_HEADER, value: secret } } });
  sim = await startSsoSimulator({ listenPort: 0, upstream: app.origin, secret: { header: SECRET_HEADER, value: secret } });
});

after(async () => {
  await sim?.close();
  await app?.stop();
});

async function signInToSimulator(email: string, groups = ''): Promise<string> {
  const res = await request(sim.url, '/_sso/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, groups }).toString(),
  });
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/admin');
  const line = res.setCookies.find((cookie) => cookie.startsWith('sso_sim='));
  assert.ok(line, 'sso_sim cookie set');
  assert.match(line, /; Path=\/(;|$)/);
  assert.match(line, /; HttpOnly/i);
  assert.match(line, /; SameSite=Lax/i);
  return res.cookies.sso_sim;
}

async function whoAmI(res: TestResponse): Promise<string> {
  assert.ok(res.cookies.jwtToken, `an access cookie was set (status ${res.status})`);
  const me = await request(app.origin, '/admin/users/me', { headers: { Authorization: `Bearer ${res.cookies.jwtToken}` } });
  assert.equal(me.status, 200);
  return me.json().data.email;
}

describe('groups typed in the simulator form map to Strapi roles', () => {
  test('a person signing in with "cms-editors, marketing" becomes an Editor (syncRoles)', async () => {
    app.configure({
      autoCreate: true,
      sharedSecret: { header: SECRET_HEADER, value: secret },
      groupsHeader: 'Remote-Groups',
      groupRoles: { 'cms-editors': ['strapi-editor'] },
      syncRoles: true,
    });
    try {
      const cookie = await signInToSimulator('grouped@corp.example', 'cms-editors, marketing');
      const res = await request(sim.url, '/admin', { headers: { ...BROWSER, Cookie: `sso_sim=${cookie}` } });
      assert.equal(await whoAmI(res), 'grouped@corp.example');
      const roles = (await app.adminUsers()).find((u) => u.email === 'grouped@corp.example')?.roles.map((r) => r.code).sort();
      assert.deepEqual(roles, ['strapi-author', 'strapi-editor']);

      // Signing in again without the group removes the mapped role.
      const again = await signInToSimulator('grouped@corp.example', 'marketing');
      await request(sim.url, '/remote-auth/login', { headers: { Cookie: `sso_sim=${again}` } });
      const after = (await app.adminUsers()).find((u) => u.email === 'grouped@corp.example')?.roles.map((r) => r.code);
      assert.deepEqual(after, ['strapi-author']);
    } finally {
      app.configure({ autoCreate: true, sharedSecret: { header: SECRET_HEADER, value: secret } });
    }
  });
});

describe('SSO simulator in front of Strapi', () => {
  let janeCookie: string;

  test('listens on the port it was given, 0 meaning a free one', () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(sim.url).port, '0');
  });

  test('(a) an admin page without a simulator session goes to the sign-in form', async () => {
    const res = await request(sim.url, '/admin', { headers: BROWSER });
    assert.equal(res.status, 302);
    assert.match(String(res.headers.location), /^\/_sso\/login(\?|$)/);
    assert.equal(res.setCookies.length, 0);

    const deep = await request(sim.url, '/admin/content-manager?x=1', { headers: BROWSER });
    assert.equal(deep.status, 302);
    assert.equal(deep.headers.location, `/_sso/login?next=${encodeURIComponent('/admin/content-manager?x=1')}`);

    const form = await request(sim.url, '/_sso/login', { headers: BROWSER });
    assert.equal(form.status, 200);
    assert.match(String(form.headers['content-type']), /^text\/html/);
    assert.match(form.body, /simulates a company single sign-on proxy/);
    assert.match(form.body, /name="email"/);
    assert.match(form.body, /name="groups"/);
    assert.match(form.body, /comma separated/);
    assert.match(form.body, /Sign in<\/button>/);
  });

  test('(a′) without a session, assets and the API still reach Strapi', async () => {
    const init = await request(sim.url, '/admin/init', { headers: { Accept: 'application/json' } });
    assert.equal(init.status, 200);
    assert.ok(init.json().data);
    const health = await request(sim.url, '/_health');
    assert.equal(health.status, 204);
  });

  test('(b) signing in to the simulator sets the sso_sim cookie', async () => {
    janeCookie = await signInToSimulator('jane@corp.example', 'editors, marketing');
    assert.match(janeCookie, /^[A-Za-z0-9_-]{40,}$/);
  });

  test('(c) the admin page through the simulator hands off a Strapi session for jane', async () => {
    const res = await request(sim.url, '/admin', { headers: { ...BROWSER, Cookie: `sso_sim=${janeCookie}` } });
    assert.equal(res.status, 200);
    assert.match(res.body, /<html/i);
    assert.ok(res.cookies.jwtToken, 'jwtToken cookie');
    assert.ok(res.cookies.strapi_admin_refresh, 'strapi_admin_refresh cookie');
    assert.ok(res.setCookies.length >= 2, 'every Set-Cookie line is passed on');
    assert.equal(await whoAmI(res), 'jane@corp.example');

    const users = await app.adminUsers();
    const jane = users.find((user) => user.email === 'jane@corp.example');
    assert.ok(jane);
    assert.equal(jane.isActive, true);
  });

  test('(d) forged identity and secret headers of a signed-in browser are replaced, not added', async () => {
    const res = await request(sim.url, '/admin', {
      // A header list is sent as is: Node adds no Host to it.
      headers: [
        'Host', new URL(sim.url).host,
        'Accept', BROWSER.Accept,
        'Cookie', `sso_sim=${janeCookie}`,
        'Remote-User', 'admin@corp.example',
        'Remote_User', 'admin@corp.example',
        'REMOTE-USER', 'root@corp.example',
        'remote_user', 'root@corp.example',
        'Remote-Groups', 'strapi-super-admin',
        'Remote_Groups', 'strapi-super-admin',
        SECRET_HEADER, 'forged-secret',
        'X_Remote_Auth_Secret', 'forged-secret',
      ],
    });
    // A twin or duplicate reaching Strapi would be refused (400); a forged value would win.
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.equal(await whoAmI(res), 'jane@corp.example');
    const emails = (await app.adminUsers()).map((user) => user.email);
    assert.ok(!emails.includes('admin@corp.example'));
    assert.ok(!emails.includes('root@corp.example'));
  });

  test('(e) without a simulator session a forged Remote-User is stripped: no session, no user', async () => {
    const before = (await app.adminUsers()).length;
    // Not a navigation, so the simulator forwards it instead of redirecting.
    // The plugin's explicit sign-in route answers 401 when no identity arrives
    // (a forged copy reaching Strapi would give 403 secret-missing, a twin 400).
    const res = await request(sim.url, '/remote-auth/login', {
      headers: [
        'Host', new URL(sim.url).host,
        'Accept', 'application/json',
        'Remote-User', 'mallory@corp.example',
        'Remote_User', 'mallory@corp.example',
        SECRET_HEADER, 'guess',
      ],
    });
    assert.equal(res.status, 401, res.body);
    assert.equal(res.json().error.details.code, 'no-identity');
    assert.equal(res.cookies.jwtToken, undefined);
    assert.equal(res.cookies.strapi_admin_refresh, undefined);

    // An admin navigation carrying a forged header is sent to the sign-in form, never to Strapi.
    const page = await request(sim.url, '/admin', { headers: { ...BROWSER, 'Remote-User': 'mallory@corp.example' } });
    assert.equal(page.status, 302);
    assert.equal(page.setCookies.length, 0);

    const users = await app.adminUsers();
    assert.equal(users.length, before);
    assert.ok(!users.some((user) => user.email === 'mallory@corp.example'));
  });

  test('signing out of the simulator ends its session', async () => {
    const cookie = await signInToSimulator('ann@corp.example');
    const out = await request(sim.url, '/_sso/logout', { headers: { ...BROWSER, Cookie: `sso_sim=${cookie}` } });
    assert.equal(out.status, 200);
    assert.match(out.body, /signed out of the SSO/);
    assert.match(out.body, /href="\/_sso\/login"/);
    assert.ok(out.setCookies.some((line) => /^sso_sim=;/.test(line) && /Max-Age=0/i.test(line)));

    const again = await request(sim.url, '/admin', { headers: { ...BROWSER, Cookie: `sso_sim=${cookie}` } });
    assert.equal(again.status, 302);
    assert.match(String(again.headers.location), /^\/_sso\/login/);
  });

  test('Strapi itself refuses the header without the shared secret (why the simulator adds it)', async () => {
    const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'jane@corp.example' } });
    assert.equal(res.status, 403);
    assert.equal(res.cookies.jwtToken, undefined);
  });
});

/** A stand-in upstream that echoes what it received, to check header hygiene exactly. */
describe('SSO simulator forwarding', () => {
  let echo: http.Server;
  let echoSim: SsoSimulator;
  let seen: { method: string; url: string; rawHeaders: string[]; headers: IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    echo = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(207, 'Multi', ['Set-Cookie', 'a=1; Path=/', 'Set-Cookie', 'b=2; Path=/admin', 'X-Upstream', 'yes', 'Content-Type', 'text/plain']);
        res.end(`echo ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    const { port } = echo.address() as AddressInfo;
    echoSim = await startSsoSimulator({
      listenPort: 0,
      upstream: `http://127.0.0.1:${port}`,
      secret: { header: SECRET_HEADER, value: 'the-secret' },
    });
  });

  after(async () => {
    await echoSim?.close();
    await new Promise<void>((done) => echo.close(() => done()));
  });

  const rawValues = (raw: string[], name: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase().replace(/_/g, '-') === name) out.push(raw[i + 1]);
    return out;
  };

  test('forwards method, path, query, body, status and every response header', async () => {
    seen = [];
    const res = await request(echoSim.url, '/api/things/1?x=%2F&y=2', { method: 'PUT', body: { hello: 'world' } });
    assert.equal(res.status, 207);
    assert.equal(res.body, 'echo PUT /api/things/1?x=%2F&y=2');
    assert.deepEqual(res.setCookies, ['a=1; Path=/', 'b=2; Path=/admin']);
    assert.equal(res.headers['x-upstream'], 'yes');
    assert.equal(seen[0].method, 'PUT');
    assert.equal(seen[0].body, '{"hello":"world"}');
  });

  test('a signed-in request carries exactly one identity, groups and secret header, all ours', async () => {
    const login = await request(echoSim.url, '/_sso/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'email=jane%40corp.example&groups=editors%2C+marketing+%2C',
    });
    const cookie = login.cookies.sso_sim;
    assert.ok(cookie);
    seen = [];
    await request(echoSim.url, '/api/x', {
      headers: [
        'Host', new URL(echoSim.url).host,
        'Cookie', `a=1; sso_sim=${cookie}; b=2`,
        'Remote-User', 'mallory@corp.example',
        'remote_user', 'mallory@corp.example',
        'Remote-Groups', 'admins',
        'REMOTE_GROUPS', 'admins',
        'X-Remote-Auth-Secret', 'guess',
        'x_remote_auth_secret', 'guess',
        'X-Forwarded-For', '6.6.6.6',
        'X-Forwarded-Host', 'evil.example',
        'X-Forwarded-Proto', 'https',
        'Forwarded', 'for=6.6.6.6',
      ],
    });
    const raw = seen[0].rawHeaders;
    assert.deepEqual(rawValues(raw, 'remote-user'), ['jane@corp.example']);
    assert.deepEqual(rawValues(raw, 'remote-groups'), ['editors,marketing']);
    assert.deepEqual(rawValues(raw, 'x-remote-auth-secret'), ['the-secret']);
    assert.deepEqual(rawValues(raw, 'cookie'), ['a=1; b=2']);
    assert.deepEqual(rawValues(raw, 'x-forwarded-for'), ['127.0.0.1']);
    assert.deepEqual(rawValues(raw, 'x-forwarded-proto'), ['http']);
    assert.deepEqual(rawValues(raw, 'x-forwarded-host'), [new URL(echoSim.url).host]);
    assert.deepEqual(rawValues(raw, 'forwarded'), []);
  });

  test('an anonymous request carries none of them, and only sso_sim leaves the Cookie header', async () => {
    seen = [];
    await request(echoSim.url, '/api/x', {
      headers: ['Host', new URL(echoSim.url).host, 'Cookie', 'sso_sim=unknown; jwtToken=t', 'Remote-User', 'mallory@corp.example', 'Remote_User', 'x', 'X-Remote-Auth-Secret', 'guess'],
    });
    const raw = seen[0].rawHeaders;
    assert.deepEqual(rawValues(raw, 'remote-user'), []);
    assert.deepEqual(rawValues(raw, 'x-remote-auth-secret'), []);
    assert.deepEqual(rawValues(raw, 'cookie'), ['jwtToken=t']);
  });

  test('streams a chunked request body', async () => {
    seen = [];
    const { port, hostname } = new URL(echoSim.url);
    const status = await new Promise<number>((done, fail) => {
      const req = http.request({ host: hostname, port, path: '/upload', method: 'POST', headers: { 'Content-Type': 'text/plain' } }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.write('part one, ');
      setTimeout(() => req.end('part two'), 50);
    });
    assert.equal(status, 207);
    assert.equal(seen[0].body, 'part one, part two');
  });

  test('answers 502 with a page when the upstream is down', async () => {
    const down = await startSsoSimulator({ listenPort: 0, upstream: 'http://127.0.0.1:1' });
    try {
      const res = await request(down.url, '/api/x');
      assert.equal(res.status, 502);
      assert.match(res.body, /not answering/);
    } finally {
      await down.close();
    }
  });

  test('refuses a sign-in form posted from another site, accepts its own', async () => {
    const post = (headers: Record<string, string>) =>
      request(echoSim.url, '/_sso/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: 'email=mallory%40corp.example',
      });
    const crossSite: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }, { Origin: 'null' }];
    for (const headers of crossSite) {
      const res = await post(headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.cookies.sso_sim, undefined);
    }
    // What Chromium sends for the simulator's own form (Origin is "null" under some referrer policies).
    const sameSite: Array<Record<string, string>> = [{ 'Sec-Fetch-Site': 'same-origin', Origin: 'null' }, { Origin: echoSim.url }, {}];
    for (const headers of sameSite) {
      const res = await post(headers);
      assert.equal(res.status, 302, JSON.stringify(headers));
      assert.ok(res.cookies.sso_sim);
    }
  });

  test('returns only to admin paths after sign-in', async () => {
    const post = (next: string) =>
      request(echoSim.url, '/_sso/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'jane@corp.example', next }).toString(),
      });
    assert.equal((await post('/admin/settings?a=1')).headers.location, '/admin/settings?a=1');
    assert.equal((await post('//evil.example/admin')).headers.location, '/admin');
    assert.equal((await post('https://evil.example/admin')).headers.location, '/admin');
    assert.equal((await post('/\\evil.example')).headers.location, '/admin');
    assert.equal((await post('/api/users')).headers.location, '/admin');
  });
});
