/**
 * The README's Quick start, followed literally, end to end: every block this
 * file runs is read from README.md's "## Quick start" section (never a copy):
 *
 * - step 3: the `.env` lines run with bash, twice, in a folder holding an
 *   empty `.env`; the fixture app's config/server.js has step 3's `url` line;
 * - step 4: the `config: { … }` literal of the config/plugins.ts block,
 *   evaluated with `env` reading that `.env`, is the configuration Strapi boots with;
 * - step 5: the nginx `server` block, with only the example's addresses swapped
 *   for the test's (no TLS), in front of a stand-in oauth2-proxy;
 * - step 2: the `npx strapi admin:create-user` command, run as written;
 * - steps 6 and 7: signing in through nginx, and the connection check.
 *
 * The order is the one a stranger is likely to get wrong: the proxy is up
 * before the first Super Admin exists (single sign-on must create nobody),
 * then step 2 is done and the same person signs in.
 *
 *   node --import tsx --test tests/e2e/quick-start.test.ts
 *
 * Needs /usr/sbin/nginx built with http_auth_request (Debian's is) and openssl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_APP, fixturePath, startStrapi, type StrapiProcess, type TestStrapi } from '../harness/strapi';
import { BROWSER, cookieHeader, request, type TestResponse } from '../harness/http';
import { assertNoSession, assertRefused, refusalCode, snapshot } from '../harness/assertions';
import { assertSession } from '../harness/proxy-requests';
import { NGINX_BIN } from '../harness/nginx';
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process';
import { acceptsConnections, freePort } from '../harness/local-port';
import { startAuthGateway, type AuthGateway } from '../harness/auth-gateway';
import { docSectionBlocks } from '../harness/readme-blocks';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { connectDirect } from '../harness/sql';
import { NGINX, needs } from '../harness/system-packages';

/** Without Debian's nginx the whole file skips with one loud line (a failure under .ci/run). */
const skip = needs({ ...NGINX, path: NGINX_BIN });
const run = promisify(execFile);

const ROOT = resolve(__dirname, '..', '..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
/** The Quick start section's text (for step 2's inline command). */
const SECTION = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));
const bashBlocks = docSectionBlocks('README.md', 'Quick start', 'bash');
const tsBlocks = docSectionBlocks('README.md', 'Quick start', 'ts');
const [NGINX_BLOCK] = docSectionBlocks('README.md', 'Quick start', 'nginx');
const ENV_BLOCK = bashBlocks.find((block) => block.includes('.env'));
const SERVER_BLOCK = tsBlocks.find((block) => block.includes("url: env('PUBLIC_URL')"));
const PLUGINS_BLOCK = tsBlocks.find((block) => block.includes("'remote-auth'"));
/** Step 2's command, as written (only the password placeholder is filled in below). */
const CREATE_USER = /`(npx strapi admin:create-user [^`]+)`/.exec(SECTION)?.[1];
/** The e-mail step 2 creates the Super Admin with: the address the proxy (the stand-in gateway) sends for this person. */
const ADA = /--email=(\S+)/.exec(CREATE_USER ?? '')?.[1] ?? '';
const ADA_PASSWORD = 'Quick-Start-Passw0rd!';
const GRACE = 'grace@corp.example';
/** The page the person sees while the app has no Super Admin (first-admin.test.ts). */
const NO_SUPER_ADMIN_SENTENCE = 'This Strapi is not set up yet. Please ask its administrator.';
const GATEWAY_SIGN_IN_PAGE = '<!doctype html><title>Sign in</title><h1>gateway sign-in page</h1>';

const escapeHtml = (text: string) => text.replace(/'/g, '&#39;');
const JSON_ACCEPT = { Accept: 'application/json' };

// ---------------------------------------------------------------- step 3: .env

/** KEY → every value it has in a .env file, in order. */
function dotenvLines(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a KEY=value line in .env: ${line}`);
    const key = line.slice(0, eq);
    found.set(key, [...(found.get(key) ?? []), line.slice(eq + 1)]);
  }
  return found;
}

// ---------------------------------------------------------------- step 5: nginx

/**
 * Step 5's server block for this test: `listen 443 ssl` → a free port on
 * 127.0.0.1 without TLS, `server_name` → 127.0.0.1, the gateway's
 * 127.0.0.1:4180 → the stand-in gateway, Strapi's 127.0.0.1:1337 → the test's
 * Strapi, `<REMOTE_AUTH_SECRET>` → the secret from `.env`. Every other line as
 * written, inside the minimal top level a foreground nginx needs (as
 * tests/harness/nginx.ts writes it).
 */
function renderNginx(dir: string, values: { port: number; gatewayPort: number; strapiPort: number; secret: string }): string {
  const swaps: Array<[string, string]> = [
    ['listen 443 ssl;', `listen 127.0.0.1:${values.port};`],
    ['server_name cms.corp.example;', 'server_name 127.0.0.1;'],
    ['127.0.0.1:4180', `127.0.0.1:${values.gatewayPort}`],
    ['127.0.0.1:1337', `127.0.0.1:${values.strapiPort}`],
    ['<REMOTE_AUTH_SECRET>', values.secret],
  ];
  let server = NGINX_BLOCK;
  for (const [from, to] of swaps) {
    assert.ok(server.includes(from), `the Quick start's nginx block no longer has ${from}`);
    server = server.split(from).join(to);
  }
  const p = (name: string) => join(dir, name);
  return `# Generated by tests/e2e/quick-start.test.ts from README.md's Quick start, step 5.
daemon off;
master_process off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;
events { worker_connections 256; }
http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
${server}}
`;
}

function startQuickStartNginx(values: { port?: number; gatewayPort: number; strapiPort: number; secret: string }): Promise<ProxyProcess> {
  return startProxyProcess({
    name: 'nginx',
    bin: NGINX_BIN,
    port: values.port,
    prepare(dir, port) {
      const config = renderNginx(dir, { ...values, port });
      writeFileSync(join(dir, 'nginx.conf'), config);
      return { config, args: ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')] };
    },
    ready: acceptsConnections,
    readyWithin: 10_000,
    logs: { error: 'error.log', access: 'access.log' },
  });
}

// ---------------------------------------------------------------- the app

let envDir: string;
/** The `.env` after step 3. */
let dotenv: Map<string, string[]>;
/** nginx's port, chosen before Strapi boots: PUBLIC_URL names it. */
let nginxPort: number;
let PUBLIC_URL: string;
let SECRET: string;
/** Step 4's `config: { … }`, evaluated with env() reading `.env`. */
let CONFIG: Record<string, unknown>;
let app: TestStrapi;
let gateway: AuthGateway;
let nginx: ProxyProcess;
/** `Cookie` values of the stand-in gateway's sessions. */
const GW = { ada: '', grace: '' };

before(async () => {
  if (skip) return;
  envDir = mkdtempSync(join(tmpdir(), 'remote-auth-quick-start-'));
  gateway = await startAuthGateway({ path: '/oauth2/auth', grantStatus: 202, pages: { '/oauth2/start': GATEWAY_SIGN_IN_PAGE } });
  GW.ada = gateway.sessionFor({ email: ADA, groups: null });
  GW.grace = gateway.sessionFor({ email: GRACE, groups: null });
});

after(async () => {
  await nginx?.stop();
  await app?.stop();
  await gateway?.close();
  if (envDir) rmSync(envDir, { recursive: true, force: true });
});

const users = async () => (await app.adminUsers()).map((user) => ({ id: user.id, email: user.email, roles: user.roles.map((role) => role.code).sort() }));
const links = async () => (await app.strapi.db.connection('remote_auth_identities').select('subject', 'user_id')) as Array<{ subject: string; user_id: number }>;
const throughNginx = (path: string, headers: Record<string, string>, options: { method?: string; body?: unknown } = {}) =>
  request(nginx.origin, path, { headers, ...options });

/** An app with no admin user, no identity link and no session at all. */
async function assertEmptyDatabase(label: string): Promise<void> {
  const now = await snapshot(app);
  assert.deepEqual(now, { users: [], links: [], sessions: 0 }, `${label}: nothing may be written`);
}

describe('the Quick start, followed literally', { skip }, () => {
  test('step 3: the .env lines run twice in a folder with an empty .env give one PUBLIC_URL, one HOST=127.0.0.1, one REMOTE_AUTH_SECRET', async () => {
    assert.ok(ENV_BLOCK, 'the Quick start has a bash block that fills in .env');
    nginxPort = await freePort();
    PUBLIC_URL = `http://127.0.0.1:${nginxPort}`;
    // The README's example address is https://cms.corp.example; this test's public address is its
    // nginx origin (plain http on a free port of 127.0.0.1), so that one value is swapped before running.
    assert.ok(ENV_BLOCK.includes('PUBLIC_URL=https://cms.corp.example'));
    const lines = ENV_BLOCK.split('https://cms.corp.example').join(PUBLIC_URL);
    writeFileSync(join(envDir, '.env'), '');
    await run('bash', ['-c', lines], { cwd: envDir });
    const first = readFileSync(join(envDir, '.env'), 'utf8');
    await run('bash', ['-c', lines], { cwd: envDir });
    const second = readFileSync(join(envDir, '.env'), 'utf8');
    assert.equal(second, first, 'running the lines again must change nothing');
    dotenv = dotenvLines(second);
    assert.deepEqual([...dotenv.keys()].sort(), ['HOST', 'PUBLIC_URL', 'REMOTE_AUTH_SECRET']);
    assert.deepEqual(dotenv.get('PUBLIC_URL'), [PUBLIC_URL]);
    assert.deepEqual(dotenv.get('HOST'), ['127.0.0.1']);
    const secrets = dotenv.get('REMOTE_AUTH_SECRET') ?? [];
    assert.equal(secrets.length, 1);
    assert.match(secrets[0], /^[A-Za-z0-9+/]{43}=$/, 'openssl rand -base64 32');
    SECRET = secrets[0];
  });

  test("step 3's server.url: the fixture app's config/server.js has the README's url line", () => {
    assert.ok(SERVER_BLOCK, 'the Quick start has the config/server.ts block');
    // The fixture app's own server.js (with a '' default for the suites that set no PUBLIC_URL).
    const server = readFileSync(fixturePath('config', 'server.js'), 'utf8');
    assert.match(server, /url: env\('PUBLIC_URL'/);
  });

  test('step 4: Strapi boots with exactly the README config (env() reading .env), no Super Admin yet, server.url = PUBLIC_URL', async () => {
    assert.ok(PLUGINS_BLOCK, 'the Quick start has the config/plugins.ts block');
    const literal = /config: (\{[\s\S]*?\n {4}\}) satisfies/.exec(PLUGINS_BLOCK);
    assert.ok(literal, 'the config literal of step 4');
    const env = (key: string, fallback?: string) => dotenv.get(key)?.at(-1) ?? fallback;
    CONFIG = new Function('env', `return (${literal[1]});`)(env) as Record<string, unknown>;
    assert.deepEqual(CONFIG.sharedSecret, { header: 'X-Remote-Auth-Secret', value: SECRET });
    app = await startStrapi({
      config: CONFIG,
      superAdmin: false,
      // The app reads these from .env: HOST and PUBLIC_URL (config/server.js), REMOTE_AUTH_SECRET (step 4).
      env: { HOST: env('HOST')!, PUBLIC_URL: env('PUBLIC_URL')!, REMOTE_AUTH_SECRET: env('REMOTE_AUTH_SECRET')! },
    });
    assert.equal(app.strapi.config.get('server.url'), PUBLIC_URL);
    assert.equal(app.strapi.config.get('server.host'), '127.0.0.1');
    await assertEmptyDatabase('a fresh app');
  });

  test('step 5: nginx runs the README server block in front of Strapi and the gateway', async () => {
    nginx = await startQuickStartNginx({ port: nginxPort, gatewayPort: gateway.port, strapiPort: app.port, secret: SECRET });
    assert.equal(nginx.origin, PUBLIC_URL);
  });

  test('before step 2: a person signed in at the gateway opening /admin gets the refusal page (403 no-super-admin); nothing is written', async () => {
    const before = await snapshot(app);
    const res = await throughNginx('/admin', { ...BROWSER, Cookie: GW.ada });
    await assertRefused(app, before, res, 403, 'no-super-admin');
    assert.ok(res.body.includes(escapeHtml(NO_SUPER_ADMIN_SENTENCE)), res.body.slice(0, 500));
    await assertEmptyDatabase('no-super-admin');
    const other = await throughNginx('/admin', { ...BROWSER, Cookie: GW.grace });
    await assertRefused(app, before, other, 403, 'no-super-admin');
    await assertEmptyDatabase('no-super-admin, second person');
  });

  test('step 2: `npx strapi admin:create-user` as written (with the proxy’s e-mail) creates the first Super Admin', async () => {
    assert.ok(CREATE_USER, 'step 2 names the admin:create-user command');
    assert.ok(CREATE_USER.includes("--password='<a strong password>'"), CREATE_USER);
    assert.equal(ADA, 'ada@corp.example');
    // The command itself, run in the app's folder against the test's database (the environment the
    // in-process Strapi booted with: database, REMOTE_AUTH_CONFIG, REMOTE_AUTH_SECRET). The CLI loads
    // the whole app, so it also proves the app starts with the .env of step 3.
    const command = CREATE_USER.replace('<a strong password>', ADA_PASSWORD);
    const { stdout } = await run('bash', ['-c', command], { cwd: FIXTURE_APP, env: process.env, timeout: 180_000 });
    assert.match(stdout, /Successfully created new admin/);
    assert.deepEqual((await users()).map((user) => [user.email, user.roles]), [[ADA, ['strapi-super-admin']]]);
    assert.deepEqual(await links(), [], 'the CLI links no identity');
  });

  let adaSignIn: TestResponse;

  test('step 6: the Super Admin opening /admin through nginx is signed in, linked to the account of step 2 (linkByEmail)', async () => {
    adaSignIn = await throughNginx('/admin', { ...BROWSER, Cookie: GW.ada });
    assert.equal(adaSignIn.status, 200, adaSignIn.body.slice(0, 300));
    assert.match(String(adaSignIn.headers['content-type']), /text\/html/);
    const token = assertSession(adaSignIn, 'ada through nginx');
    const me = await throughNginx('/admin/users/me', { ...JSON_ACCEPT, Authorization: `Bearer ${token}`, Cookie: GW.ada });
    assert.equal(me.status, 200, me.body.slice(0, 300));
    assert.equal(me.json().data.email, ADA);
    const [superAdmin] = await users();
    assert.deepEqual(superAdmin.roles, ['strapi-super-admin']);
    assert.deepEqual(
      (await links()).map((link) => [link.subject, Number(link.user_id)]),
      [[ADA, superAdmin.id]],
      'one identity link, to the Super Admin of step 2',
    );
    assert.equal((await snapshot(app)).sessions, 1);
  });

  test('step 6: a second person signed in at the gateway is created as an Author (autoCreate, defaultRoles)', async () => {
    const res = await throughNginx('/admin', { ...BROWSER, Cookie: GW.grace });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const token = assertSession(res, 'grace through nginx');
    const me = await throughNginx('/admin/users/me', { ...JSON_ACCEPT, Authorization: `Bearer ${token}`, Cookie: GW.grace });
    assert.equal(me.json().data.email, GRACE);
    assert.deepEqual(
      (await users()).map((user) => [user.email, user.roles]),
      [
        [ADA, ['strapi-super-admin']],
        [GRACE, ['strapi-author']],
      ],
    );
  });

  test('straight to Strapi’s port with a forged Remote-User: refused by the shared secret (secret-missing), nothing written', async () => {
    // Strapi listens on 127.0.0.1 like nginx, so the peer is trusted: only the secret tells them apart.
    for (const identity of [ADA, 'eve@corp.example']) {
      const before = await snapshot(app);
      const page = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
      await assertRefused(app, before, page, 403, 'secret-missing');
      const api = await request(app.origin, '/remote-auth/login?returnTo=/admin', { headers: { ...JSON_ACCEPT, 'Remote-User': identity } });
      await assertRefused(app, before, api, 403, 'secret-missing');
    }
    assert.ok(!(await users()).some((user) => user.email === 'eve@corp.example'));
  });

  test('a browser not signed in at the gateway is sent to /oauth2/start (step 5’s error_page); nothing is written', async () => {
    const before = await snapshot(app);
    gateway.calls.length = 0;
    const res = await throughNginx('/admin/content-manager?x=1', { ...BROWSER });
    await assertRefused(app, before, res, 200);
    assert.equal(res.body, GATEWAY_SIGN_IN_PAGE);
    assert.deepEqual(
      gateway.calls.map((call) => call.url),
      ['/oauth2/auth', `/oauth2/start?rd=${'/admin/content-manager?x=1'}`],
    );
    // A forged Remote-User does not help either: the gateway says no, Strapi never sees it.
    const forged = await throughNginx('/admin', { ...BROWSER, 'Remote-User': ADA, 'X-Remote-Auth-Secret': SECRET });
    await assertRefused(app, before, forged, 200);
    assert.equal(forged.body, GATEWAY_SIGN_IN_PAGE);
  });

  test('the token renewal through nginx from PUBLIC_URL (step 3’s server.url) answers 200 for the same person', async () => {
    const res = await throughNginx(
      '/admin/access-token',
      { ...JSON_ACCEPT, 'Content-Type': 'application/json', Cookie: `${cookieHeader(adaSignIn.cookies)}; ${GW.ada}`, Origin: PUBLIC_URL },
      { method: 'POST', body: {} },
    );
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const me = await throughNginx('/admin/users/me', { ...JSON_ACCEPT, Authorization: `Bearer ${res.json().data.token}`, Cookie: GW.ada });
    assert.equal(me.json().data.email, ADA);
  });

  test('step 7: the connection check, as the Super Admin through nginx, says Would sign in and sees no origin mismatch', async () => {
    const token = adaSignIn.cookies.jwtToken;
    const before = await snapshot(app);
    const res = await throughNginx(`/remote-auth/diagnostics?pageOrigin=${encodeURIComponent(PUBLIC_URL)}`, {
      ...JSON_ACCEPT,
      Authorization: `Bearer ${token}`,
      Cookie: GW.ada,
      Origin: PUBLIC_URL,
    });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const data = res.json().data;
    assert.equal(data.trustedPeer, true);
    assert.equal(data.secret, 'matched');
    assert.equal(data.header.state, 'present');
    assert.equal(data.outcome.result, 'would-sign-in');
    assert.equal(data.outcome.user.email, ADA);
    assert.equal(data.origin.browser, PUBLIC_URL);
    assert.equal(data.origin.enforced, PUBLIC_URL);
    assert.equal(data.origin.enforcedFrom, 'server.url');
    assert.equal(data.origin.problem, null);
    assertNoSession(res, 200);
    assert.deepEqual(await snapshot(app), before, 'the check signs nobody in');
  });
});

// ---------------------------------------------------------------- control: step 3 skipped

describe('control: the same app behind the same nginx block without server.url', { skip }, () => {
  let database: TestDatabase;
  let control: StrapiProcess;
  let controlNginx: ProxyProcess;

  before(async () => {
    database = await createTestDatabase();
    // A Strapi of its own (one in-process Strapi per process): the README's config and secret,
    // PUBLIC_URL empty, i.e. config/server without step 3's url. It has the harness's Super Admin,
    // so ada is created here as an Author.
    control = await startStrapi({ mode: 'child', database, config: CONFIG, env: { HOST: '127.0.0.1', PUBLIC_URL: '', REMOTE_AUTH_SECRET: SECRET } });
    controlNginx = await startQuickStartNginx({ gatewayPort: gateway.port, strapiPort: control.port, secret: SECRET });
  });
  after(async () => {
    await controlNginx?.stop();
    await control?.stop();
    await database?.drop();
  });

  test('the renewal from the browser’s origin is refused as cross-site-request: nginx sends `Host $host` (no port), so Strapi’s own origin is not the browser’s', async () => {
    const signIn = await request(controlNginx.origin, '/admin', { headers: { ...BROWSER, Cookie: GW.ada } });
    assert.equal(signIn.status, 200, signIn.body.slice(0, 300));
    assertSession(signIn, 'ada through the control nginx');
    const sql = await connectDirect(database, { readonly: true });
    try {
      const count = async () => {
        const [users] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM admin_users');
        const [links] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM remote_auth_identities');
        const [sessions] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM strapi_sessions');
        return { users: Number(users.n), links: Number(links.n), sessions: Number(sessions.n) };
      };
      const before = await count();
      assert.deepEqual(before, { users: 2, links: 1, sessions: 1 }, 'the harness’s Super Admin and ada, her link, her session');
      const res = await request(controlNginx.origin, '/admin/access-token', {
        method: 'POST',
        headers: { ...JSON_ACCEPT, 'Content-Type': 'application/json', Cookie: `${cookieHeader(signIn.cookies)}; ${GW.ada}`, Origin: controlNginx.origin },
        body: {},
      });
      assert.equal(res.status, 403, res.body.slice(0, 300));
      assert.equal(refusalCode(res), 'cross-site-request');
      assertNoSession(res, 403);
      assert.deepEqual(await count(), before, 'no user, link or session written by the refused renewal');
    } finally {
      await sql.close();
    }
  });
});
