/**
 * The "Signed assertion" section of Settings → Remote authentication in a
 * real Chromium against a real Strapi (admin panel built), behind the SSO
 * simulator:
 *  (1) a Super Admin picks a preset, sees only its fields and the trust note,
 *      fills them (and one under "Advanced"), saves, reloads: the values
 *      persist and the server stored exactly them;
 *  (2) a value the server refuses is marked on the field it names;
 *  (3) a role with only the plugin's settings permissions sees the section
 *      read-only with what it decides (T21);
 *  (4) set in config/plugins, it is read-only with "Set in config/plugins".
 * Screenshots go to tests/e2e/artifacts/assertion-ui-*.png.
 *
 *   npm run build && node tests/harness/ensure-fixture-build.js
 *   node --import tsx --test tests/e2e/admin-assertion.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { launchBrowser, type TestBrowser, waitForOrExplain, signInThroughSimulator } from '../harness/browser';
import { CHROMIUM_BROWSER, needs } from '../harness/system-packages';
import { startSsoSimulator, type SsoSimulator } from '../demo/sso-simulator';

const PASSWORD = `Pw-${randomBytes(9).toString('base64url')}1a`;
const ADMIN = 'admin@corp.example';
const OPERATOR = 'operator@corp.example';
const PICKER = 'Identity-aware proxy';
const BASE_CONFIG = { mode: 'persistent' };

const skip = needs(CHROMIUM_BROWSER);

let app: TestStrapi;
let sim: SsoSimulator;
let browser: TestBrowser;

before(
  async () => {
    if (skip) return;
    app = await startStrapi({ config: BASE_CONFIG });
    await app.createAdmin({ email: ADMIN, password: PASSWORD });
    const role = await app.strapi.service('admin::role').create({ name: 'SSO operators', description: 'may manage remote-auth' });
    await app.strapi.service('admin::role').assignPermissions(role.id, [
      { action: 'plugin::remote-auth.settings.read', subject: null, properties: {}, conditions: [] },
      { action: 'plugin::remote-auth.settings.update', subject: null, properties: {}, conditions: [] },
    ]);
    await app.createAdmin({ email: OPERATOR, roles: [role.code] });
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

// ---------------------------------------------------------------- helpers

const signInThroughProxy = (page: Page, email: string): Promise<void> => signInThroughSimulator(page, sim.url, email);

const waitFor = (page: Page, locator: Locator, what: string): Promise<void> => waitForOrExplain(browser, page, locator, what, 'failure-assertion-ui');

const section = (page: Page): Locator => page.locator('[data-section="assertion"]');
const saveButton = (page: Page): Locator => page.getByRole('button', { name: 'Save', exact: true });
const textbox = (page: Page, name: string): Locator => section(page).getByRole('textbox', { name, exact: true });

/**
 * Straight to Strapi, not through the simulator: once an assertion is set, the
 * simulator's plain Remote-User without a JWT is refused (assertion-missing),
 * as a request around an identity-aware proxy should be. The session cookies
 * (same host, another port) go along.
 */
async function openSettings(page: Page): Promise<void> {
  await page.goto(`${app.origin}/admin/settings/remote-auth`);
  await waitFor(page, page.getByRole('heading', { level: 2, name: 'Signed assertion' }), 'Signed assertion section');
}

async function pickPreset(page: Page, name: string): Promise<void> {
  await section(page).getByRole('combobox', { name: PICKER }).click();
  await page.getByRole('option', { name }).click();
}

const stored = async () => (await app.strapi.plugin('remote-auth').service('settings').current()).settings.assertion;
const fatal = (errors: string[]) => errors.filter((line) => line.startsWith('pageerror:'));

// ------------------------------------------------------------------ tests

describe('Settings → Signed assertion in Chromium', { skip }, () => {
  describe('as Super Admin', () => {
    let page: Page;
    let errors: string[];

    before(async () => {
      ({ page, errors } = await browser.newPage());
      await signInThroughProxy(page, ADMIN);
      await waitFor(page, page.getByRole('heading', { name: 'Hello admin' }), 'dashboard');
      await openSettings(page);
    });

    test('(1) none by default: only the picker, no trust note', async () => {
      const combobox = section(page).getByRole('combobox', { name: PICKER });
      assert.match(await combobox.innerText(), /None/);
      assert.equal(await section(page).locator('[data-notice="assertion-trust"]').count(), 0);
      assert.equal(await section(page).getByRole('textbox').count(), 0);
      await section(page).scrollIntoViewIfNeeded();
      await browser.screenshot(section(page), 'assertion-ui-1-none');
    });

    test('(1) each preset shows only its few fields', async () => {
      const expected: Array<[string, string[]]> = [
        ['Cloudflare Access', ['Team name', 'Application Audience (AUD) tag']],
        ['Google Cloud IAP', ['Project number', 'Backend service ID', 'App Engine project ID']],
        ['AWS Application Load Balancer', ['Region', 'Load balancer ARN', 'Issuer', 'Client ID (optional)']],
        ['Pomerium', ['Route domain']],
        ['OIDC issuer (oauth2-proxy, authentik, Keycloak…)', ['Issuer', 'Client ID (audience)', 'Assertion header']],
      ];
      for (const [preset, fields] of expected) {
        await pickPreset(page, preset);
        // Main fields only: "Advanced" is closed.
        const visible = await section(page).getByRole('textbox').evaluateAll((inputs) =>
          inputs.map((input) => (input as unknown as { labels: ArrayLike<{ textContent: string | null }> | null }).labels?.[0]?.textContent?.trim() ?? '?'),
        );
        assert.deepEqual(visible, fields, preset);
        await waitFor(page, section(page).locator('[data-notice="assertion-trust"]'), `trust note for ${preset}`);
        if (preset === 'Cloudflare Access') await browser.screenshot(section(page), 'assertion-ui-2-cloudflare-fields');
      }
      assert.match(await section(page).locator('[data-notice="assertion-trust"]').innerText(), /plain identity header .* is ignored/);
      assert.match(await section(page).locator('[data-notice="assertion-trust"]').innerText(), /optional defence in depth/);
    });

    test('(2) a missing value the preset needs is marked on its field, nothing is stored', async () => {
      await pickPreset(page, 'Cloudflare Access');
      await textbox(page, 'Team name').fill('acme');
      await saveButton(page).click();
      const field = section(page).locator('[data-field="assertion.audience"]');
      await waitFor(page, field.getByText(/^Required with the "cloudflare-access" preset: the Application Audience/), 'audience error');
      assert.equal(await textbox(page, 'Application Audience (AUD) tag').getAttribute('aria-invalid'), 'true');
      await browser.screenshot(section(page), 'assertion-ui-3-field-error');
      assert.equal(await stored(), null, 'nothing saved');
    });

    test('(1) Pomerium with a key URL under Advanced: saved, and still there after a reload', async () => {
      await pickPreset(page, 'Pomerium');
      await textbox(page, 'Route domain').fill('strapi.corp.example');
      await section(page).getByRole('button', { name: /^Advanced/ }).click();
      await textbox(page, 'Key URL (JWKS)').fill('http://127.0.0.1:9999/.well-known/pomerium/jwks.json');
      await textbox(page, 'Groups claim').fill('roles');
      // Pomerium derives issuer and audience from the route domain: not offered.
      assert.equal(await section(page).getByRole('textbox', { name: 'Issuer', exact: true }).count(), 0);
      // Open "Advanced" makes the card taller than the window: a whole-page shot (Strapi scrolls inside its layout).
      await browser.screenshot(page, 'assertion-ui-4-pomerium-advanced', { fullPage: true });
      await saveButton(page).click();
      await page.getByText('Settings saved. They apply from the next request.').first().waitFor();

      assert.deepEqual(await stored(), {
        preset: 'pomerium',
        routeDomain: 'strapi.corp.example',
        jwksUrl: 'http://127.0.0.1:9999/.well-known/pomerium/jwks.json',
        claims: { groups: 'roles' },
      });

      await openSettings(page);
      assert.match(await section(page).getByRole('combobox', { name: PICKER }).innerText(), /Pomerium/);
      assert.equal(await textbox(page, 'Route domain').inputValue(), 'strapi.corp.example');
      await section(page).getByRole('button', { name: /^Advanced/ }).click();
      assert.equal(await textbox(page, 'Key URL (JWKS)').inputValue(), 'http://127.0.0.1:9999/.well-known/pomerium/jwks.json');
      assert.equal(await textbox(page, 'Groups claim').inputValue(), 'roles');
      assert.equal(await saveButton(page).isDisabled(), true, 'nothing to save after the reload');
      // With an assertion the identity header's hint says it is ignored.
      assert.match(await page.locator('[data-field="header"]').innerText(), /Ignored while a signed assertion is configured/);
      assert.match(await page.locator('[data-field="groupsHeader"]').innerText(), /come from its verified claims/);
      await browser.screenshot(page, 'assertion-ui-5-after-reload', { fullPage: true });
      assert.deepEqual(fatal(errors), []);
    });

    test('(1) back to None: stored as null', async () => {
      await pickPreset(page, 'None: trust the plain identity header');
      await saveButton(page).click();
      await page.getByText('Settings saved. They apply from the next request.').first().waitFor();
      assert.equal(await stored(), null);
    });
  });

  test('(3) a role with only the plugin permissions sees the section read-only, with what it decides', async () => {
    const { page, errors, context } = await browser.newPage();
    // Signed in before the assertion is set: from then on the simulator's plain header is ignored.
    await signInThroughProxy(page, OPERATOR);
    await waitFor(page, page.getByRole('heading', { name: 'Hello operator' }), 'operator dashboard');
    await app.strapi.plugin('remote-auth').service('settings').save({ assertion: { preset: 'cloudflare-access', team: 'acme', audience: 'a'.repeat(64) } });
    await openSettings(page);
    const combobox = section(page).getByRole('combobox', { name: PICKER });
    assert.equal(await combobox.getAttribute('aria-disabled'), 'true', 'picker read-only');
    assert.equal(await textbox(page, 'Team name').isDisabled(), true);
    assert.equal(await textbox(page, 'Team name').inputValue(), 'acme');
    assert.equal(await textbox(page, 'Application Audience (AUD) tag').isDisabled(), true);
    const text = await section(page).innerText();
    assert.match(text, /Only a Super Admin can change this/);
    assert.match(text, /whose signature says who a person is/);
    assert.equal(await saveButton(page).count(), 0);
    await section(page).scrollIntoViewIfNeeded();
    await browser.screenshot(section(page), 'assertion-ui-6-read-only-for-delegated-role');
    assert.deepEqual(fatal(errors), []);
    await context.close();
    await app.strapi.plugin('remote-auth').service('settings').save({});
  });

  test('(4) set in config/plugins: read-only with "Set in config/plugins"', async () => {
    const { page, errors, context } = await browser.newPage();
    await signInThroughProxy(page, ADMIN);
    await waitFor(page, page.getByRole('heading', { name: 'Hello admin' }), 'dashboard');
    app.configure({
      ...BASE_CONFIG,
      assertion: {
        preset: 'aws-alb',
        region: 'eu-west-1',
        albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/strapi/50dc6c495c0c9188',
        issuer: 'https://idp.corp.example',
      },
    });
    try {
      await openSettings(page);
      const field = section(page).locator('[data-field="assertion"]');
      assert.equal(await field.getAttribute('data-pinned'), 'true');
      assert.match(await field.innerText(), /Set in config\/plugins — change it there/);
      assert.equal(await section(page).getByRole('combobox', { name: PICKER }).getAttribute('aria-disabled'), 'true');
      assert.equal(await textbox(page, 'Region').inputValue(), 'eu-west-1');
      assert.equal(await textbox(page, 'Load balancer ARN').isDisabled(), true);
      await browser.screenshot(section(page), 'assertion-ui-7-pinned');
      assert.deepEqual(fatal(errors), []);
      await context.close();
    } finally {
      app.configure(BASE_CONFIG);
    }
  });
});
