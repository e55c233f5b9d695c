import type { Background } from '../background';
import type { Lease } from '../leases/lease';
import type { SettingsSource } from '../settings/settings-source';
import type { Deactivated, Deactivation } from './deactivation';

/** How often each instance looks for accounts to deactivate. */
export const DEACTIVATION_EVERY_MS = 60 * 60_000;
/** The first look, shortly after start (not during boot). */
const FIRST_RUN_AFTER_MS = 60_000;
/** Longer than any run; a crashed holder's lease frees itself after this. */
const LEASE_MS = 10 * 60_000;
export const DEACTIVATION_LEASE = 'deactivation';

export type JobRun = { readonly ran: false; readonly reason: string } | { readonly ran: true; readonly deactivated: Deactivated[] };

interface Dependencies {
  readonly settings: SettingsSource;
  readonly deactivation: Deactivation;
  readonly lease: Lease;
  readonly background: Background;
  /** Told about each deactivation (the activity log). */
  readonly onDeactivated?: (done: Deactivated, days: number) => void;
}

/**
 * deactivateAfterDays in the background: every instance wakes up hourly, and
 * the one that gets the lease plans and carries out (the same plan the
 * preview shows). Off (null) or disabled plugin: nothing is read.
 */
export function createDeactivationJob({ settings, deactivation, lease, background, onDeactivated }: Dependencies) {
  let timer: NodeJS.Timeout | null = null;

  async function runOnce(): Promise<JobRun> {
    const { settings: options } = await settings.current();
    if (!options.enabled) return { ran: false, reason: 'the plugin is disabled' };
    if (options.deactivateAfterDays === null) return { ran: false, reason: 'deactivateAfterDays is off' };
    if (!(await lease.acquire(DEACTIVATION_LEASE, LEASE_MS))) return { ran: false, reason: 'another instance is running it' };
    try {
      const deactivated = await deactivation.carryOut(await deactivation.plan(options.deactivateAfterDays));
      for (const done of deactivated) onDeactivated?.(done, options.deactivateAfterDays);
      return { ran: true, deactivated };
    } finally {
      await lease.release(DEACTIVATION_LEASE);
    }
  }

  const tick = () => background.run('deactivating accounts not signed in for deactivateAfterDays', runOnce);

  return {
    runOnce,
    start(): void {
      if (timer) return;
      timer = setTimeout(function again() {
        tick();
        timer = setTimeout(again, DEACTIVATION_EVERY_MS);
        timer.unref();
      }, FIRST_RUN_AFTER_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type DeactivationJob = ReturnType<typeof createDeactivationJob>;
