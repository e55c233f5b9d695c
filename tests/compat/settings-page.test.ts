/**
 * The newcomer's path of `npm run demo`, in Chromium, on whichever app the
 * harness boots (tests/fixture-app, or a compat app with REMOTE_AUTH_FIXTURE):
 * sign in through the SSO simulator with the demo's Super Admin group, then
 * open Settings → Remote authentication and see the form load.
 *
 *   node --import tsx --test tests/compat/settings-page.test.ts
 *   REMOTE_AUTH_FIXTURE=tests/compat/strapi-5.24.1 node --import tsx --test tests/compat/settings-page.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { launchBrowser, type TestBrowser } from '../harness/browser';
import { CHROMIUM_BROWSER, needs } from '../harness/system-packages';
import { startSsoSimulator, type SsoSimulator } from '../demo/sso-simulator';

const skip = needs(CHROMIUM_BROWSER);
const ADMINS = 'demo-admins';
const SECRET_HEADER = 'X-Remote-Auth-Secret';
const secret = randomBytes(24).toString('base64url');

let app: TestStrapi;
let sim: SsoSimulator;
let browser: TestBrowser;

before(
  async () => {
    if (skip) return;
    // The demo's configuration (tests/demo/run.ts).
    app = await startStrapi({
      config: {
        autoCreate: true,
        defaultRoles: ['strapi-editor'],
        groupsHeader: 'Remote-Groups',
        groupRoles: { [ADMINS]: ['strapi-super-admin'] },
        allowSuperAdminMapping: true,
        sharedSecret: { header: SECRET_HEADER, value: secret },
      },
    });
    sim = await startSsoSimulator({
      listenPort: 0,
      upstream: app.origin,
      secret: { header: SECRET_HEADER, value: secret },
      suggestedGroups: [{ group: ADMINS, meaning: 'Super Admin' }],
    });
    browser = await launchBrowser();
  },
  { timeout: 180_000 },
);

after(async () => {
  await browser?.close();
  await sim?.close();
  await app?.stop();
});

describe('a newcomer reaches Settings → Remote authentication through the SSO simulator', { skip }, () => {
  test('signing in with the demo group makes a Super Admin who sees the settings page', { timeout: 180_000 }, async () => {
    const email = `newcomer-${randomBytes(4).toString('hex')}@corp.example`;
    const { page, errors } = await browser.newPage();
    await page.goto(`${sim.url}/admin`);
    await page.waitForURL(/\/_sso\/login/);
    assert.match(await page.locator('#suggested-groups').innerText(), new RegExp(ADMINS), 'the form offers the Super Admin group');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel(/Groups/).fill(ADMINS);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('link', { name: 'Settings' }).first().click({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Remote authentication' }).click();
    await page.waitForURL(/\/admin\/settings\/remote-auth$/);
    for (const section of ['Sign-in', 'Trust', 'Accounts']) {
      await page.getByRole('heading', { level: 2, name: section }).waitFor({ timeout: 60_000 });
    }
    await browser.screenshot(page, `compat-settings-page-${process.env.REMOTE_AUTH_FIXTURE ? 'compat' : 'fixture'}`, { fullPage: true });

    const user = (await app.adminUsers()).find((candidate) => candidate.email === email);
    assert.ok(user, 'the simulator sign-in created the account');
    assert.ok(user.roles.some((role) => role.code === 'strapi-super-admin'), 'the demo group granted Super Admin');
    assert.deepEqual(errors.filter((line) => line.startsWith('pageerror')), [], 'no uncaught errors in the page');
  });
});
