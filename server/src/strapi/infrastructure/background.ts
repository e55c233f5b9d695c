import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';

/**
 * Work nobody awaits — a settings refresh started by a request, bookkeeping
 * after an answer, a key fetch, Strapi's own metrics — must never end the
 * process: since Node 15 an unhandled promise rejection does exactly that, and
 * a database failover would take every editor and the content API down with
 * it. Every piece of such work the plugin starts goes through here.
 *
 * A failing task is logged once with its reason (a database that is down for
 * a minute must not write a line per request), then once more when it works
 * again.
 */
export interface Background {
  /** Starts `work` and returns at once; a failure (throw or rejection) is logged, never raised. */
  run(task: string, work: () => unknown): void;
  /** Like run(), but awaitable: the result, or undefined when the work failed (logged). Never rejects. */
  settle<T>(task: string, work: () => T | Promise<T>): Promise<T | undefined>;
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? `${error.message}${(error as { code?: unknown }).code ? ` (${String((error as { code?: unknown }).code)})` : ''}` : String(error);

export function createBackground(strapi: Core.Strapi): Background {
  /** task → reason of its current failure streak. */
  const failing = new Map<string, string>();

  const failed = (task: string, error: unknown): undefined => {
    if (failing.has(task)) return undefined;
    const reason = reasonOf(error);
    failing.set(task, reason);
    try {
      strapi.log.warn(logLine`[remote-auth] ${task} failed (Strapi keeps running; logged once until it works again): ${reason}`);
    } catch {
      // A logger that throws must not turn a handled failure into a crash.
    }
    return undefined;
  };

  const succeeded = (task: string): void => {
    if (!failing.delete(task)) return;
    try {
      strapi.log.info(logLine`[remote-auth] ${task} works again`);
    } catch {
      // see above
    }
  };

  async function settle<T>(task: string, work: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const result = await work();
      succeeded(task);
      return result;
    } catch (error) {
      return failed(task, error);
    }
  }

  return {
    run(task, work) {
      void settle(task, work);
    },
    settle,
  };
}

type Metrics = Record<string, unknown>;

/** Strapi's own switch (STRAPI_TELEMETRY_DISABLED, `telemetryDisabled` in package.json, or no project uuid). */
const telemetryDisabled = (strapi: Core.Strapi): boolean =>
  (strapi as unknown as { telemetry?: { isDisabled?: boolean } }).telemetry?.isDisabled === true;

/**
 * Strapi's admin (5.54) starts metrics queries it never awaits: creating an
 * admin user through its user service calls `metrics.sendDidInviteUser()`
 * without `await` or `catch` (services/user.js, emitUserCreated), and that
 * counts users and roles in the database — telemetry disabled or not. When
 * the database connection breaks at that moment, the rejection is unhandled
 * and Node ends the process. Every first sign-in creates its user through
 * that service, so a database cut during a burst of first sign-ins killed
 * Strapi (issue #15).
 *
 * Makes every `send…` method of the admin metrics service settle instead of
 * reject (a failure is logged once). Called in register(), before the admin's
 * bootstrap keeps references to some of them in its lifecycle hooks.
 *
 * With Strapi's telemetry disabled they do nothing at all: their queries only
 * feed `strapi.telemetry.send`, which then sends nothing, and they grow with
 * the user base — the admin's `afterCreate` hook on admin users awaits
 * `sendDidChangeInterfaceLanguage`, which reads every admin user's language
 * (0.3 s at 100,000 admin users on SQLite, inside every account creation),
 * and `sendDidInviteUser` counts them (issue 14, B7).
 */
export function containAdminMetrics(strapi: Core.Strapi, background: Background): boolean {
  let metrics: Metrics | undefined;
  try {
    metrics = strapi.service('admin::metrics') as Metrics | undefined;
  } catch {
    metrics = undefined;
  }
  if (!metrics || typeof metrics !== 'object') return false;
  for (const [name, method] of Object.entries(metrics)) {
    if (!name.startsWith('send') || typeof method !== 'function') continue;
    if ((method as { contained?: boolean }).contained) continue;
    const contained = (...args: unknown[]) =>
      telemetryDisabled(strapi)
        ? Promise.resolve(undefined)
        : background.settle(`Strapi admin metrics (${name})`, () => (method as (...a: unknown[]) => unknown).apply(metrics, args));
    metrics[name] = Object.assign(contained, { contained: true });
  }
  return true;
}
