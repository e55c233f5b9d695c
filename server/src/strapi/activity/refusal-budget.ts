import { networkOf } from '../../pipeline/peer-network';

export { networkOf };

/**
 * How many rows refusals may take (T26). Untrusted traffic must not be able
 * to spend the rows of what matters, so refusals are split by who sent them:
 *
 * - from a listed proxy (`trustedProxies`), or whose identity was established
 *   before the refusal (a verified signature, a listed proxy's header — only
 *   a holder of a provider-signed token can cause these): no cap, but one row
 *   per identity and reason per window: the first refusal gets its row, exact
 *   repeats (same peer) are dropped, and the same identity's refusals from
 *   other peers fold into one row written when the window ends, keeping the
 *   count, how many peers and the latest peer (R2-1/R2-3: one valid token sent
 *   from 300 addresses is not 300 rows); refusals of different identities each
 *   get their row;
 * - from any other peer (all of them when only an assertion is trusted): one
 *   fold per network (/24 IPv4, /48 IPv6) per window, whatever the reason,
 *   keeping the count, the reasons and the latest attempt; at most
 *   `rowsPerWindow` networks per window, the refusals past that counted into
 *   one summary that also keeps the latest attempt.
 *
 * Pure: the clock is injected, the recorder turns what `drain` returns into rows.
 */

/** What the budget reads of a refusal. */
export interface RefusalLike {
  readonly reason: string;
  readonly peer?: string | null;
  readonly identity?: string | null;
}

/** The refusals of one network in one window, written as one row. */
export interface NetworkFold<T extends RefusalLike> {
  readonly network: string;
  /** The latest refusal: its reason, peer, identity, hint are the row's. */
  latest: T;
  latestAt: number;
  firstAt: number;
  count: number;
  readonly reasons: Record<string, number>;
}

/** The refusals past the window's cap, written as one summary row. */
export interface Suppressed<T extends RefusalLike> {
  readonly count: number;
  readonly networks: number;
  readonly latest: T;
  readonly latestAt: number;
  readonly reasons: Record<string, number>;
}

/** One vouched identity's refusals of one reason from further peers in one window, written as one row. */
export interface IdentityFold<T extends RefusalLike> {
  /** The latest refusal: its reason, peer, identity, hint are the row's. */
  latest: T;
  latestAt: number;
  firstAt: number;
  count: number;
  /** Distinct peers counted (at most memoLimit remembered). */
  readonly peers: Set<string>;
}

export interface Drained<T extends RefusalLike> {
  readonly folds: readonly NetworkFold<T>[];
  /** Vouched refusals of one identity and reason from peers past the first, per window. */
  readonly identityFolds: readonly IdentityFold<T>[];
  readonly suppressed: Suppressed<T> | null;
}

export type Admission = 'row' | 'repeat' | 'folded' | 'suppressed';

export interface RefusalBudgetOptions {
  readonly now: () => number;
  readonly windowMs: number;
  readonly rowsPerWindow: number;
  /** Exact repeats remembered at most (oldest forgotten first). */
  readonly memoLimit: number;
}

const tally = (reasons: Record<string, number>, reason: string): void => {
  reasons[reason] = (reasons[reason] ?? 0) + 1;
};

export function createRefusalBudget<T extends RefusalLike>(options: RefusalBudgetOptions) {
  const { now, windowMs, rowsPerWindow, memoLimit } = options;
  const repeats = new Map<string, number>();
  let endsAt = 0;
  let networksThisWindow = 0;
  let folds = new Map<string, NetworkFold<T>>();
  let identityFolds = new Map<string, IdentityFold<T>>();
  let suppressed: { count: number; networks: Set<string>; latest: T; latestAt: number; reasons: Record<string, number> } | null = null;

  /** True the first time `key` is seen within the window; bounded, oldest forgotten first. */
  function firstWithin(key: string, at: number): boolean {
    const until = repeats.get(key);
    if (until !== undefined && until > at) return false;
    repeats.delete(key);
    repeats.set(key, at + windowMs);
    if (repeats.size > memoLimit) {
      for (const oldest of repeats.keys()) {
        repeats.delete(oldest);
        if (repeats.size <= memoLimit * 0.9) break;
      }
    }
    return true;
  }

  /** What waits to be written, and nothing waits any more. */
  function drain(): Drained<T> {
    const out: Drained<T> = {
      folds: [...folds.values()],
      identityFolds: [...identityFolds.values()],
      suppressed: suppressed && { count: suppressed.count, networks: suppressed.networks.size, latest: suppressed.latest, latestAt: suppressed.latestAt, reasons: suppressed.reasons },
    };
    folds = new Map();
    identityFolds = new Map();
    suppressed = null;
    return out;
  }

  /** A new window when the last one ended; what the ended one left to write. */
  function roll(at: number): Drained<T> | null {
    if (at < endsAt) return null;
    const ended = drain();
    endsAt = at + windowMs;
    networksThisWindow = 0;
    return ended;
  }

  /**
   * A vouched refusal: an exact repeat (reason, peer, identity) is dropped; the first of an identity
   * and reason within the window gets its row; from any further peer it folds into that identity's
   * row of the window. Without an identity there is nothing to fold by: per peer, as exact repeats.
   */
  function admitVouched(entry: T, at: number): Admission {
    const identity = entry.identity ?? '';
    if (!firstWithin(`p|${entry.reason}|${entry.peer ?? ''}|${identity}`, at)) return 'repeat';
    if (identity === '') return 'row';
    const key = `${entry.reason}|${identity}`;
    const fold = identityFolds.get(key);
    if (fold) {
      Object.assign(fold, { latest: entry, latestAt: at, count: fold.count + 1 });
      if (fold.peers.size < memoLimit) fold.peers.add(entry.peer ?? '');
      return 'folded';
    }
    if (firstWithin(`i|${key}`, at)) return 'row';
    // Bounded like the repeats: past memoLimit identities folding in one window, rows again.
    if (identityFolds.size >= memoLimit) return 'row';
    identityFolds.set(key, { latest: entry, latestAt: at, firstAt: at, count: 1, peers: new Set([entry.peer ?? '']) });
    return 'folded';
  }

  function foldUnlisted(entry: T, at: number): Admission {
    const network = networkOf(entry.peer);
    const fold = folds.get(network);
    if (fold) {
      Object.assign(fold, { latest: entry, latestAt: at, count: fold.count + 1 });
      tally(fold.reasons, entry.reason);
      return 'folded';
    }
    if (networksThisWindow < rowsPerWindow) {
      networksThisWindow++;
      const fresh: NetworkFold<T> = { network, latest: entry, latestAt: at, firstAt: at, count: 1, reasons: {} };
      tally(fresh.reasons, entry.reason);
      folds.set(network, fresh);
      return 'folded';
    }
    suppressed ??= { count: 0, networks: new Set(), latest: entry, latestAt: at, reasons: {} };
    suppressed.count++;
    if (suppressed.networks.size < memoLimit) suppressed.networks.add(network);
    suppressed.latest = entry;
    suppressed.latestAt = at;
    tally(suppressed.reasons, entry.reason);
    return 'suppressed';
  }

  return {
    /**
     * Where a refusal goes: its own row now (`row`), nowhere (`repeat`), its
     * network's fold (`folded`) or the summary (`suppressed`). `ended` is what
     * a window that ended before this refusal left to write.
     */
    admit(entry: T, vouched: boolean): { admission: Admission; ended: Drained<T> | null } {
      const at = now();
      const ended = roll(at);
      if (vouched) return { admission: admitVouched(entry, at), ended };
      return { admission: foldUnlisted(entry, at), ended };
    },

    /** When the current window ends (0 before the first refusal). */
    endsAt: (): number => endsAt,

    /** Whether a fold or a summary waits to be written. */
    pending: (): boolean => folds.size > 0 || identityFolds.size > 0 || suppressed !== null,

    drain,

    /** What waits if the window has ended by now (the recorder's timer). */
    drainIfEnded(): Drained<T> | null {
      return roll(now());
    },
  };
}

export type RefusalBudget<T extends RefusalLike> = ReturnType<typeof createRefusalBudget<T>>;
