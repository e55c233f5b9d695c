import { KeysUnavailable } from './assertion-refusals';

export type Clock = () => number;

/** A kid the key source did not have is not fetched again for this long. */
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** Fetches for kids not seen before, per UNKNOWN_KID_COOLDOWN_MS, for one key source. */
export const UNKNOWN_KID_FETCHES = 10;
/** Missed kids remembered at most (oldest forgotten first). */
export const MAX_MISSED_KIDS = 10_000;

/**
 * Key ids (kids) a token named that the cache does not have: each may be a
 * key the provider has just published (rotation, a new ALB node after a
 * deploy), or a made-up one. So that made-up kids neither hammer the key URL
 * nor lock real keys out:
 *
 * - a kid whose fetch did not find it is refused without a fetch for
 *   UNKNOWN_KID_COOLDOWN_MS — per kid, so it says nothing about other kids;
 * - fetches for kids not tried yet draw from one budget per key source, a
 *   token bucket of UNKNOWN_KID_FETCHES per UNKNOWN_KID_COOLDOWN_MS. While
 *   budget remains, a never-tried kid is fetched at once; when it is spent the
 *   answer is KeysUnavailable (503, try again), not "unknown key": the kid may
 *   well be real.
 */
export class UnknownKids {
  private readonly missed = new Map<string, number>();
  private budget = UNKNOWN_KID_FETCHES;
  private refilledAt: number;

  constructor(private readonly now: Clock) {
    this.refilledAt = now();
  }

  /** Did a fetch for this kid come back without it moments ago? */
  recentlyMissed(kid: string): boolean {
    const at = this.missed.get(kid);
    if (at === undefined) return false;
    if (this.now() - at < UNKNOWN_KID_COOLDOWN_MS) return true;
    this.missed.delete(kid);
    return false;
  }

  /** Takes one fetch from the budget, or throws KeysUnavailable when it is spent. */
  spend(): void {
    const now = this.now();
    const refill = (Math.max(0, now - this.refilledAt) * UNKNOWN_KID_FETCHES) / UNKNOWN_KID_COOLDOWN_MS;
    this.budget = Math.min(UNKNOWN_KID_FETCHES, this.budget + refill);
    this.refilledAt = now;
    if (this.budget < 1) {
      throw new KeysUnavailable(
        `tokens named more than ${UNKNOWN_KID_FETCHES} key ids (kid) this server did not have within ${UNKNOWN_KID_COOLDOWN_MS / 1000} s, ` +
          'so new kids are not fetched until that budget refills — someone may be sending made-up kids (trustedProxies limits who can)',
      );
    }
    this.budget -= 1;
  }

  /** The key source was asked for this kid and does not have it. */
  miss(kid: string): void {
    this.missed.delete(kid);
    if (this.missed.size >= MAX_MISSED_KIDS) this.missed.delete(this.missed.keys().next().value as string);
    this.missed.set(kid, this.now());
  }
}
