import { errors, importSPKI, type KeyLike } from 'jose';
import { KeysUnavailable, malformed } from './assertion-refusals';
import { fetchKeyDocument } from './fetch-limited';
import { ALB_KID, FAILED_FETCH_RETRY_MS, MAX_PEM_KEYS, REFRESH_AFTER_MS, type KeyGetter, type KeyStore } from './key-store-contract';
import { UnknownKids, type Clock } from './unknown-kids';

/** A cached PEM key: when it was fetched (its age) and when a re-fetch of it last failed. */
interface CachedKey {
  readonly key: KeyLike;
  readonly fetchedAt: number;
  failedAt: number;
}

/** The key URL says it does not have this kid (S3, behind ALB's key URL, answers 403 for a missing object). */
const isWithdrawn = (error: unknown): boolean => /answered HTTP (404|403)/.test((error as Error).message);

/**
 * AWS ALB: one PEM public key per kid at <base URL><kid>. A cached key ages as a JWKS does
 * (key-store-contract.ts): re-fetched in the background once REFRESH_AFTER_MS old, used past
 * `maxAgeMs` only once a re-fetch confirms it, dropped when the key URL no longer has it — so a
 * key the load balancer withdrew stops being accepted. A kid not cached is fetched within the
 * budgets for new kids (UnknownKids); re-fetching a cached kid draws on none of them, so made-up
 * kids that spend those budgets cannot keep a withdrawn key in use. It stays bounded: only kids
 * the key URL served are cached (at most MAX_PEM_KEYS), each re-fetched at most once per
 * REFRESH_AFTER_MS, or per FAILED_FETCH_RETRY_MS while the key URL fails.
 */
export class PemPerKidStore implements KeyStore {
  private readonly keys = new Map<string, CachedKey>();
  private readonly inflight = new Map<string, Promise<KeyLike>>();
  private readonly unknown: UnknownKids;
  private lastError: string | null = null;
  private fetchedAt = -Infinity;

  constructor(
    private readonly baseUrl: string,
    private readonly maxAgeMs: number,
    private readonly now: Clock,
  ) {
    this.unknown = new UnknownKids(now);
  }

  describe() {
    return {
      source: `${this.baseUrl}<kid>`,
      keys: this.keys.size,
      fetchedAt: Number.isFinite(this.fetchedAt) ? new Date(this.fetchedAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  keyFor: KeyGetter = async (header, _token, requester) => {
    const kid = header.kid;
    if (typeof kid !== 'string' || !ALB_KID.test(kid)) {
      throw malformed(`the ALB assertion's key id (kid) ${JSON.stringify(kid)?.slice(0, 80)} is not a key id ALB issues (letters, digits and dashes)`);
    }
    const cached = this.keys.get(kid);
    if (cached) return this.cachedKey(kid, cached, header.alg as string);
    const pending = this.inflight.get(kid);
    if (pending) return pending;
    if (this.unknown.recentlyMissed(kid)) throw new errors.JWKSNoMatchingKey();
    this.unknown.spend(requester);
    return this.fetch(kid, header.alg as string);
  };

  /** A cached key, by its age: as it is, as it is while a background re-fetch runs, or only what a re-fetch confirms. */
  private async cachedKey(kid: string, cached: CachedKey, alg: string): Promise<KeyLike> {
    const now = this.now();
    const age = now - cached.fetchedAt;
    const mayRetry = now - cached.failedAt >= FAILED_FETCH_RETRY_MS;
    const pending = this.inflight.get(kid);
    if (age <= this.maxAgeMs) {
      if (age > REFRESH_AFTER_MS && mayRetry && pending === undefined) this.fetch(kid, alg).catch(() => undefined);
      return cached.key;
    }
    if (pending === undefined && !mayRetry) {
      throw new KeysUnavailable(`the cached key ${kid} is older than maxKeyAgeSeconds and the key URL failed moments ago: ${this.lastError}`);
    }
    try {
      return await (pending ?? this.fetch(kid, alg));
    } catch (error) {
      if (!(error instanceof KeysUnavailable)) throw error;
      throw new KeysUnavailable(`${error.message} (the cached key ${kid} is older than maxKeyAgeSeconds, ${this.maxAgeMs / 1000} s)`);
    }
  }

  /** Fetches the kid's key, one fetch per kid at a time; requests for it meanwhile share it. */
  private fetch(kid: string, alg: string): Promise<KeyLike> {
    const fetching = this.load(kid, alg).finally(() => this.inflight.delete(kid));
    this.inflight.set(kid, fetching);
    return fetching;
  }

  private async load(kid: string, alg: string): Promise<KeyLike> {
    const url = `${this.baseUrl}${encodeURIComponent(kid)}`;
    let pem: string;
    try {
      pem = await fetchKeyDocument(url);
    } catch (error) {
      this.failed(kid, (error as Error).message);
      if (!isWithdrawn(error)) throw error;
      // Not (or no longer) at the key URL: never accepted again, and not asked for again during the cool-down.
      this.keys.delete(kid);
      this.unknown.miss(kid);
      throw new errors.JWKSNoMatchingKey();
    }
    let key: KeyLike;
    try {
      key = await importSPKI(pem.trim(), alg);
    } catch (error) {
      const message = `the key URL ${url} did not answer with a PEM public key for ${alg}: ${(error as Error).message}`;
      this.failed(kid, message);
      this.unknown.miss(kid);
      throw new KeysUnavailable(message);
    }
    this.remember(kid, key);
    return key;
  }

  /** A fetch for the kid failed: said by describe(); a cached key is not re-fetched again for FAILED_FETCH_RETRY_MS. */
  private failed(kid: string, message: string): void {
    this.lastError = message;
    const cached = this.keys.get(kid);
    if (cached) cached.failedAt = this.now();
  }

  /** Caches a fetched key as the newest (oldest first out). */
  private remember(kid: string, key: KeyLike): void {
    this.keys.delete(kid);
    if (this.keys.size >= MAX_PEM_KEYS) this.keys.delete(this.keys.keys().next().value as string);
    this.fetchedAt = this.now();
    this.keys.set(kid, { key, fetchedAt: this.fetchedAt, failedAt: -Infinity });
    this.lastError = null;
  }
}
