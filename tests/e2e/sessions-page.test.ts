/**
 * Settings → Remote authentication: sessions & accounts, in a real browser
 * (Debian's Chromium via playwright-core) against a real Strapi with the
 * built admin panel, behind the SSO simulator: the list of single sign-on
 * sessions with the "managed by single sign-on" marks, "Sign out" of a
 * person, and the deprovisioning preview. Screenshots go to tests/e2e/artifacts/.
 *
 * Run after `npm run build` and `node tests/harness/ensure-fixture-build.js`:
 *   node --import tsx --test tests/e2e/sessions-page.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { launchBrowser, type TestBrowser, waitForOrExplain } from '../harness/browser';
import { CHROMIUM_BROWSER, needs } from '../harness/system-packages';
import { startSsoSimulator, type SsoSimulator } from '../demo/sso-simulator';

const PASSWORD = `Pw-${randomBytes(9).toString('base64url')}1a`;
const ADMIN = 'admin@corp.example';
const DAY_MS = 86_400_000;
const skip = needs(CHROMIUM_BROWSER);

let app: TestStrapi;
let sim: SsoSimulator;
let browser: TestBrowser;

const handOff = (identity: string) => request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': identity } });
const idOf = async (email: string) => (await app.adminUsers()).find((u) => u.email === email)!.id;
const liveSessions = async (email: string) =>
  (await app.strapi.db.query('admin::session').findMany({ where: { userId: String(await idOf(email)), status: 'active' } })).length;

before(
  async () => {
    if (skip) return;
    app = await startStrapi({ config: { autoCreate: true, defaultRoles: ['strapi-editor'], deactivateAfterDays: 30 } });
    await app.createAdmin({ email: ADMIN, password: PASSWORD });
    await app.createAdmin({ email: 'pat@corp.example', password: PASSWORD, roles: ['strapi-editor'] });
    for (const person of ['nina@corp.example', 'nina@corp.example', 'omar@corp.example', 'stale@corp.example', 'pat@corp.example']) await handOff(person);
    for (const subject of ['stale@corp.example', 'pat@corp.example']) {
      await app.strapi.db.connection('remote_auth_identities').where({ subject }).update({ last_seen_at: new Date(Date.now() - 45 * DAY_MS) });
    }
    sim = await startSsoSimulator({ listenPort: 0, upstream: app.origin });
    browser = await launchBrowser();
  },
  { timeout: 180_000 },
);

after(async () => {
  await browser?.close();
  await sim?.close();
  await app?.stop();
});

const waitFor = (page: Page, locator: Locator, what: string): Promise<void> => waitForOrExplain(browser, page, locator, what);

describe('Sessions & accounts page in Chromium', { skip }, () => {
  let page: Page;
  let errors: string[];
  const section = (id: string) => page.locator(`[data-section="${id}"]`);
  const sessionRows = (email: string) => section('sessions').locator('tr[data-session]', { hasText: email });

  before(async () => {
    ({ page, errors } = await browser.newPage());
    await page.goto(`${sim.url}/admin`);
    await page.waitForURL(/\/_sso\/login/);
    await page.getByLabel('E-mail address').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitFor(page, page.getByRole('heading', { name: 'Hello admin' }), 'dashboard');
  });

  test('reachable from Settings; lists the sessions with the single sign-on marks', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('link', { name: 'SSO sessions & accounts' }).click();
    await page.waitForURL(/\/admin\/settings\/remote-auth\/sessions$/);
    await waitFor(page, page.getByRole('heading', { level: 1, name: 'Sessions & accounts' }), 'sessions page');
    await waitFor(page, sessionRows('nina@corp.example').first(), 'nina’s sessions');
    assert.equal(await sessionRows('nina@corp.example').count(), 2);
    assert.equal(await sessionRows('omar@corp.example').count(), 1);
    assert.match(await sessionRows('omar@corp.example').innerText(), /SSO · created/i);
    assert.match(await section('accounts').locator('tr[data-account="pat@corp.example"]').innerText(), /SSO · linked/i);
    // The admin signed in through the simulator too: their own session is listed, as a linked account.
    assert.match(await sessionRows(ADMIN).first().innerText(), /SSO · linked/i);
    await browser.screenshot(page, 'sessions-1-list', { fullPage: true });
  });

  test('"All of theirs" signs a person out: their rows go, their sessions are gone from the database', async () => {
    assert.equal(await liveSessions('nina@corp.example'), 2);
    await sessionRows('nina@corp.example').first().getByRole('button', { name: 'All of theirs' }).click();
    await waitFor(page, page.getByText(/2 sessions ended/), 'sign-out notification');
    await sessionRows('nina@corp.example').first().waitFor({ state: 'detached' });
    assert.equal(await liveSessions('nina@corp.example'), 0);
    assert.equal(await sessionRows('omar@corp.example').count(), 1, 'someone else was signed out too');
    await browser.screenshot(page, 'sessions-2-after-sign-out', { fullPage: true });
  });

  test('"This session" ends one session', async () => {
    await sessionRows('omar@corp.example').getByRole('button', { name: 'This session' }).click();
    await sessionRows('omar@corp.example').waitFor({ state: 'detached' });
    assert.equal(await liveSessions('omar@corp.example'), 0);
  });

  test('the deprovisioning preview lists who the job would deactivate (created and stale), not the linked account', async () => {
    const preview = section('deprovisioning');
    await waitFor(page, preview.locator('tr[data-due="stale@corp.example"]'), 'stale in the preview');
    assert.equal(await preview.locator('tr[data-due="pat@corp.example"]').count(), 0, 'a linked account with a password is due');
    assert.equal(await preview.locator('tr[data-due]').count(), 1);
    assert.match(await preview.innerText(), /30 days/);
    await preview.scrollIntoViewIfNeeded();
    await browser.screenshot(preview, 'sessions-3-deprovisioning-preview');
    assert.deepEqual(errors.filter((line) => line.startsWith('pageerror:')), []);
  });
});
