/**
 * Debian's Chromium driven by playwright-core, for the browser tests.
 * Never downloads a browser: it uses /usr/bin/chromium (`apt-get install chromium`,
 * or `.ci/run`), or CHROMIUM_PATH.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(__dirname, '..', 'e2e', 'artifacts');

/** Flags for a quiet, self-contained headless run in a container. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export interface TestBrowser {
  readonly browser: Browser;
  /** A fresh profile-like context: no cookies, no storage, English, a desktop-sized window. */
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  /** Saves `tests/e2e/artifacts/<name>.png` (a page, or one element of it) and returns its path. */
  screenshot(target: Page | Locator, name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/**
 * `launch()` gives every run a fresh temporary profile (playwright passes its
 * own --user-data-dir and removes it on close); a --user-data-dir in `args`
 * would be refused.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
  const contexts = new Set<BrowserContext>();
  mkdirSync(ARTIFACTS, { recursive: true });

  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
      contexts.add(context);
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(30_000);
      const page = await context.newPage();
      // Uncaught page errors are test failures worth reading; console noise is kept for the report.
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      return { context, page, errors };
    },
    async screenshot(target, name, options = {}) {
      const path = join(ARTIFACTS, `${name}.png`);
      if (!('goto' in target)) {
        await target.screenshot({ path });
      } else if (options.fullPage) {
        // Strapi scrolls inside its layout, not the document: a tall window shows the whole page.
        const size = target.viewportSize() ?? { width: 1440, height: 900 };
        await target.setViewportSize({ width: size.width, height: 3200 });
        await target.waitForTimeout(300);
        await target.screenshot({ path });
        await target.setViewportSize(size);
      } else {
        await target.screenshot({ path });
      }
      return path;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/**
 * Waits for `locator`; on a time-out saves a screenshot (`<shotPrefix>-<what>.png`)
 * and fails with where the page was and what it said.
 */
export async function waitForOrExplain(
  browser: TestBrowser,
  page: Page,
  locator: Locator,
  what: string,
  shotPrefix = 'failure',
): Promise<void> {
  try {
    await locator.waitFor();
  } catch (error) {
    const shot = await browser.screenshot(page, `${shotPrefix}-${what.replace(/\W+/g, '-')}`).catch(() => 'none');
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
    throw new Error(`${what}: not found at ${page.url()} (screenshot ${shot}); page text: ${text}`, { cause: error });
  }
}

/** Through the SSO simulator at `simulatorUrl`: /admin → its sign-in form → back to /admin with the identity header. */
export async function signInThroughSimulator(page: Page, simulatorUrl: string, email: string): Promise<void> {
  await page.goto(`${simulatorUrl}/admin`);
  await page.waitForURL(/\/_sso\/login/);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
