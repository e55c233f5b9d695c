/**
 * Settings → SSO sign-in activity, in Chromium against a real
 * Strapi behind the SSO simulator: the per-day chart drawn from the data,
 * filters (outcome, person, dates) narrowing the table, refusal rows with the
 * server's reason and the link to "Check this connection", pagination, and
 * the CSV download (the file's content is read and checked).
 * Screenshots go to tests/e2e/artifacts/activity-*.png.
 *
 * Run after `npm run build` and `node tests/harness/ensure-fixture-build.js`:
 *   node --import tsx --test tests/e2e/activity-ui.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { startStrapi, type TestStrapi } from '../harness/strapi';
import { launchBrowser, type TestBrowser, waitForOrExplain } from '../harness/browser';
import { CHROMIUM_BROWSER, needs } from '../harness/system-packages';
import { BROWSER, request } from '../harness/http';
import { startSsoSimulator, type SsoSimulator } from '../demo/sso-simulator';
import { ACTIVITY_TABLE } from '../../server/src/strapi/activity/activity-table';

const ADMIN = 'admin@corp.example';
const DAY_MS = 86_400_000;
const skip = needs(CHROMIUM_BROWSER);

let app: TestStrapi;
let sim: SsoSimulator;
let browser: TestBrowser;
const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);
const today = dayOf(Date.now());
/**
 * Seeded days are anchored at noon UTC: a day's rows (a few minutes apart) never straddle midnight,
 * so each row's `day` matches its time whenever the test runs, also just after midnight.
 */
const NOON = Date.parse(`${today}T12:00:00Z`);
const daysAgo = (d: number): string => dayOf(NOON - d * DAY_MS);

before(
  async () => {
    if (skip) return;
    app = await startStrapi({ config: { autoCreate: true, trustedProxies: ['127.0.0.1/32'] } });
    await app.createAdmin({ email: ADMIN });
    // Real traffic: sign-ins of new people, and refusals from a peer that is not a proxy.
    for (const who of ['alice@corp.example', 'bob@corp.example']) {
      assert.equal((await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': who } })).status, 200);
    }
    assert.equal((await request(app.origin, '/admin', { headers: { ...BROWSER, 'Remote-User': 'mallory@corp.example' }, localAddress: '127.0.0.2' })).status, 403);
    // Earlier days, so the chart has a shape: sign-ins and refusals over the last two weeks.
    const rows = [];
    for (let d = 1; d <= 14; d++) {
      const at = NOON - d * DAY_MS;
      const day = dayOf(at);
      for (let i = 0; i < (d * 7) % 9; i++) rows.push({ at: at - i * 60_000, day, kind: 'sign-in', identity: `seeded-${i}@corp.example`, peer: '10.0.0.1', source: 'header', details: '{"via":"hand-off"}', instance: 'seed' });
      for (let i = 0; i < (d * 3) % 4; i++) {
        rows.push({ at: at - i * 60_000 - 1, day, kind: 'refused', reason: 'group-denied', identity: 'ev*****@corp.example', peer: '10.0.0.1', source: null, details: JSON.stringify({ status: 403, path: '/admin', hint: '"ev*****@corp.example" is in a group listed in denyGroups ("contractors")' }), instance: 'seed' });
      }
    }
    rows.push({ at: NOON - 3 * DAY_MS, day: daysAgo(3), kind: 'sign-in', identity: '=HYPERLINK("http://evil.example")', peer: '10.0.0.1', source: 'header', details: '{"via":"hand-off"}', instance: 'seed' });
    await app.strapi.db.connection(ACTIVITY_TABLE).insert(rows);
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

const rowsOf = (page: Page) => page.locator('[data-activity="table"] tbody tr[data-kind]');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (the page fetches after each filter change). */
async function until(page: Page, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 200) {
    if (await check()) return;
    await sleep(200);
  }
  const shot = await browser.screenshot(page, `failure-${what.replace(/\W+/g, '-')}`).catch(() => 'none');
  throw new Error(`${what}: not reached (screenshot ${shot})`);
}
const kinds = async (page: Page) => (await rowsOf(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')))) as string[];
const chartDays = (page: Page) => page.locator('[data-activity="chart"] g[data-day]');

async function chooseOutcome(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Outcome' }).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

describe('the Activity page in Chromium', { skip }, () => {
  test('chart, filters, refusal hints, CSV download', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${sim.url}/admin`);
    await page.waitForURL(/\/_sso\/login/);
    await page.getByLabel('E-mail address').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitFor(page, page.getByRole('heading', { name: /^Hello/ }), 'dashboard');

    // Reached from Settings, like an operator would.
    await page.goto(`${sim.url}/admin/settings`);
    await page.getByRole('link', { name: 'SSO sign-in activity' }).click();
    await waitFor(page, page.getByRole('heading', { level: 1, name: 'Sign-in activity' }), 'activity page');
    await waitFor(page, rowsOf(page).first(), 'activity rows');

    // The chart: 30 days (the default range), bars drawn from the counts.
    const chart = page.locator('[data-activity="chart"] svg[role="img"]');
    await waitFor(page, chart, 'chart');
    const days = page.locator('[data-activity="chart"] g[data-day]');
    assert.equal(await days.count(), 30);
    assert.equal(await days.last().getAttribute('data-day'), today);
    const threeDaysAgo = daysAgo(3);
    const bar = page.locator(`[data-activity="chart"] g[data-day="${threeDaysAgo}"]`);
    assert.equal(await bar.getAttribute('data-sign-ins'), String(((3 * 7) % 9) + 1));
    assert.equal(await bar.getAttribute('data-refusals'), String((3 * 3) % 4));
    assert.match((await chart.getAttribute('aria-label')) ?? '', /sign-ins, \d+ refusals/);
    assert.ok(Number(await bar.locator('rect').first().getAttribute('height')) > 0, 'a bar with height');
    await browser.screenshot(page, 'activity-1-overview', { fullPage: true });
    await browser.screenshot(page.locator('[data-activity="chart"]'), 'activity-2-chart');

    // Outcome: refused → only refusals, each with its reason and the link to Check this connection.
    await chooseOutcome(page, 'Refused');
    await until(page, 'only refusals listed', async () => {
      const listed = await kinds(page);
      return listed.length > 0 && listed.every((kind) => kind === 'refused');
    });
    const untrusted = rowsOf(page).filter({ hasText: 'untrusted-peer' });
    await waitFor(page, untrusted.first(), 'the untrusted-peer refusal');
    assert.match(await untrusted.first().innerText(), /127\.0\.0\.2/);
    assert.match(await untrusted.first().locator('[data-activity="hint"]').innerText(), /not in trustedProxies/);
    assert.equal(await untrusted.first().locator('[data-activity="check-link"]').getAttribute('href'), '/admin/settings/remote-auth');
    await browser.screenshot(page, 'activity-3-refused', { fullPage: true });

    // CSV of what is shown: only refusals of the range, the file read back.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^remote-auth-activity-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'time,kind,reason,user_id,user_email,identity,peer,source,details,instance');
    assert.ok(lines.length > 10, `${lines.length} lines`);
    assert.ok(lines.slice(1).every((line) => line.split(',')[1] === 'refused'), 'only refusals');
    assert.ok(lines.some((line) => line.includes(',untrusted-peer,') && line.includes('127.0.0.2')));

    // Person + outcome sign-ins: the formula-looking identity, neutralised in the file.
    await chooseOutcome(page, 'Signed in');
    await page.getByLabel('Person').fill('HYPERLINK');
    await until(page, 'one sign-in for the person', async () => (await kinds(page)).length === 1);
    const [second] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const one = readFileSync((await second.path())!, 'utf8').trim().split('\r\n');
    assert.equal(one.length, 2, one.join('\n'));
    assert.match(one[1], /,sign-in,,,,"'=HYPERLINK\(""http:\/\/evil\.example""\)",10\.0\.0\.1,header,/);

    // Date range: one day only → one bar, and the table follows.
    await page.getByLabel('Person').fill('');
    await page.getByLabel('From', { exact: true }).fill(threeDaysAgo);
    await page.getByLabel('To', { exact: true }).fill(threeDaysAgo);
    await until(page, 'a one-day chart', async () => (await chartDays(page).count()) === 1);
    await until(page, 'the sign-ins of that day', async () => (await kinds(page)).length === ((3 * 7) % 9) + 1);
    await browser.screenshot(page, 'activity-4-one-day', { fullPage: true });
    assert.deepEqual(errors.filter((line) => line.startsWith('pageerror:')), []);
  });
});
