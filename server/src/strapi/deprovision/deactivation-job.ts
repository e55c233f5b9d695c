import type { Background } from '../background';
import type { ActivityLog } from '../activity/activity-log';
import type { Leases } from '../activity/lease';
import type { SettingsSource } from '../settings/settings-source';
import type { Deactivated, Deactivation } from './deactivation';

/** How often each instance looks for accounts to deactivate. */
export const DEACTIVATION_EVERY_MS = 60 * 60_000;
/** The first look, shortly after start (not during boot). */
const FIRST_RUN_AFTER_MS = 60_000;
/** Longer than any run; not released early (activity/lease.ts), so one run per 10 minutes across the instances at most. */
const LEASE_MS = 10 * 60_000;
export const DEACTIVATION_LEASE = 'deactivation';

export type JobRun = { readonly ran: false; readonly reason: string } | { readonly ran: true; readonly deactivated: Deactivated[] };

interface Dependencies {
  readonly settings: SettingsSource;
  readonly deactivation: Deactivation;
  readonly leases: Leases;
  readonly background: Background;
  readonly activity: ActivityLog;
}

/**
 * deactivateAfterDays in the background: every instance wakes up hourly, and
 * the one that gets the lease plans and carries out (the same plan the
 * preview shows). Off (null) or disabled plugin: nothing is read.
 */
export function createDeactivationJob({ settings, deactivation, leases, background, activity }: Dependencies) {
  let timer: NodeJS.Timeout | null = null;

  async function runOnce(): Promise<JobRun> {
    const { settings: options } = await settings.current();
    if (!options.enabled) return { ran: false, reason: 'the plugin is disabled' };
    if (options.deactivateAfterDays === null) return { ran: false, reason: 'deactivateAfterDays is off' };
    if (!(await leases.acquire(DEACTIVATION_LEASE, LEASE_MS))) {
      return { ran: false, reason: 'another instance holds the job’s lease (it runs or ran there in the last 10 minutes)' };
    }
    const days = options.deactivateAfterDays;
    const deactivated = await deactivation.carryOut(await deactivation.plan(days));
    for (const { person } of deactivated) {
      activity.record({ kind: 'deactivated', userId: person.id, identity: person.subject, source: 'deprovisioning', inactiveDays: days });
    }
    return { ran: true, deactivated };
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
