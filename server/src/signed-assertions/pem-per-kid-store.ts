import { errors, importSPKI, type KeyLike } from 'jose';
import { KeysUnavailable, malformed } from './assertion-refusals';
import { fetchKeyDocument } from './fetch-limited';
import { ALB_KID, MAX_PEM_KEYS, type KeyGetter, type KeyStore } from './key-store-contract';
import { UnknownKids, type Clock } from './unknown-kids';

/** AWS ALB: one PEM public key per kid at <base URL><kid>. */
export class PemPerKidStore implements KeyStore {
  private readonly keys = new Map<string, KeyLike>();
  private readonly inflight = new Map<string, Promise<KeyLike>>();
  private readonly unknown: UnknownKids;
  private lastError: string | null = null;
  private fetchedAt = -Infinity;

  constructor(
    private readonly baseUrl: string,
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
    if (cached) return cached;
    const pending = this.inflight.get(kid);
    if (pending) return pending;
    if (this.unknown.recentlyMissed(kid)) throw new errors.JWKSNoMatchingKey();
    this.unknown.spend(requester);
    const fetching = (async () => {
      const url = `${this.baseUrl}${encodeURIComponent(kid)}`;
      let pem: string;
      try {
        pem = await fetchKeyDocument(url);
      } catch (error) {
        this.lastError = (error as Error).message;
        if (/answered HTTP (404|403)/.test((error as Error).message)) {
          this.unknown.miss(kid);
          throw new errors.JWKSNoMatchingKey();
        }
        throw error;
      }
      let key: KeyLike;
      try {
        key = await importSPKI(pem.trim(), header.alg as string);
      } catch (error) {
        this.unknown.miss(kid);
        throw new KeysUnavailable(`the key URL ${url} did not answer with a PEM public key for ${header.alg}: ${(error as Error).message}`);
      }
      if (this.keys.size >= MAX_PEM_KEYS) this.keys.delete(this.keys.keys().next().value as string);
      this.keys.set(kid, key);
      this.fetchedAt = this.now();
      this.lastError = null;
      return key;
    })().finally(() => this.inflight.delete(kid));
    this.inflight.set(kid, fetching);
    return fetching;
  };
}
