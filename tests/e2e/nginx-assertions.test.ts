/**
 * Signed identity assertions end to end, in Chromium, through a real Debian
 * nginx: a small gateway on 127.0.0.1 plays Pomerium (it holds the session and
 * signs a fresh ES256 `X-Pomerium-Jwt-Assertion` per request; nginx asks it
 * with `auth_request` and copies the assertion into the request to Strapi).
 * The plugin runs in strict mode with the `pomerium` preset, keys from the
 * gateway's `/.well-known/pomerium/jwks.json`.
 *
 *  (1) the browser opens /admin through nginx and lands signed in as the
 *      person the assertion names — never as the unsigned X-Auth-Request-Email
 *      the gateway also sends;
 *  (2) the gateway switches person: Strapi signs the browser in as the new
 *      person and ends the old session;
 *  (3) a request without a valid assertion is refused, with its code, no
 *      session and nothing written: another key, expired, the plain header
 *      alone, a Bearer session without the assertion (around nginx), and a
 *      client's own assertion header through nginx is replaced by the
 *      gateway's.
 *
 *   node --import tsx --test tests/e2e/nginx-assertions.test.ts
 *
 * Needs /usr/sbin/nginx and /usr/bin/chromium (`.ci/run` installs both).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request, type TestResponse } from '../harness/http';
import { assertNoSessionGranted } from '../harness/proxy-requests';
import { NGINX_BIN, startNginx, type Nginx } from '../harness/nginx';
import { startAssertionGateway, type AssertionGateway, type GatewayPerson } from '../harness/assertion-gateway';
import { launchBrowser, type TestBrowser } from '../harness/browser';
import { assertUnchanged, refusalCode, snapshot } from '../harness/assertions';
import { CHROMIUM_BROWSER, NGINX, needs } from '../harness/system-packages';

const skip = needs({ ...NGINX, path: NGINX_BIN }, CHROMIUM_BROWSER);

const JANE: GatewayPerson = { email: 'jane@corp.example', givenName: 'Jane', familyName: 'Doe', groups: ['staff', 'cms-editors'] };
const ANN: GatewayPerson = { email: 'ann@corp.example', givenName: 'Ann', familyName: 'Lee', groups: ['staff'] };
/** A Super Admin (created in before()), who may open the plugin's settings page. */
const BOSS: GatewayPerson = { email: 'boss@corp.example', givenName: 'Boss', familyName: 'Admin' };
/** What the gateway also sends, unsigned, in X-Auth-Request-Email (→ Remote-User): never to be believed. */
const DECOY = 'mallory@corp.example';
const SECRET = randomBytes(24).toString('base64url');

let app: TestStrapi;
let gateway: AssertionGateway;
let nginx: Nginx;
let browser: TestBrowser;

const config = () => ({
  mode: 'strict',
  autoCreate: true,
  assertion: { preset: 'pomerium', routeDomain: gateway.routeDomain, jwksUrl: gateway.jwksUrl },
  groupRoles: { 'cms-editors': ['strapi-editor'] },
});

before(
  async () => {
    if (skip) return;
    gateway = await startAssertionGateway({ decoyEmail: DECOY });
    app = await startStrapi({ config: config(), env: { SERVER_PROXY: 'true' } });
    await app.createAdmin({ email: BOSS.email });
    nginx = await startNginx({
      upstreamPort: app.port,
      secret: SECRET,
      authRequest: { port: gateway.port, assertionHeader: gateway.header },
    });
    // The public address (renewals are same-origin only; nginx's `Host $host` drops the port).
    app.strapi.config.set('server.url', nginx.origin);
    browser = await launchBrowser();
  },
  { timeout: 180_000 },
);

after(async () => {
  await browser?.close();
  await nginx?.stop();
  await gateway?.close();
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

const emails = async (): Promise<string[]> => (await app.adminUsers()).map((user) => user.email).sort();
const me = (origin: string, headers: Record<string, string>) =>
  request(origin, '/admin/users/me', { headers: { Accept: 'application/json', ...headers } });

/** Refused with `code`, no session cookie, and no user, link or session row written. */
async function assertRefusedWith(res: TestResponse, code: string, label: string, before: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  assert.ok(res.status >= 400 && res.status < 500, `${label}: expected a refusal, got ${res.status}: ${res.body.slice(0, 300)}`);
  assert.equal(refusalCode(res), code, `${label}: ${res.body.slice(0, 300)}`);
  assertNoSessionGranted(res, label);
  await assertUnchanged(app, before);
}

/**
 * A fresh access token for the session the browser holds, the way the admin
 * SPA gets one: POST /admin/access-token with its refresh cookie, through
 * nginx with the gateway's session cookie.
 */
async function accessToken(refresh: string, gatewayCookie: string): Promise<TestResponse> {
  return request(nginx.origin, '/admin/access-token', {
    method: 'POST',
    headers: { Accept: 'application/json', Cookie: `strapi_admin_refresh=${refresh}; ${gatewayCookie}`, Origin: nginx.origin },
    body: {},
  });
}

const refreshCookie = async (page: Page): Promise<string> =>
  (await page.context().cookies(`${nginx.origin}/admin`)).find((cookie) => cookie.name === 'strapi_admin_refresh')?.value ?? '';

async function waitForDashboard(page: Page, name: RegExp, shot: string): Promise<void> {
  try {
    await page.getByRole('heading', { name }).waitFor();
  } catch (error) {
    const path = await browser.screenshot(page, `failure-${shot}`).catch(() => 'none');
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
    throw new Error(`dashboard ${name} not shown at ${page.url()} (screenshot ${path}); page text: ${text}`, { cause: error });
  }
}

// ------------------------------------------------------------------ tests

describe('signed assertions through nginx, strict mode, in Chromium', { skip }, () => {
  let page: Page;
  let janeCookie: string;
  let janeToken: string;
  let janeRefresh: string;
  let annToken: string;

  test('(1) /admin through nginx signs the browser in as the person the assertion names', async () => {
    const browserPage = await browser.newPage();
    page = browserPage.page;
    janeCookie = gateway.sessionFor(JANE);
    const [name, value] = janeCookie.split('=');
    await browserPage.context.addCookies([{ name, value, url: nginx.origin }]);

    const signedBefore = gateway.signed;
    await page.goto(`${nginx.origin}/admin`);
    await waitForDashboard(page, /Hello Jane/i, 'assertion-jane');
    await browser.screenshot(page, 'assertion-1-signed-in-as-jane');
    assert.ok(gateway.signed - signedBefore > 3, `one assertion per request: the gateway signed ${gateway.signed - signedBefore}`);

    janeRefresh = await refreshCookie(page);
    assert.ok(janeRefresh, 'signed in: a refresh cookie');
    const renewed = await accessToken(janeRefresh, janeCookie);
    assert.equal(renewed.status, 200, renewed.body.slice(0, 300));
    janeToken = renewed.json().data.token;
    const who = await me(nginx.origin, { Authorization: `Bearer ${janeToken}`, Cookie: janeCookie });
    assert.equal(who.status, 200, who.body.slice(0, 300));
    assert.equal(who.json().data.email, JANE.email);
    // The unsigned X-Auth-Request-Email (nginx's Remote-User) named mallory on every request: never used.
    assert.deepEqual(await emails(), [BOSS.email, JANE.email]);
    const jane = (await app.adminUsers()).find((user) => user.email === JANE.email);
    assert.ok(jane?.roles.some((role) => role.code === 'strapi-editor'), 'groups claim → roles');
    assert.deepEqual(browserPage.errors.filter((line) => line.startsWith('pageerror:')), []);
  });

  test('(1b) "Check this connection" shows the verified assertion and its claims', async () => {
    const boss = await browser.newPage();
    const [name, value] = gateway.sessionFor(BOSS).split('=');
    await boss.context.addCookies([{ name, value, url: nginx.origin }]);
    const page = boss.page;
    await page.goto(`${nginx.origin}/admin/settings/remote-auth`);
    const row = page.locator('[data-check="assertion"]');
    try {
      await row.waitFor();
    } catch (error) {
      const shot = await browser.screenshot(page, 'failure-assertion-check', { fullPage: true });
      throw new Error(`no assertion row in the check (screenshot ${shot})`, { cause: error });
    }
    const text = await row.innerText();
    assert.match(text, /X-Pomerium-Jwt-Assertion/i);
    assert.match(text, /Signature verified/);
    assert.match(text, new RegExp(gateway.routeDomain.replace(/\./g, '\\.')));
    assert.match(await page.locator('[data-check="outcome"]').innerText(), /Would sign in/);
    await row.scrollIntoViewIfNeeded();
    await browser.screenshot(page.locator('[data-section="check"]'), 'assertion-1b-check-this-connection');
    await boss.context.close();
  });

  test('(2) the gateway switches person: the browser is signed in as the new person, the old session ends', async () => {
    gateway.switchPerson(janeCookie, ANN);
    await page.goto(`${nginx.origin}/admin`);
    await waitForDashboard(page, /Hello Ann/i, 'assertion-ann');
    await browser.screenshot(page, 'assertion-2-switched-to-ann');

    const annRefresh = await refreshCookie(page);
    assert.ok(annRefresh && annRefresh !== janeRefresh, 'a new session for ann');
    const renewed = await accessToken(annRefresh, janeCookie);
    assert.equal(renewed.status, 200, renewed.body.slice(0, 300));
    annToken = renewed.json().data.token;
    assert.equal((await me(nginx.origin, { Authorization: `Bearer ${annToken}`, Cookie: janeCookie })).json().data.email, ANN.email);
    // jane's session was ended: neither her token nor her refresh cookie works, even with a fresh gateway session of hers.
    const janeAgain = gateway.sessionFor(JANE);
    const old = await me(nginx.origin, { Authorization: `Bearer ${janeToken}`, Cookie: janeAgain });
    assert.equal(old.status, 401, old.body.slice(0, 300));
    const oldRefresh = await accessToken(janeRefresh, janeAgain);
    assert.notEqual(oldRefresh.status, 200, `jane's refresh cookie still renews: ${oldRefresh.body.slice(0, 300)}`);
    assert.deepEqual(await emails(), [ANN.email, BOSS.email, JANE.email]);
  });

  describe('(3) a request without a valid assertion is refused', () => {
    test('signed by a key the gateway never published (same kid) → assertion-signature', async () => {
      const before = await snapshot(app);
      const forged = await gateway.assertionFor({ email: 'eve@corp.example' }, {}, 'stranger');
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, [gateway.header]: forged } });
      await assertRefusedWith(res, 'assertion-signature', 'stranger key', before);
    });

    test('expired → assertion-expired', async () => {
      const before = await snapshot(app);
      const now = Math.floor(Date.now() / 1000);
      const expired = await gateway.assertionFor({ email: 'eve@corp.example' }, { iat: now - 900, exp: now - 600 });
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, [gateway.header]: expired } });
      await assertRefusedWith(res, 'assertion-expired', 'expired', before);
    });

    test('for another route (aud) → assertion-audience', async () => {
      const before = await snapshot(app);
      const other = await gateway.assertionFor({ email: 'eve@corp.example' }, { aud: 'wiki.gateway.test' });
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, [gateway.header]: other } });
      await assertRefusedWith(res, 'assertion-audience', 'audience', before);
    });

    test('the plain identity header alone (around nginx) signs nobody in', async () => {
      const before = await snapshot(app);
      const res = await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': DECOY } });
      assertNoSessionGranted(res, 'plain header');
      await assertUnchanged(app, before);
      assert.ok(!(await emails()).includes(DECOY));
    });

    test('strict mode: ann’s Bearer with a forged assertion (around nginx) is refused and ends her session', async () => {
      // ann's access token from (2): a session of the strict mode that needs the assertion on every request.
      assert.ok(annToken, 'ann signed in (2)');
      const forged = await gateway.assertionFor(ANN, {}, 'stranger');
      const res = await me(app.origin, { Authorization: `Bearer ${annToken}`, [gateway.header]: forged });
      assert.equal(res.status, 401, res.body.slice(0, 300));
      assert.equal(refusalCode(res), 'assertion-signature', res.body.slice(0, 300));
      // The refusal ended the session: even without any assertion the token is now refused.
      const bare = await me(app.origin, { Authorization: `Bearer ${annToken}` });
      assert.equal(bare.status, 401, `no assertion: ${bare.body.slice(0, 300)}`);
      // And with ann's own, valid assertion: the session stays ended (a new sign-in is needed).
      const valid = await me(app.origin, { Authorization: `Bearer ${annToken}`, [gateway.header]: await gateway.assertionFor(ANN) });
      assert.equal(valid.status, 401, `ended session: ${valid.body.slice(0, 300)}`);
    });

    test('through nginx, a client’s own assertion header is replaced by the gateway’s', async () => {
      const cookie = gateway.sessionFor(JANE);
      const forged = await gateway.assertionFor({ email: 'eve@corp.example' }, {}, 'stranger');
      const res = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Cookie: cookie, [gateway.header]: forged } });
      assert.equal(res.status, 200, res.body.slice(0, 300));
      const who = await me(nginx.origin, { Authorization: `Bearer ${res.cookies.jwtToken}`, Cookie: cookie });
      assert.equal(who.json().data.email, JANE.email);
      assert.ok(!(await emails()).includes('eve@corp.example'));
    });

    test('gateway session ended → nginx answers 401 and Strapi never sees the request', async () => {
      const cookie = gateway.sessionFor(ANN);
      gateway.endSession(cookie);
      const before = await snapshot(app);
      const res = await request(nginx.origin, '/admin', { headers: { ...BROWSER, Cookie: cookie } });
      assert.equal(res.status, 401);
      assertNoSessionGranted(res, 'ended gateway session');
      await assertUnchanged(app, before);
    });
  });
});
