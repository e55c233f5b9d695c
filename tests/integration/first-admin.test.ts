/**
 * The Quick start, followed literally: a fresh app behind the proxy.
 * - Single sign-on creates no account while the app has no Super Admin
 *   (no-super-admin): the first person through the proxy would otherwise
 *   become the first admin as an Author, Strapi would hide its own
 *   first-administrator form, and the app would never get a Super Admin.
 *   Strapi's form stays reachable through the proxy; once a Super Admin
 *   exists, the same identity is created as configured.
 * - "Check this connection" says when the browser's origin differs from the
 *   one the plugin enforces (renewals would be refused as cross-site).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { assertNoSession, assertRefused, assertSignedInAs, passwordLogin, snapshot } from '../harness/assertions';

let app: TestStrapi;
const ROOT = { email: 'first.admin@corp.example', password: 'Sup3rSecret!pass', firstname: 'First', lastname: 'Admin' };
const NEWCOMER = 'newcomer@corp.example';
/** All the person learns: Strapi's first-administrator form is open to anyone, so the page does not point at it. */
const NO_SUPER_ADMIN_SENTENCE = 'This Strapi is not set up yet. Please ask its administrator.';
const escaped = (text: string) => text.replace(/'/g, '&#39;');

before(async () => {
  app = await startStrapi({ superAdmin: false, config: { autoCreate: true } });
});
after(() => app?.stop());

const visit = (identity: string, path = '/admin') => request(app.origin, path, { headers: { ...BROWSER, 'Remote-User': identity } });
const hasAdmin = async (): Promise<boolean> => {
  const init = await request(app.origin, '/admin/init', { headers: { Accept: 'application/json' } });
  assert.equal(init.status, 200, init.body);
  return init.json().data.hasAdmin;
};

describe('an app without a Super Admin', () => {
  test('only creation waits for a Super Admin: a fresh identity is refused (no-super-admin, nothing written), an existing account still signs in', async () => {
    const before = await snapshot(app);
    const page = await visit(NEWCOMER);
    await assertRefused(app, before, page, 403, 'no-super-admin');
    assert.ok(page.body.includes(escaped(NO_SUPER_ADMIN_SENTENCE)), page.body);
    const api = await request(app.origin, '/remote-auth/login', { headers: { Accept: 'application/json', 'Remote-User': NEWCOMER } });
    await assertRefused(app, before, api, 403, 'no-super-admin');
    assert.equal(api.json().error.message, NO_SUPER_ADMIN_SENTENCE);
    assert.equal(await hasAdmin(), false, 'Strapi still offers its first-administrator form');

    const existing = await app.createAdmin({ email: 'existing.author@corp.example', roles: ['strapi-author'] });
    try {
      await assertSignedInAs(app, await visit(existing.email), existing.email);
    } finally {
      await app.strapi.service('admin::user').deleteById(existing.id);
    }
    assert.equal(await hasAdmin(), false);
  });

  test("Strapi's first-administrator page is served through the proxy, without a hand-off", async () => {
    const before = await snapshot(app);
    for (const path of ['/admin/auth/register-admin', '/admin/auth/login']) {
      const res = await visit(NEWCOMER, path);
      assertNoSession(res, 200);
      assert.match(res.body, /<div id="strapi"/);
    }
    assert.deepEqual(await snapshot(app), before);
  });

  test('the first-administrator form works while the proxy sends its header; then the same identity is created as configured', async () => {
    const before = await snapshot(app);
    await assertRefused(app, before, await visit(NEWCOMER), 403, 'no-super-admin');
    const registered = await request(app.origin, '/admin/register-admin', {
      method: 'POST',
      body: ROOT,
      headers: { Accept: 'application/json', 'Remote-User': NEWCOMER },
    });
    assert.equal(registered.status, 200, registered.body);
    assert.equal((await passwordLogin(app, ROOT.email, ROOT.password)).status, 200);
    assert.equal(await hasAdmin(), true);

    await assertSignedInAs(app, await visit(NEWCOMER), NEWCOMER);
    const created = (await app.adminUsers()).find((user) => user.email === NEWCOMER);
    assert.deepEqual(created?.roles.map((role) => role.code), ['strapi-author']);
  });
});

describe('Check this connection: the admin origin', () => {
  let token: string;
  before(async () => {
    token = (await passwordLogin(app, ROOT.email, ROOT.password)).json().data.token;
  });
  const check = async (headers: Record<string, string>, query = '') => {
    const res = await request(app.origin, `/remote-auth/diagnostics${query}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers } });
    assert.equal(res.status, 200, res.body);
    return res.json().data.origin as { browser: string | null; seenIn: string | null; enforced: string; problem: string | null };
  };

  test('warns when the browser uses another origin than the one enforced, naming both and the fix', async () => {
    const origin = await check({ Origin: 'https://cms.example.com' });
    assert.equal(origin.browser, 'https://cms.example.com');
    assert.equal(origin.enforced, app.origin);
    assert.match(String(origin.problem), /the browser uses https:\/\/cms\.example\.com but this plugin enforces http:\/\/127\.0\.0\.1:\d+/);
    assert.match(String(origin.problem), /cross-site-request/);
    assert.match(String(origin.problem), /Fix: set url in config\/server\.ts to https:\/\/cms\.example\.com/);
  });

  test('reads the origin from the Referer, or from the page location the settings page sends', async () => {
    const referer = await check({ Referer: 'http://127.0.0.1:8080/admin/settings/remote-auth' });
    assert.deepEqual([referer.browser, referer.seenIn], ['http://127.0.0.1:8080', 'referer']);
    assert.match(String(referer.problem), /uses http:\/\/127\.0\.0\.1:8080 but/);
    const page = await check({}, `?pageOrigin=${encodeURIComponent('https://cms.example.com')}`);
    assert.deepEqual([page.browser, page.seenIn], ['https://cms.example.com', 'page']);
    assert.notEqual(page.problem, null);
  });

  test('no warning when the origins match, nor when the request does not show the browser’s', async () => {
    const same = await check({ Origin: app.origin }, `?pageOrigin=${encodeURIComponent(app.origin)}`);
    assert.equal(same.browser, app.origin);
    assert.equal(same.problem, null);
    const unknown = await check({});
    assert.deepEqual([unknown.browser, unknown.problem], [null, null]);
  });
});
