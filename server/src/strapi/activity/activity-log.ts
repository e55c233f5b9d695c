import type { Core } from '@strapi/strapi';
import type { Background } from '../infrastructure/background';
import { createRefusalBudget, type Drained } from './refusal-budget';
import type { ActivityEntry, ActivityRow } from './activity-entry';
import { createActivityWriter } from './activity-writer';
import { REFUSAL_REPEAT_MS, REFUSAL_ROWS_PER_WINDOW, foldRow, identityFoldRow, suppressedRow, toRow, type RefusedEntry } from './activity-rows';

export * from './activity-entry';
export { REFUSAL_REPEAT_MS, REFUSAL_ROWS_PER_WINDOW, SUPPRESSED_REASON, toRow } from './activity-rows';
export { networkOf } from './refusal-budget';
import { logLine } from '../../pipeline/log-text';
import type { Masking } from '../../pipeline/masking';

export interface ActivityLogOptions {
  /** Flush when this many entries wait… */
  readonly batchSize?: number;
  /** …or this long after the first one arrived. */
  readonly flushEveryMs?: number;
  /** Entries kept in memory at most; past this, new entries are dropped (and counted). */
  readonly maxBuffered?: number;
  /** Whether a peer is a listed proxy (`trustedProxies`): its refusals are not capped (T26). None listed: every peer folds by network. */
  readonly isListedProxy?: (peer: string) => boolean;
  /** The clock of the refusal windows (tests). */
  readonly now?: () => number;
}

export interface ActivityStats {
  readonly recorded: number;
  readonly dropped: number;
  readonly buffered: number;
}

const TASK = 'recording sign-in activity';
const MEMO_LIMIT = 10_000;
/** Shutdown waits this long at most for the last batches: a database that is down must not hold Strapi's exit. */
const CLOSE_DEADLINE_MS = 5_000;

/**
 * The recorder. `record()` never awaits, never throws and never touches the
 * database: entries wait in a bounded buffer and are written in batches (at
 * most one batch in flight). A slow or failing database costs entries — a
 * counter says how many, logged once per failure streak — never a request.
 * Refusal rows keep identities masked with `mask` (the installation's keyed tags).
 */
export function createActivityLog(strapi: Core.Strapi, background: Background, mask: Masking, options: ActivityLogOptions = {}) {
  const batchSize = options.batchSize ?? 200;
  const flushEveryMs = options.flushEveryMs ?? 1_000;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const now = options.now ?? Date.now;
  const isListedProxy = options.isListedProxy ?? (() => false);

  const writer = createActivityWriter(strapi, background, TASK);
  let buffer: ActivityRow[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let recorded = 0;
  let dropped = 0;
  let droppedInStreak = 0;
  let closed = false;
  /** key → until when an equal entry is not recorded again (recordOnce); refusal repeats are the budget's, so a flood of refusals cannot evict these. */
  const onceMemo = new Map<string, number>();
  const refusals = createRefusalBudget<RefusedEntry>({ now, windowMs: REFUSAL_REPEAT_MS, rowsPerWindow: REFUSAL_ROWS_PER_WINDOW, memoLimit: MEMO_LIMIT });
  /** Writes the folds and the summary when the refusal window ends. */
  let windowTimer: NodeJS.Timeout | null = null;

  /** True the first time `key` is seen within `ttlMs`; bounded, oldest forgotten first. */
  function firstWithin(memo: Map<string, number>, key: string, ttlMs: number): boolean {
    const at = now();
    const until = memo.get(key);
    if (until !== undefined && until > at) return false;
    memo.delete(key);
    memo.set(key, at + ttlMs);
    if (memo.size > MEMO_LIMIT) {
      for (const oldest of memo.keys()) {
        memo.delete(oldest);
        if (memo.size <= MEMO_LIMIT * 0.9) break;
      }
    }
    return true;
  }

  const drop = (count: number, why: string): void => {
    dropped += count;
    droppedInStreak += count;
    // background logs the first failure of a streak and the recovery, not every drop.
    background.run(TASK, () => {
      throw new Error(`${why}; ${droppedInStreak} entries dropped so far (sign-ins are not affected)`);
    });
  };

  async function writeBatch(rows: ActivityRow[]): Promise<void> {
    const written = await writer.write(rows);
    recorded += written;
    if (written === rows.length) {
      if (droppedInStreak > 0) {
        strapi.log.warn(logLine`[remote-auth] sign-in activity: ${droppedInStreak} entries were dropped while the database was unavailable`);
        droppedInStreak = 0;
      }
    } else {
      dropped += rows.length - written;
      droppedInStreak += rows.length - written;
    }
  }

  /** Writes what waits, batch after batch; one flush at a time. */
  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight) return inFlight;
    if (buffer.length === 0) return Promise.resolve();
    inFlight = (async () => {
      try {
        while (buffer.length > 0) {
          const rows = buffer.slice(0, batchSize);
          buffer = buffer.slice(rows.length);
          await writeBatch(rows);
        }
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  function schedule(): void {
    if (buffer.length >= batchSize) {
      if (!inFlight) void flush();
      return;
    }
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, flushEveryMs);
    timer.unref();
  }

  /** Queues the rows of what a refusal window left: one per network fold, one summary of the refusals past the cap. */
  function writeDrained({ folds, identityFolds, suppressed }: Drained<RefusedEntry>): void {
    for (const fold of folds) push(foldRow(fold, mask));
    for (const fold of identityFolds) push(identityFoldRow(fold, mask));
    if (suppressed) push(suppressedRow(suppressed, mask));
  }

  /** Writes what the ended window left, and waits for the end of the current one if something is pending. */
  function onWindowEnd(): void {
    if (windowTimer) clearTimeout(windowTimer);
    windowTimer = null;
    const ended = refusals.drainIfEnded();
    if (ended) writeDrained(ended);
    armWindowTimer();
  }

  function armWindowTimer(): void {
    if (windowTimer || closed || !refusals.pending()) return;
    windowTimer = setTimeout(onWindowEnd, Math.max(0, refusals.endsAt() - now()));
    windowTimer.unref();
  }

  /** Whether a refusal gets a row of its own now; folds and summaries are written when the window ends. */
  /** A refusal untrusted traffic cannot cause: from a listed proxy, or of an identity established before it (a verified signature). */
  function vouchedFor(entry: RefusedEntry): boolean {
    return entry.vouched === true || (typeof entry.peer === 'string' && isListedProxy(entry.peer));
  }

  function refusalRecorded(entry: RefusedEntry): boolean {
    const { admission, ended } = refusals.admit(entry, vouchedFor(entry));
    if (ended) writeDrained(ended);
    armWindowTimer();
    return admission === 'row';
  }

  function push(row: ActivityRow): void {
    if (buffer.length >= maxBuffered) {
      drop(1, `the activity buffer is full (${maxBuffered} entries waiting for the database)`);
      return;
    }
    buffer.push(row);
    schedule();
  }

  function record(entry: ActivityEntry): void {
    try {
      if (entry.kind === 'refused' && !refusalRecorded(entry)) return;
      if (buffer.length >= maxBuffered) {
        drop(1, `the activity buffer is full (${maxBuffered} entries waiting for the database)`);
        return;
      }
      buffer.push(toRow(entry, mask));
      schedule();
    } catch (error) {
      drop(1, `an activity entry could not be prepared: ${(error as Error).message}`);
    }
  }

  return {
    /** Queues an entry; returns at once. Never throws. */
    record,

    /**
     * Records `entry` only the first time `key` is seen within `ttlMs` — strict
     * mode's header authentication runs on every request, its sign-in is
     * recorded once per session. True when it was recorded (the first time).
     */
    recordOnce(key: string, ttlMs: number, entry: ActivityEntry): boolean {
      if (!firstWithin(onceMemo, key, ttlMs)) return false;
      record(entry);
      return true;
    },

    /** Writes everything buffered (tests, shutdown, CSV export), with the network folds and the count of refusals not recorded one by one so far. Never rejects. */
    async flush(): Promise<void> {
      writeDrained(refusals.drain());
      while (buffer.length > 0 || inFlight) await flush();
    },

    stats(): ActivityStats {
      return { recorded, dropped, buffered: buffer.length };
    },

    /** Shutdown: writes what is buffered (waiting at most `CLOSE_DEADLINE_MS` for the database), then stops the timer. */
    async close(): Promise<void> {
      closed = true;
      if (windowTimer) clearTimeout(windowTimer);
      windowTimer = null;
      writeDrained(refusals.drain());
      let deadline: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          (async () => {
            while (buffer.length > 0 || inFlight) await flush();
          })(),
          new Promise<void>((resolve) => {
            deadline = setTimeout(resolve, CLOSE_DEADLINE_MS);
            deadline.unref();
          }),
        ]);
      } finally {
        clearTimeout(deadline);
        if (timer) clearTimeout(timer);
        timer = null;
      }
    },
  };
}

export type ActivityLog = ReturnType<typeof createActivityLog>;
