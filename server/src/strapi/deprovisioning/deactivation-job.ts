import type { Background } from '../infrastructure/background';
import type { ActivityLog } from '../activity/activity-log';
import type { Leases } from '../infrastructure/lease';
import type { SettingsSource } from '../infrastructure/settings-store';
import type { Deactivated, Deactivation } from './deactivation';

/** How often each instance tries to take the job's lease. */
export const DEACTIVATION_CHECK_EVERY_MS = 5 * 60_000;
/**
 * The lease lasts an hour and is never released early: whoever runs the job
 * holds it for the next hour, so the fleet runs it about once an hour however
 * often instances restart, and never twice at a time.
 */
const LEASE_MS = 60 * 60_000;
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
 * deactivateAfterDays in the background: every instance tries every five
 * minutes, and the one that gets the hour-long lease plans and carries out
 * (the same plan the preview shows). Off (null) or disabled plugin: no lease
 * is taken and nothing is read.
 */
export function createDeactivationJob({ settings, deactivation, leases, background, activity }: Dependencies) {
  let timer: NodeJS.Timeout | null = null;
  /** The run under way on this instance: a second request while it runs gets its result instead of a run of its own. */
  let running: Promise<JobRun> | null = null;

  function singleFlight(scheduled: boolean): Promise<JobRun> {
    running ??= runOnce(scheduled).finally(() => {
      running = null;
    });
    return running;
  }

  /** `scheduled`: the timer's run, which waits for the hour to be up even on the instance that ran last. */
  async function runOnce(scheduled = false): Promise<JobRun> {
    const { settings: options } = await settings.current();
    if (!options.enabled) return { ran: false, reason: 'the plugin is disabled' };
    if (options.deactivateAfterDays === null) return { ran: false, reason: 'deactivateAfterDays is off' };
    if (scheduled) {
      const held = await leases.holderOf(DEACTIVATION_LEASE);
      if (held && held.expiresAt > Date.now()) return { ran: false, reason: 'it ran less than an hour ago' };
    }
    if (!(await leases.acquire(DEACTIVATION_LEASE, LEASE_MS))) {
      return { ran: false, reason: 'another instance ran it less than an hour ago (or runs it now); it runs again within the hour' };
    }
    const days = options.deactivateAfterDays;
    const deactivated = await deactivation.carryOut(await deactivation.plan(days));
    for (const { person } of deactivated) {
      activity.record({ kind: 'deactivated', userId: person.id, identity: person.subject, source: 'deprovisioning', inactiveDays: days });
    }
    return { ran: true, deactivated };
  }

  const tick = () => background.run('deactivating accounts not signed in for deactivateAfterDays', () => singleFlight(true));

  return {
    /** A run asked for by a Super Admin: also on the instance that holds the lease. */
    runOnce: () => singleFlight(false),
    start(): void {
      if (timer) return;
      timer = setInterval(tick, DEACTIVATION_CHECK_EVERY_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type DeactivationJob = ReturnType<typeof createDeactivationJob>;
