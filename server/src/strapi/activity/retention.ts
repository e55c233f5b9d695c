import type { Core } from '@strapi/strapi';
import type { Background } from '../infrastructure/background';
import type { SettingsSource } from '../infrastructure/settings-store';
import { ACTIVITY_TABLE } from './activity-table';
import type { Leases } from '../infrastructure/lease';
import { logLine } from '../../pipeline/log-text';

const DAY_MS = 86_400_000;
const LEASE = 'activity-retention';
/** At least this long: a run that outlasts its lease would let another instance start beside it. Renewed before every batch. */
const MIN_LEASE_MS = 5 * 60_000;
const TASK = 'pruning old sign-in activity';

/** How often each instance offers to prune (one of them does); `REMOTE_AUTH_RETENTION_INTERVAL_MS` overrides it. */
const intervalMs = (): number => {
  const configured = Number(process.env.REMOTE_AUTH_RETENTION_INTERVAL_MS);
  return Number.isFinite(configured) && configured >= 100 ? configured : 60 * 60_000;
};

export interface RetentionOptions {
  /** Rows per DELETE: short statements, so sign-ins writing to the table never wait long. */
  readonly batchSize?: number;
  /** Batches per run at most; what is left waits for the next run. */
  readonly maxBatches?: number;
}

/**
 * Deletes activity older than `activityRetentionDays`, in the background, on
 * one instance at a time: each run first takes the retention lease (see
 * lease.ts) and renews it before every batch. The instance that holds it keeps
 * it while it lives (it renews at each run); another takes over once it has
 * expired.
 */
export function createRetention(strapi: Core.Strapi, settings: SettingsSource, leases: Leases, background: Background, options: RetentionOptions = {}) {
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 200;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const every = intervalMs();

  /** Deletes what is older than the retention; `skipped` when another instance holds the lease. */
  async function prune(): Promise<{ deleted: number } | 'skipped'> {
    // The lease keeps other instances out; this keeps a second run of this one out (a run can outlast the interval).
    if (running) return 'skipped';
    running = true;
    try {
      return await pruneHoldingLease();
    } finally {
      running = false;
    }
  }

  async function pruneHoldingLease(): Promise<{ deleted: number } | 'skipped'> {
    const ttl = Math.max(every * 2, MIN_LEASE_MS);
    if (!(await leases.acquire(LEASE, ttl))) return 'skipped';
    const days = (await settings.current()).settings.activityRetentionDays;
    const cutoff = Date.now() - days * DAY_MS;
    const knex = strapi.db.connection;
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      if (batch > 0 && !(await leases.acquire(LEASE, ttl))) break; // taken over (this run was too slow): stop
      const ids = (await knex(ACTIVITY_TABLE).where('at', '<', cutoff).orderBy('id').limit(batchSize).pluck('id')) as number[];
      if (ids.length === 0) break;
      deleted += Number(await knex(ACTIVITY_TABLE).whereIn('id', ids).delete());
      if (ids.length < batchSize) break;
    }
    if (deleted > 0) {
      strapi.log.info(logLine`[remote-auth] activity retention: deleted ${deleted} rows older than ${days} days (instance ${leases.holder})`);
    }
    return { deleted };
  }

  return {
    prune,

    /** First run shortly after boot, then every interval; never keeps the process alive. */
    start(): void {
      if (timer) return;
      const tick = () => background.run(TASK, prune);
      timer = setTimeout(function again() {
        tick();
        timer = setTimeout(again, every);
        timer.unref();
      }, Math.min(every, 60_000));
      timer.unref();
    },

    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
