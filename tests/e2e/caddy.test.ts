/**
 * End to end through Debian's Caddy (2.6) in the auth-gateway pattern:
 * `forward_auth` asks a gateway (a fake oauth2-proxy) about every request and
 * `copy_headers` turns its answer into Remote-User / Remote-Groups, then
 * `reverse_proxy` to a real Strapi. The block of docs/proxies/caddy.md is this config.
 *
 * Caddy's traps, each shown here with what Caddy really forwards (a header
 * echo behind the same config) and what the plugin then does:
 *  - `copy_headers` only writes the headers the gateway answered with. When the
 *    answer lacks one, Caddy < 2.9 sends the literal text
 *    "{http.reverse_proxy.header.…}" (caddyserver/caddy#6610) and later Caddy,
 *    until the fix for GHSA-7r4p-vjf4-gxv4, keeps the client's own copy: so the
 *    client's copies are removed first (`request_header -Remote-Groups` …) and
 *    the placeholders after.
 *  - Caddy forwards client headers with "_" in their names (`Remote_User`)
 *    as they came.
 *
 *   npm run build && node tests/harness/ensure-fixture-build.js
 *   node --import tsx --test tests/e2e/caddy.test.ts
 *
 * Needs /usr/bin/caddy (`apt-get install caddy`, or run through `.ci/run`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { raw } from '../harness/proxy-requests';
import { startCaddy, type Caddy, type CaddyOptions } from '../harness/caddy';
import { startAuthGateway, type AuthGateway } from '../harness/auth-gateway';
import { echoedHeaders, startHeaderEcho, type HeaderEcho } from '../harness/header-echo';
import { assertRefused, assertSignedInAs, snapshot, type Snapshot } from '../harness/assertions';
import { CADDY, needs } from '../harness/system-packages';
import { groupsProxySettings } from '../harness/groups-proxy-settings';
import { assertReadmeMatches, docBlock } from '../harness/readme-blocks';

const skip = needs(CADDY);
const { secretHeader: SECRET_HEADER, secret: SECRET, config: CONFIG } = groupsProxySettings();
/** Caddy 2.6's rendering of an answer header the gateway did not send. */
const PLACEHOLDER = /^\{http\.reverse_proxy\.header\./;

let app: TestStrapi;
let gateway: AuthGateway;
let echo: HeaderEcho;
/** The documented config in front of Strapi. */
let caddy: Caddy;
/** The documented config in front of a header echo. */
let echoCaddy: Caddy;
/** forward_auth + copy_headers alone (no stripping) in front of Strapi, and of the echo. */
let plainCaddy: Caddy;
let plainEchoCaddy: Caddy;

before(
  async () => {
    if (skip) return;
    app = await startStrapi({ config: CONFIG, env: { SERVER_PROXY: 'true' } });
    gateway = await startAuthGateway();
    echo = await startHeaderEcho();
    const base: CaddyOptions = { upstreamPort: app.port, gateway: { port: gateway.port }, secret: SECRET, secretHeader: SECRET_HEADER };
    caddy = await startCaddy(base);
    echoCaddy = await startCaddy({ ...base, upstreamPort: echo.port });
    plainCaddy = await startCaddy({ ...base, strip: false });
    plainEchoCaddy = await startCaddy({ ...base, upstreamPort: echo.port, strip: false });
  },
  { timeout: 180_000 },
);

after(async () => {
  await plainEchoCaddy?.stop();
  await plainCaddy?.stop();
  await echoCaddy?.stop();
  await caddy?.stop();
  await echo?.close();
  await gateway?.close();
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

const fresh = (name: string) => `${name}-${randomBytes(4).toString('hex')}@corp.example`;
/** Header name (lower-case) → every value Caddy forwarded to the echo. */
async function forwarded(via: Caddy, headers: string[]): Promise<Record<string, string[]>> {
  const res = await request(via.origin, '/admin', { headers });
  assert.equal(res.status, 200, res.body.slice(0, 200));
  return echoedHeaders(res);
}

async function rolesOf(email: string): Promise<string[]> {
  const user = (await app.adminUsers()).find((u) => u.email === email);
  assert.ok(user, `${email} has no admin account`);
  return user.roles.map((role) => role.code).sort();
}

/**
 * Strapi answered as the gateway's person: the session is `email`'s, and
 * apart from that person's own first sign-in no account or link appeared or
 * changed (in particular none for the forged identity).
 */
async function assertOnlyAs(before: Snapshot, res: TestResponse, email: string): Promise<void> {
  await assertSignedInAs(app, res, email);
  const after = await snapshot(app);
  const added = after.users.filter((row) => !before.users.includes(row));
  const removed = before.users.filter((row) => !after.users.includes(row));
  assert.deepEqual(removed, [], 'an existing admin account was changed or deleted');
  assert.ok(
    added.every((row) => JSON.parse(row).email === email),
    `only ${email} may have been created: ${added.join(' ')}`,
  );
  assert.ok(after.links.filter((link) => !before.links.includes(link)).length <= added.length, 'a link was created for another account');
  for (const link of before.links) assert.ok(after.links.includes(link), `link ${link} moved`);
}

/** A person signed in at the gateway with an admin account already (so a forgery cannot hide behind a first sign-in). */
async function existing(name: string, groups: string | null): Promise<{ email: string; cookie: string }> {
  const email = fresh(name);
  const cookie = gateway.sessionFor({ email, groups });
  await assertSignedInAs(app, await request(caddy.origin, '/admin', { headers: { ...BROWSER, Cookie: cookie } }), email);
  return { email, cookie };
}

// ---------------------------------------------------------------- no gateway session

describe('Caddy forward_auth + copy_headers in front of Strapi', { skip }, () => {
  test('without a gateway session Caddy answers the gateway’s 401 and Strapi changes nothing', async () => {
    const before = await snapshot(app);
    const victim = fresh('victim');
    const attempts: Array<[string, Record<string, string>]> = [
      ['no cookie', { ...BROWSER }],
      ['unknown gateway cookie', { ...BROWSER, Cookie: `${gateway.cookieName}=${randomBytes(16).toString('hex')}` }],
      ['Remote-User + Remote-Groups + secret', { ...BROWSER, 'Remote-User': victim, 'Remote-Groups': 'cms-editors', [SECRET_HEADER]: SECRET }],
      ['the gateway’s answer headers sent by the client', { ...BROWSER, 'X-Auth-Request-Email': victim, 'X-Auth-Request-Groups': 'cms-editors' }],
    ];
    for (const [label, headers] of attempts) {
      for (const path of ['/admin', '/remote-auth/login?returnTo=/admin', '/admin/users/me']) {
        const res = await request(caddy.origin, path, { headers });
        assert.equal(res.headers.server, 'Caddy', `${label} ${path}`);
        assert.equal(res.body, 'gateway: not signed in', `${label} ${path}: the gateway’s 401, not Strapi’s`);
        await assertRefused(app, before, res, 401);
      }
    }
  });

  test('docs/proxies/caddy.md’s block is this config (modulo host, ports, paths and the secret)', () => {
    assertReadmeMatches(docBlock('docs/proxies/caddy.md', 'Caddy with', 'caddyfile'), caddy.config, [
      ['cms.corp.example {', `http://127.0.0.1:${caddy.port} {`],
      ['127.0.0.1:4180', `127.0.0.1:${gateway.port}`],
      ['/oauth2/auth', '/verify'],
      ['127.0.0.1:1337', `127.0.0.1:${app.port}`],
      ['<REMOTE_AUTH_SECRET>', SECRET],
    ]);
  });

  // -------------------------------------------------------------- signed in at the gateway

  test('jane, signed in at the gateway, lands signed in with strapi-editor from her cms-editors group', async () => {
    const jane = fresh('jane');
    const cookie = gateway.sessionFor({ email: jane, groups: 'staff,cms-editors' });
    const before = await snapshot(app);
    const res = await request(caddy.origin, '/admin', { headers: { ...BROWSER, Cookie: cookie } });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    await assertOnlyAs(before, res, jane);
    const roles = await rolesOf(jane);
    assert.ok(roles.includes('strapi-editor'), `roles: ${roles}`);
    assert.ok(!roles.includes('strapi-super-admin'));

    const handOff = await request(caddy.origin, '/remote-auth/login?returnTo=/admin/content-manager', { headers: { ...BROWSER, Cookie: cookie } });
    assert.equal(handOff.status, 302, handOff.body.slice(0, 300));
    assert.equal(handOff.headers.location, '/admin/content-manager');
    await assertSignedInAs(app, handOff, jane);
  });

  // -------------------------------------------------------------- forged headers

  test('a signed-in person’s forged Remote-User / Remote_User (any case) and secret do not make them someone else', async () => {
    const jane = await existing('jane', 'cms-editors');
    const victim = fresh('victim');
    for (const name of ['Remote-User', 'remote-user', 'REMOTE-USER', 'Remote_User', 'remote_user']) {
      const before = await snapshot(app);
      const res = await request(caddy.origin, '/admin', { headers: raw('Cookie', jane.cookie, name, victim, SECRET_HEADER, 'forged') });
      assert.equal(res.status, 200, `${name}: ${res.body.slice(0, 300)}`);
      await assertOnlyAs(before, res, jane.email);
    }
    assert.ok(!(await app.adminUsers()).some((user) => user.email === victim), 'no account for the forged identity');
  });

  test('a person without groups at the gateway gains nothing from a forged Remote-Groups / Remote_Groups', async () => {
    for (const name of ['Remote-Groups', 'remote-groups', 'Remote_Groups']) {
      const ann = fresh('ann');
      const cookie = gateway.sessionFor({ email: ann, groups: null });
      const before = await snapshot(app);
      const res = await request(caddy.origin, '/admin', { headers: raw('Cookie', cookie, name, 'cms-editors') });
      assert.equal(res.status, 200, `${name}: ${res.body.slice(0, 300)}`);
      await assertOnlyAs(before, res, ann);
      assert.deepEqual(await rolesOf(ann), ['strapi-author'], `${name}: only defaultRoles, the forged group must not count`);
    }
  });

  test('a gateway that answers 200 without an identity: no Remote-User reaches Strapi (not the placeholder, not the client’s)', async () => {
    const cookie = gateway.sessionFor({ email: null, groups: null });
    const before = await snapshot(app);
    const res = await request(caddy.origin, '/remote-auth/login?returnTo=/admin', { headers: raw('Cookie', cookie, 'Remote-User', fresh('victim')) });
    await assertRefused(app, before, res, 401, 'no-identity');
  });

  test('direct requests to Strapi, bypassing Caddy, are refused', async () => {
    // From another address: not a trusted proxy, even with the right secret.
    let before = await snapshot(app);
    const headers = { ...BROWSER, 'Remote-User': fresh('direct'), [SECRET_HEADER]: SECRET };
    await assertRefused(app, before, await request(app.origin, '/remote-auth/login?returnTo=/admin', { headers, localAddress: '127.0.0.2' }), 403, 'untrusted-peer');
    before = await snapshot(app);
    await assertRefused(app, before, await request(app.origin, '/admin', { headers, localAddress: '127.0.0.2' }), 403, 'untrusted-peer');
    // From the proxy's own address but without the secret Caddy adds.
    before = await snapshot(app);
    const noSecret = { ...BROWSER, 'Remote-User': fresh('direct') };
    await assertRefused(app, before, await request(app.origin, '/remote-auth/login?returnTo=/admin', { headers: noSecret }), 403, 'secret-missing');
  });

  // -------------------------------------------------------------- what Caddy forwards

  test('what the documented config forwards: one Remote-User and Remote-Groups from the gateway, the secret; no client copy', async () => {
    const cookie = gateway.sessionFor({ email: 'jane@corp.example', groups: 'staff,cms-editors' });
    const seen = await forwarded(
      echoCaddy,
      raw(
        'Cookie', cookie,
        'Remote-User', 'bob@corp.example', 'Remote_User', 'bob@corp.example',
        'Remote-Groups', 'admins', 'Remote_Groups', 'admins',
        'Remote-Email', 'bob@corp.example', 'Remote_Email', 'bob@corp.example', 'Remote-Name', 'Bob', 'Remote_Name', 'Bob',
        SECRET_HEADER, 'forged',
      ),
    );
    assert.deepEqual(seen['remote-user'], ['jane@corp.example']);
    assert.deepEqual(seen['remote-groups'], ['staff,cms-editors']);
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
    for (const name of ['remote_user', 'remote_groups', 'remote-email', 'remote_email', 'remote-name', 'remote_name']) {
      assert.equal(seen[name], undefined, `${name} must not be forwarded: ${JSON.stringify(seen[name])}`);
    }
  });

  test('no groups in the answer: no Remote-Groups at all; the gateway never sees the secret or client identity headers', async () => {
    const cookie = gateway.sessionFor({ email: 'ann@corp.example', groups: null });
    const callsBefore = gateway.calls.length;
    const seen = await forwarded(echoCaddy, raw('Cookie', cookie, 'Remote-Groups', 'cms-editors', 'Remote-User', 'bob@corp.example', SECRET_HEADER, 'client-value'));
    assert.deepEqual(seen['remote-user'], ['ann@corp.example']);
    assert.equal(seen['remote-groups'], undefined, JSON.stringify(seen['remote-groups']));
    const calls = gateway.calls.slice(callsBefore);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].headers['remote-user'], undefined);
    assert.equal(calls[0].headers['remote-groups'], undefined);
    // forward_auth copies the client's request to the gateway; Caddy's secret is only set after it.
    assert.notEqual(calls[0].headers[SECRET_HEADER.toLowerCase()], SECRET);
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
  });

  // -------------------------------------------------------------- the traps, without the stripping

  test('trap: forward_auth + copy_headers alone forwards a value for a header the gateway did not send, and Remote_User as it came', async () => {
    const cookie = gateway.sessionFor({ email: 'ann@corp.example', groups: null });
    const seen = await forwarded(plainEchoCaddy, raw('Cookie', cookie, 'Remote-Groups', 'cms-editors', 'Remote_User', 'bob@corp.example'));
    // Caddy 2.6: the literal placeholder; newer Caddy: the client's "cms-editors" (the advisory).
    assert.equal(seen['remote-groups']?.length, 1, JSON.stringify(seen));
    assert.ok(PLACEHOLDER.test(seen['remote-groups'][0]) || seen['remote-groups'][0] === 'cms-editors', seen['remote-groups'][0]);
    assert.deepEqual(seen.remote_user, ['bob@corp.example']);
  });

  test('trap: without the stripping, the plugin still refuses the Remote_User twin (400 header-twin)', async () => {
    const jane = await existing('jane', null);
    for (const path of ['/admin', '/remote-auth/login?returnTo=/admin']) {
      const before = await snapshot(app);
      const res = await request(plainCaddy.origin, path, { headers: raw('Cookie', jane.cookie, 'Remote_User', fresh('victim')) });
      await assertRefused(app, before, res, 400, 'header-twin');
    }
  });
});
