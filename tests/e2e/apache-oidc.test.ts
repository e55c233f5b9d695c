/**
 * End to end through Debian's Apache with mod_auth_openidc against a real
 * OpenID Connect provider (oidc-provider, started here on 127.0.0.1), driven
 * in Debian's Chromium: sign in at the provider's form, land in the Strapi
 * dashboard, the `groups` claim becomes a role, forged headers change
 * nothing, and logout goes through `logoutRedirectUrl` →
 * mod_auth_openidc's `/redirect_uri?logout=…` → the provider's end-session
 * page, after which a reload does not sign the person straight back in.
 * The "Apache with mod_auth_openidc" block of docs/proxies/apache-openidc.md is this config.
 *
 *   npm run build && node tests/harness/ensure-fixture-build.js
 *   node --import tsx --test tests/e2e/apache-oidc.test.ts
 *
 * Needs apache2, libapache2-mod-auth-openidc and chromium (or `.ci/run`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { BROWSER, request } from '../harness/http';
import { startApache, type Apache } from '../harness/apache';
import { freePort } from '../harness/local-port';
import { echoedHeaders, startHeaderEcho, type HeaderEcho } from '../harness/header-echo';
import { startOidcProvider, type OidcProvider } from '../harness/oidc-provider';
import { launchBrowser, type TestBrowser } from '../harness/browser';
import { assertSignedInAs, assertUnchanged, snapshot } from '../harness/assertions';
import { APACHE, AUTH_OPENIDC, CHROMIUM_BROWSER, needs } from '../harness/system-packages';
import { groupsProxySettings } from '../harness/groups-proxy-settings';
import { assertReadmeMatches, docBlock } from '../harness/readme-blocks';

const skip = needs(APACHE, AUTH_OPENIDC, CHROMIUM_BROWSER);
const { secretHeader: SECRET_HEADER, secret: SECRET, config: CONFIG } = groupsProxySettings();
const USERS = {
  jane: { password: randomBytes(9).toString('base64url'), email: 'jane@corp.example', name: 'Jane Doe', groups: ['staff', 'cms-editors'] },
  ann: { password: randomBytes(9).toString('base64url'), email: 'ann@corp.example', name: 'Ann Lee', groups: ['staff'] },
  lea: { password: randomBytes(9).toString('base64url'), email: 'lea@corp.example', name: 'Lea Roy', groups: ['cms-editors'] },
};

let app: TestStrapi;
let apache: Apache;
/** The same config in front of a header echo: shows exactly what Apache forwards. */
let echoApache: Apache;
let echo: HeaderEcho;
let provider: OidcProvider;
let browser: TestBrowser;
const CLIENT = { id: 'strapi', secret: randomBytes(24).toString('base64url') };
const PASSPHRASE = randomBytes(24).toString('base64url');
/** Where the provider sends the browser after its sign-out. */
let afterSignOut: string;

before(
  async () => {
    if (skip) return;
    app = await startStrapi({ config: CONFIG, env: { SERVER_PROXY: 'true' } });
    // Both sides need each other's URL: pick the ports first.
    const providerPort = await freePort();
    const apachePort = await freePort();
    const echoApachePort = await freePort();
    const origin = `http://127.0.0.1:${apachePort}`;
    afterSignOut = `${origin}/admin`;
    const client = CLIENT;
    const proxy = {
      secret: SECRET,
      secretHeader: SECRET_HEADER,
      openidc: {
        metadataUrl: `http://127.0.0.1:${providerPort}/.well-known/openid-configuration`,
        clientId: client.id,
        clientSecret: client.secret,
        cryptoPassphrase: PASSPHRASE,
      },
    };
    apache = await startApache({ ...proxy, upstreamPort: app.port, port: apachePort });
    echo = await startHeaderEcho();
    echoApache = await startApache({ ...proxy, upstreamPort: echo.port, port: echoApachePort });
    provider = await startOidcProvider({
      port: providerPort,
      users: USERS,
      client: { ...client, redirectUris: [`${origin}/redirect_uri`, `${echoApache.origin}/redirect_uri`], postLogoutRedirectUris: [afterSignOut] },
    });
    // The documented setting: Strapi's logout leaves through mod_auth_openidc's logout, which
    // ends its own session and sends the browser on to the provider's end_session_endpoint.
    app.configure({ ...CONFIG, logoutRedirectUrl: `/redirect_uri?logout=${encodeURIComponent(afterSignOut)}` });
    browser = await launchBrowser();
  },
  { timeout: 240_000 },
);

after(async () => {
  await browser?.close();
  await apache?.stop();
  await echoApache?.stop();
  await echo?.close();
  await provider?.close();
  await app?.stop();
});

// ---------------------------------------------------------------- helpers

/** Waits for `locator`; on a timeout saves a screenshot and says where the page was. */
async function waitFor(page: Page, locator: Locator, what: string, timeout = 60_000): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (error) {
    const shot = await browser.screenshot(page, `apache-oidc-failure-${what.replace(/\W+/g, '-')}`).catch(() => 'none');
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
    throw new Error(
      `${what}: not found at ${page.url()} (screenshot ${shot}); page text: ${text}\n--- apache error log ---\n${apache.errorLog().slice(-3000)}`,
      { cause: error },
    );
  }
}

const providerForm = (page: Page) => page.getByRole('heading', { name: 'Corp SSO sign-in' });

async function signInAtProvider(page: Page, username: keyof typeof USERS): Promise<void> {
  await waitFor(page, providerForm(page), 'the provider’s sign-in form');
  assert.equal(new URL(page.url()).origin, provider.issuer, 'the form is the provider’s');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(USERS[username].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectDashboard(page: Page, firstname: string): Promise<void> {
  await waitFor(page, page.getByRole('heading', { name: `Hello ${firstname}` }), `dashboard of ${firstname}`);
  assert.equal(new URL(page.url()).origin, apache.origin);
  assert.doesNotMatch(new URL(page.url()).pathname, /\/auth\//, 'not on an /auth page');
}

async function rolesOf(email: string): Promise<string[]> {
  const user = (await app.adminUsers()).find((u) => u.email === email);
  assert.ok(user, `${email} has no admin account`);
  return user.roles.map((role) => role.code).sort();
}

/** The mod_auth_openidc session cookie(s) of a browser context, as a Cookie header for Node requests. */
async function apacheCookies(context: BrowserContext, via: Apache = apache): Promise<string> {
  const cookies = (await context.cookies(via.origin)).filter((cookie) => cookie.name.startsWith('mod_auth_openidc'));
  assert.ok(cookies.length > 0, 'no mod_auth_openidc session cookie');
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
}

const logoutRequests = (): number => apache.accessLog().split('\n').filter((line) => /"GET \/remote-auth\/logout[ ?]/.test(line)).length;

// ---------------------------------------------------------------- tests

describe('Apache with mod_auth_openidc and a real OpenID Connect provider, in Chromium', { skip }, () => {
  test('docs/proxies/apache-openidc.md’s block is this config (modulo URLs, ports and secrets)', () => {
    assertReadmeMatches(docBlock('docs/proxies/apache-openidc.md', 'Apache with mod_auth_openidc', 'apache'), apache.config, [
      ['https://sso.corp.example', provider.issuer],
      ['https://cms.corp.example', apache.origin],
      ['<OIDC_CLIENT_SECRET>', CLIENT.secret],
      ['<LONG_RANDOM_PASSPHRASE>', PASSPHRASE],
      ['<REMOTE_AUTH_SECRET>', SECRET],
      ['127.0.0.1:1337', `127.0.0.1:${app.port}`],
    ]);
  });

  test('sign in at the provider’s form, land in the dashboard; the groups claim gives strapi-editor', { timeout: 180_000 }, async () => {
    const { page, context } = await browser.newPage();
    await page.goto(`${apache.origin}/admin`);
    await waitFor(page, providerForm(page), 'the provider’s sign-in form');

    // A wrong password stays at the provider: nothing reaches Strapi.
    const before = await snapshot(app);
    await page.getByLabel('User name').fill('jane');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitFor(page, page.getByRole('alert'), 'the provider’s error');
    assert.equal(new URL(page.url()).origin, provider.issuer);
    await assertUnchanged(app, before);

    await signInAtProvider(page, 'jane');
    await expectDashboard(page, 'jane');
    await browser.screenshot(page, 'apache-oidc-dashboard');

    const roles = await rolesOf(USERS.jane.email);
    assert.ok(roles.includes('strapi-editor'), `roles: ${roles}`);
    assert.ok(!roles.includes('strapi-super-admin'));
    // Apache's REMOTE_USER is the e-mail claim (OIDCRemoteUserClaim email).
    assert.match(apache.accessLog(), /^127\.0\.0\.1 jane@corp\.example "GET \/admin HTTP\/1\.1" 200$/m);
    await context.close();
  });

  test('with a real provider session, forged identity and group headers change nothing', { timeout: 180_000 }, async () => {
    const { page, context } = await browser.newPage();
    await page.goto(`${apache.origin}/admin`);
    await signInAtProvider(page, 'ann');
    await expectDashboard(page, 'ann');
    assert.deepEqual(await rolesOf(USERS.ann.email), ['strapi-author'], 'ann is not in cms-editors');
    const cookie = await apacheCookies(context);

    const victim = `victim-${randomBytes(4).toString('hex')}@corp.example`;
    const forgeries: string[][] = [
      ['Remote-User', victim],
      ['REMOTE-USER', victim],
      ['Remote_User', victim],
      ['Remote-Groups', 'cms-editors'],
      ['Remote_Groups', 'cms-editors'],
      ['Remote-Email', victim, 'Remote_Email', victim, 'Remote-Name', 'Victim', 'Remote_Name', 'Victim'],
      ['OIDC_CLAIM_email', victim, 'OIDC_CLAIM_groups', 'cms-editors', 'OIDC-CLAIM-groups', 'cms-editors'],
      [SECRET_HEADER, 'forged', 'Remote-User', victim],
    ];
    for (const pairs of forgeries) {
      const before = await snapshot(app);
      const res = await request(apache.origin, '/admin', { headers: ['Host', new URL(apache.origin).host, 'Accept', BROWSER.Accept, 'Cookie', cookie, ...pairs] });
      assert.equal(res.status, 200, `${pairs.join(' ')}: ${res.body.slice(0, 300)}`);
      await assertSignedInAs(app, res, USERS.ann.email);
      const after = await snapshot(app);
      assert.deepEqual(after.users, before.users, `${pairs.join(' ')}: no account created or changed`);
      assert.deepEqual(after.links, before.links, `${pairs.join(' ')}: no link created or moved`);
    }
    assert.deepEqual(await rolesOf(USERS.ann.email), ['strapi-author'], 'the forged groups never counted');
    await context.close();
  });

  test('what Apache forwards after an OIDC sign-in: Remote-User, Remote-Groups, the secret; no OIDC_CLAIM_* header, no client copy', { timeout: 180_000 }, async () => {
    const { page, context } = await browser.newPage();
    await page.goto(`${echoApache.origin}/admin`);
    await signInAtProvider(page, 'jane');
    await page.waitForURL(`${echoApache.origin}/admin`);
    const cookie = await apacheCookies(context, echoApache);
    const res = await request(echoApache.origin, '/admin', {
      headers: [
        'Host', new URL(echoApache.origin).host, 'Accept', BROWSER.Accept, 'Cookie', cookie,
        'Remote-User', 'bob@corp.example', 'Remote_User', 'bob@corp.example',
        'Remote-Groups', 'admins', 'Remote_Groups', 'admins',
        'Remote-Email', 'bob@corp.example', 'Remote_Email', 'bob@corp.example', 'Remote-Name', 'Bob', 'Remote_Name', 'Bob',
        'OIDC_CLAIM_groups', 'admins', SECRET_HEADER, 'forged',
      ],
    });
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const seen = echoedHeaders(res);
    assert.deepEqual(seen['remote-user'], [USERS.jane.email]);
    assert.deepEqual(seen['remote-groups'], ['staff,cms-editors']);
    assert.deepEqual(seen[SECRET_HEADER.toLowerCase()], [SECRET]);
    for (const name of ['remote_user', 'remote_groups', 'remote-email', 'remote_email', 'remote-name', 'remote_name']) {
      assert.equal(seen[name], undefined, `${name} must not be forwarded: ${JSON.stringify(seen[name])}`);
    }
    const oidcHeaders = Object.keys(seen).filter((name) => name.startsWith('oidc'));
    assert.deepEqual(oidcHeaders, [], 'OIDCPassClaimsAs environment: no OIDC_* header reaches the upstream');
    await context.close();
  });

  test('logout reaches the provider’s sign-out (exactly one /remote-auth/logout); a reload does not sign back in', { timeout: 180_000 }, async () => {
    const { page, context } = await browser.newPage();
    await page.goto(`${apache.origin}/admin`);
    await signInAtProvider(page, 'lea');
    await expectDashboard(page, 'lea');
    const logoutsBefore = logoutRequests();
    const providerRequestsBefore = provider.requests.length;

    await page.locator('nav').getByRole('button', { name: /lea/i }).last().click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();

    // Strapi's logout → /remote-auth/logout → /redirect_uri?logout=… (mod_auth_openidc) → the provider.
    await waitFor(page, page.getByRole('heading', { name: 'Sign out of Corp SSO?' }), 'the provider’s sign-out page');
    assert.equal(new URL(page.url()).origin, provider.issuer);
    await browser.screenshot(page, 'apache-oidc-provider-sign-out');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();

    // The provider sends the browser back to /admin; with no session anywhere, Apache sends it to the form.
    await waitFor(page, providerForm(page), 'the provider’s sign-in form after sign-out');
    const reached = provider.requests.slice(providerRequestsBefore);
    assert.ok(reached.some((line) => /^GET \/session\/end\?/.test(line)), `the provider’s end_session_endpoint was reached: ${reached.join(', ')}`);
    assert.ok(reached.some((line) => /^POST \/session\/end\/confirm/.test(line)), `the sign-out was confirmed: ${reached.join(', ')}`);

    // A reload, and a fresh visit to /admin, end at the provider's form: nobody is signed back in.
    await page.reload();
    await waitFor(page, providerForm(page), 'the provider’s form after a reload');
    await page.goto(`${apache.origin}/admin`);
    await waitFor(page, providerForm(page), 'the provider’s form on the next visit');
    assert.equal(new URL(page.url()).origin, provider.issuer);
    const strapiCookies = (await context.cookies(apache.origin)).filter((cookie) => cookie.name === 'jwtToken' || cookie.name === 'strapi_admin_refresh');
    assert.deepEqual(strapiCookies.map((cookie) => cookie.name), [], 'no Strapi session cookie left');

    // The admin panel must send the browser to /remote-auth/logout once, not once per
    // login-page render (a duplicate would end the provider session twice, racing itself).
    assert.equal(logoutRequests() - logoutsBefore, 1, `exactly one request to /remote-auth/logout:\n${apache.accessLog()}`);
    await context.close();
  });
});
