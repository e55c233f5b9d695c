import { KeysUnavailable } from './assertion-refusals';

export type Clock = () => number;

/** A kid the key source did not have is not fetched again for this long. */
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** Fetches for kids not seen before, per UNKNOWN_KID_COOLDOWN_MS, for one key source, shared by all peers: the ceiling that protects the key server. */
export const UNKNOWN_KID_FETCHES = 10;
/** Of those, one peer network (/24, /48) may spend at most this many per UNKNOWN_KID_COOLDOWN_MS. */
export const UNKNOWN_KID_FETCHES_PER_NETWORK = 3;
/** Fetches per UNKNOWN_KID_COOLDOWN_MS kept for reserved requesters (listed proxies, peers whose tokens verified recently) once the shared ceiling is spent. */
export const RESERVED_KID_FETCHES = 10;
/** Missed kids remembered at most (oldest forgotten first). */
export const MAX_MISSED_KIDS = 10_000;
/** Networks whose allowance is remembered at most (oldest forgotten first). */
export const MAX_KID_NETWORKS = 10_000;

/** Who a key lookup is for: passed from the request, never read from the token. */
export interface KeyRequester {
  /** The peer's network (/24 IPv4, /48 IPv6; `networkOf`). */
  readonly network: string;
  /** A listed proxy, or a peer that recently presented a token that verified: may fetch from the reserve when the shared ceiling is spent. */
  readonly reserved: boolean;
  /** "Check this connection": look in the cache only, never fetch for a kid not cached (the key probe fetches it, cached). */
  readonly cachedOnly?: boolean;
}

/** A token bucket: `capacity` per `periodMs`, refilled continuously. */
export class TokenBucket {
  private level: number;
  private refilledAt: number;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly now: Clock,
  ) {
    this.level = capacity;
    this.refilledAt = now();
  }

  /** Whether a token is there now (refilled first). */
  ready(): boolean {
    const at = this.now();
    this.level = Math.min(this.capacity, this.level + (Math.max(0, at - this.refilledAt) * this.capacity) / this.periodMs);
    this.refilledAt = at;
    return this.level >= 1;
  }

  take(): void {
    this.level -= 1;
  }
}

/** One bucket per key, at most `limit` keys (oldest forgotten first: a forgotten key starts full, still under the shared ceiling). */
class BucketsByKey {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly make: () => TokenBucket,
    private readonly limit: number,
  ) {}

  of(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.limit) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = this.make();
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

const seconds = UNKNOWN_KID_COOLDOWN_MS / 1000;

/**
 * Key ids (kids) a token named that the cache does not have: each may be a
 * key the provider has just published (rotation, a new ALB node after a
 * deploy), or a made-up one. So that made-up kids neither hammer the key URL
 * nor lock real keys out:
 *
 * - a kid whose fetch did not find it is refused without a fetch for
 *   UNKNOWN_KID_COOLDOWN_MS — per kid, so it says nothing about other kids;
 * - a fetch for a kid not tried yet costs the requester's network one of its
 *   UNKNOWN_KID_FETCHES_PER_NETWORK and one of the key source's shared
 *   UNKNOWN_KID_FETCHES (token buckets per UNKNOWN_KID_COOLDOWN_MS);
 * - reserved requesters (listed proxies, peers whose tokens verified
 *   recently — the proxy's own nodes) fall back on RESERVED_KID_FETCHES when
 *   the shared ceiling is spent, with their own per-network allowance, so a
 *   flood of made-up kids from untrusted peers cannot keep the provider's new
 *   key from being fetched;
 * - spent, the answer is KeysUnavailable (503, try again), not "unknown key":
 *   the kid may well be real.
 *
 * The key server sees at most UNKNOWN_KID_FETCHES + RESERVED_KID_FETCHES
 * fetches for new kids per UNKNOWN_KID_COOLDOWN_MS per key source.
 */
export class UnknownKids {
  private readonly missed = new Map<string, number>();
  private readonly shared: TokenBucket;
  private readonly reserve: TokenBucket;
  private readonly networks: BucketsByKey;

  constructor(private readonly now: Clock) {
    this.shared = new TokenBucket(UNKNOWN_KID_FETCHES, UNKNOWN_KID_COOLDOWN_MS, now);
    this.reserve = new TokenBucket(RESERVED_KID_FETCHES, UNKNOWN_KID_COOLDOWN_MS, now);
    this.networks = new BucketsByKey(() => new TokenBucket(UNKNOWN_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, now), MAX_KID_NETWORKS);
  }

  /** Did a fetch for this kid come back without it moments ago? */
  recentlyMissed(kid: string): boolean {
    const at = this.missed.get(kid);
    if (at === undefined) return false;
    if (this.now() - at < UNKNOWN_KID_COOLDOWN_MS) return true;
    this.missed.delete(kid);
    return false;
  }

  /** The allowance of the requester's network; reserved and other requesters of one network are counted apart. */
  private networkBucket(requester: KeyRequester): TokenBucket {
    return this.networks.of(`${requester.reserved ? 'reserved' : 'other'} ${requester.network}`);
  }

  /** The shared ceiling, or for a reserved requester the reserve once the ceiling is spent; null when neither has a fetch left. */
  private pool(requester: KeyRequester): TokenBucket | null {
    if (this.shared.ready()) return this.shared;
    return requester.reserved && this.reserve.ready() ? this.reserve : null;
  }

  /** Takes one fetch for `requester`, or throws KeysUnavailable when its network's allowance or the ceiling is spent. */
  spend(requester: KeyRequester): void {
    if (requester.cachedOnly) {
      throw new KeysUnavailable('the token names a key id (kid) that is not cached yet; "Check this connection" does not fetch new key ids for the verification (the key check fetches it)');
    }
    const network = this.networkBucket(requester);
    if (!network.ready()) {
      throw new KeysUnavailable(
        `tokens from the network ${requester.network || 'of an unknown peer'} named more than ${UNKNOWN_KID_FETCHES_PER_NETWORK} key ids (kid) this server did not have within ${seconds} s, ` +
          'so new kids are not fetched for it until that allowance refills — someone there may be sending made-up kids (trustedProxies limits who can)',
      );
    }
    const pool = this.pool(requester);
    if (pool === null) {
      throw new KeysUnavailable(
        `tokens named more than ${UNKNOWN_KID_FETCHES} key ids (kid) this server did not have within ${seconds} s, ` +
          'so new kids are not fetched until that budget refills (listed proxies and peers whose tokens verified recently have a reserve) — someone may be sending made-up kids (trustedProxies limits who can)',
      );
    }
    network.take();
    pool.take();
  }

  /** The key source was asked for this kid and does not have it. */
  miss(kid: string): void {
    this.missed.delete(kid);
    if (this.missed.size >= MAX_MISSED_KIDS) this.missed.delete(this.missed.keys().next().value as string);
    this.missed.set(kid, this.now());
  }
}
