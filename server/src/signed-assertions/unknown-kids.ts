import { KeysUnavailable } from './assertion-refusals';

export type Clock = () => number;

/** A kid the key source did not have is not fetched again for this long. */
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** Fetches for kids not seen before, per UNKNOWN_KID_COOLDOWN_MS, for one key source, shared by all peers: the ceiling that protects the key server. */
export const UNKNOWN_KID_FETCHES = 10;
/** Of those, one peer network (/24, /48) may spend at most this many per UNKNOWN_KID_COOLDOWN_MS. */
export const UNKNOWN_KID_FETCHES_PER_NETWORK = 3;
/** Fetches per UNKNOWN_KID_COOLDOWN_MS that one reserved network (a listed proxy's or a proven peer's /24, /48) has of its own: not drawn from the shared ceiling, nor from any pool other networks can spend. */
export const RESERVED_KID_FETCHES_PER_NETWORK = 3;
/**
 * Reserved networks holding an allowance at once, for listed proxies and, apart, for proven peers
 * (so proven peers never take a listed proxy's place). A network's allowance is only forgotten once
 * it has refilled (forgetting it then gives nothing away); with every place held by a network still
 * refilling, a newcomer is budgeted like an unreserved network (shared ceiling).
 */
export const MAX_RESERVED_NETWORKS = 32;
/**
 * What the key server sees at most, per UNKNOWN_KID_COOLDOWN_MS per key source, for kids not cached:
 * UNKNOWN_KID_FETCHES + 2 × MAX_RESERVED_NETWORKS × RESERVED_KID_FETCHES_PER_NETWORK = 10 + 2 × 32 × 3 = 202.
 */
export const MAX_NEW_KID_FETCHES = UNKNOWN_KID_FETCHES + 2 * MAX_RESERVED_NETWORKS * RESERVED_KID_FETCHES_PER_NETWORK;
/** Missed kids remembered at most (oldest forgotten first). */
export const MAX_MISSED_KIDS = 10_000;
/** Networks whose allowance is remembered at most (oldest forgotten first). */
export const MAX_KID_NETWORKS = 10_000;

/** Who a key lookup is for: passed from the request, never read from the token. */
export interface KeyRequester {
  /** The peer's network (/24 IPv4, /48 IPv6; `networkOf`). */
  readonly network: string;
  /** A listed proxy, or a peer that recently presented a token that verified (proven): its network has an allowance of its own, spent before its share of the shared ceiling. */
  readonly reserved: boolean;
  /** A listed proxy (trustedProxies): reserved, in places proven peers cannot take. */
  readonly listed?: boolean;
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

  /** Refilled to capacity: as good as a new one, so forgetting it gives nothing away. */
  full(): boolean {
    return this.ready() && this.level >= this.capacity;
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

/**
 * At most `limit` buckets, one per key; a bucket is forgotten only once full (refilled), so a key
 * cannot get a fresh allowance by being pushed out. `of` returns null when every place is held by a
 * bucket still refilling.
 */
class BoundedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly make: () => TokenBucket,
    private readonly limit: number,
  ) {}

  of(key: string): TokenBucket | null {
    const held = this.buckets.get(key);
    if (held) return held;
    if (this.buckets.size >= this.limit) {
      let freed = false;
      for (const [other, bucket] of this.buckets) {
        if (bucket.full()) {
          this.buckets.delete(other);
          freed = true;
          break;
        }
      }
      if (!freed) return null;
    }
    const bucket = this.make();
    this.buckets.set(key, bucket);
    return bucket;
  }
}

const seconds = UNKNOWN_KID_COOLDOWN_MS / 1000;

const from = (network: string): string => `the network ${network || 'of an unknown peer'}`;
/** A reserved network's fallback: said in the log line, so the operator sees the proxy's own allowance went first. */
const ownAllowance = (network: string): string =>
  `tokens from ${from(network)} (a listed proxy's or proven peer's) spent its own allowance of ${RESERVED_KID_FETCHES_PER_NETWORK} key fetches within ${seconds} s, and `;

/** The network's share of the shared ceiling is spent. */
const networkSpent = (network: string, ownSpent: boolean): string =>
  ownSpent
    ? `${ownAllowance(network)}its share of the shared allowance (${UNKNOWN_KID_FETCHES_PER_NETWORK}) too, so new kids are not fetched for it until they refill — ` +
      'a client may be sending made-up kids through the proxy, which must strip client copies of the assertion header'
    : `tokens from ${from(network)} named more than ${UNKNOWN_KID_FETCHES_PER_NETWORK} key ids (kid) this server did not have within ${seconds} s, ` +
      'so new kids are not fetched for it until that allowance refills — someone there may be sending made-up kids (trustedProxies limits who can)';

/** The shared ceiling is spent. */
const sharedSpent = (network: string, ownSpent: boolean): string =>
  `${ownSpent ? `${ownAllowance(network)}the shared allowance is spent too: ` : ''}tokens named more than ${UNKNOWN_KID_FETCHES} key ids (kid) ` +
  `this server did not have within ${seconds} s, so new kids are not fetched until that budget refills ` +
  '(listed proxies and peers whose tokens verified recently have allowances of their own) — someone may be sending made-up kids (trustedProxies limits who can)';

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
 * - a reserved requester (a listed proxy, or a peer whose token verified
 *   recently — the proxy's own nodes) spends its network's own
 *   RESERVED_KID_FETCHES_PER_NETWORK first: a bucket per reserved network,
 *   not a pool, so neither a flood of made-up kids from untrusted peers nor
 *   one from other reserved networks (an insider proving addresses with a
 *   token of their own: verifier.ts bounds how many per subject) can keep
 *   the provider's new key from being fetched. Listed and proven networks
 *   hold MAX_RESERVED_NETWORKS places each; past that, a newcomer is
 *   budgeted as unreserved;
 * - a reserved network whose own allowance is spent is budgeted as
 *   unreserved too (its network's share of the shared ceiling): made-up kids
 *   sent through the proxy itself (a client copy of the assertion header it
 *   passed on) must not keep a rotated key from being fetched while the
 *   shared ceiling is unused. The ceiling still bounds what the key server sees;
 * - spent, the answer is KeysUnavailable (503, try again), not "unknown key":
 *   the kid may well be real.
 *
 * The key server sees at most MAX_NEW_KID_FETCHES (UNKNOWN_KID_FETCHES +
 * 2 × MAX_RESERVED_NETWORKS × RESERVED_KID_FETCHES_PER_NETWORK = 202) fetches
 * for new kids per UNKNOWN_KID_COOLDOWN_MS per key source.
 */
export class UnknownKids {
  private readonly missed = new Map<string, number>();
  private readonly shared: TokenBucket;
  private readonly networks: BucketsByKey;
  private readonly listed: BoundedBuckets;
  private readonly proven: BoundedBuckets;

  constructor(private readonly now: Clock) {
    this.shared = new TokenBucket(UNKNOWN_KID_FETCHES, UNKNOWN_KID_COOLDOWN_MS, now);
    this.networks = new BucketsByKey(() => new TokenBucket(UNKNOWN_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, now), MAX_KID_NETWORKS);
    const reserved = () => new TokenBucket(RESERVED_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, now);
    this.listed = new BoundedBuckets(reserved, MAX_RESERVED_NETWORKS);
    this.proven = new BoundedBuckets(reserved, MAX_RESERVED_NETWORKS);
  }

  /** Did a fetch for this kid come back without it moments ago? */
  recentlyMissed(kid: string): boolean {
    const at = this.missed.get(kid);
    if (at === undefined) return false;
    if (this.now() - at < UNKNOWN_KID_COOLDOWN_MS) return true;
    this.missed.delete(kid);
    return false;
  }

  /** A reserved requester's own allowance; null when it is not reserved, or every place is held (then it is budgeted as unreserved). */
  private reservedBucket(requester: KeyRequester): TokenBucket | null {
    if (!requester.reserved) return null;
    return (requester.listed ? this.listed : this.proven).of(requester.network);
  }

  /** Takes one fetch for `requester`, or throws KeysUnavailable when its allowances are spent (see the class comment). */
  spend(requester: KeyRequester): void {
    if (requester.cachedOnly) {
      throw new KeysUnavailable('the token names a key id (kid) that is not cached yet; "Check this connection" does not fetch new key ids for the verification (the key check fetches it)');
    }
    const own = this.reservedBucket(requester);
    if (own?.ready()) {
      own.take();
      return;
    }
    this.spendShared(requester, own !== null);
  }

  /**
   * One of the shared ceiling's fetches, within the requester's network share of it.
   * `ownSpent`: the requester is a reserved network whose own allowance is spent (the log line says so).
   */
  private spendShared(requester: KeyRequester, ownSpent: boolean): void {
    const network = this.networks.of(requester.network);
    if (!network.ready()) throw new KeysUnavailable(networkSpent(requester.network, ownSpent));
    if (!this.shared.ready()) throw new KeysUnavailable(sharedSpent(requester.network, ownSpent));
    network.take();
    this.shared.take();
  }

  /** The key source was asked for this kid and does not have it. */
  miss(kid: string): void {
    this.missed.delete(kid);
    if (this.missed.size >= MAX_MISSED_KIDS) this.missed.delete(this.missed.keys().next().value as string);
    this.missed.set(kid, this.now());
  }
}
