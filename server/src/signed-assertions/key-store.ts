import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, errors, importSPKI, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters, type KeyLike } from 'jose';
import { KeysUnavailable, malformed } from './assertion-refusals';
import { fetchKeyDocument } from './fetch-limited';
import { keyUrlProblem } from './key-url';
import type { KeySource } from './signed-rules';
import { UnknownKids, type Clock } from './unknown-kids';

export { UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES } from './unknown-kids';
export type { Clock } from './unknown-kids';

/**
 * Verification keys, cached. Keys come only from the configured source: a
 * token's `jku`, `x5u`, `jwk` or `x5c` header is never looked at.
 *
 * - Fetched once, then refreshed in the background every REFRESH_AFTER_MS;
 *   requests never wait for a refresh while the cached keys are usable.
 * - While the key URL is down, the cached keys keep working until they are
 *   `maxKeyAgeSeconds` old; after that (or with no keys yet) → keys-unavailable.
 * - A token naming a kid the cache does not have triggers one refetch
 *   (single-flight). A kid the refetch did not have is refused without a
 *   fetch for a while, and fetches for new kids share a budget (UnknownKids):
 *   a flood of random kids costs the key URL a few requests per 30 s, and
 *   neither locks out a key the provider publishes meanwhile nor is answered
 *   "unknown key" once the budget is spent (keys-unavailable, try again).
 * - A failed fetch is retried at most once per FAILED_FETCH_RETRY_MS.
 */
export const REFRESH_AFTER_MS = 10 * 60_000;
export const FAILED_FETCH_RETRY_MS = 5_000;
/** ALB key ids are UUIDs; anything else never reaches the URL it would be appended to. */
export const ALB_KID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,126}[A-Za-z0-9])?$/;
const MAX_PEM_KEYS = 64;

export type KeyGetter = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike | Uint8Array>;

export interface KeyStore {
  keyFor: KeyGetter;
  /** For "Check this connection": where the keys come from and how old they are. */
  describe(): { source: string; keys: number; fetchedAt: string | null; lastError: string | null };
}

/** The kids a store has, for diagnostics. */
const keyCount = (jwks: JSONWebKeySet | null): number => jwks?.keys.length ?? 0;

export function parseJwks(text: string, url: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeysUnavailable(`the key URL ${url} did not answer with JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new KeysUnavailable(`the key URL ${url} did not answer with a JWKS ({ "keys": [ … ] })`);
  }
  const jwks = parsed as JSONWebKeySet;
  // Public keys only: a JWKS that carries private or symmetric key material is not a provider's key set.
  jwks.keys = jwks.keys.filter((jwk) => jwk && typeof jwk === 'object' && !('d' in jwk) && jwk.kty !== 'oct');
  return jwks;
}

/** OIDC discovery: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`, whose `issuer` must be this one. */
export async function discoverJwksUrl(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    document = JSON.parse(await fetchKeyDocument(url));
  } catch (error) {
    if (error instanceof KeysUnavailable) throw error;
    throw new KeysUnavailable(`the discovery document ${url} is not JSON`);
  }
  if (document.issuer !== issuer) {
    throw new KeysUnavailable(`the discovery document ${url} names the issuer ${JSON.stringify(document.issuer)}, not "${issuer}"`);
  }
  const jwksUri = document.jwks_uri;
  const problem = typeof jwksUri === 'string' ? keyUrlProblem(jwksUri) : 'is missing';
  if (problem) throw new KeysUnavailable(`the discovery document ${url}: jwks_uri ${problem}`);
  return jwksUri as string;
}

/** A JWKS at a URL, or found through OIDC discovery. */
class RemoteJwksStore implements KeyStore {
  private jwks: JSONWebKeySet | null = null;
  private local: ReturnType<typeof createLocalJWKSet> | null = null;
  private fetchedAt = -Infinity;
  private failedAt = -Infinity;
  private readonly unknown: UnknownKids;
  private inflight: Promise<void> | null = null;
  private lastError: string | null = null;
  private jwksUrl: string | null;

  constructor(
    private readonly source: Extract<KeySource, { kind: 'jwks' | 'discovery' }>,
    private readonly maxAgeMs: number,
    private readonly now: Clock,
  ) {
    this.jwksUrl = source.kind === 'jwks' ? source.url : null;
    this.unknown = new UnknownKids(now);
  }

  describe() {
    return {
      source: this.jwksUrl ?? `${this.source.kind === 'discovery' ? this.source.issuer : ''}/.well-known/openid-configuration`,
      keys: keyCount(this.jwks),
      fetchedAt: Number.isFinite(this.fetchedAt) ? new Date(this.fetchedAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  private async discover(): Promise<string> {
    this.jwksUrl ??= await discoverJwksUrl((this.source as { issuer: string }).issuer);
    return this.jwksUrl;
  }

  /** One fetch at a time; a failure keeps the previous keys. */
  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        const url = await this.discover();
        const jwks = parseJwks(await fetchKeyDocument(url), url);
        this.local = createLocalJWKSet(jwks);
        this.jwks = jwks;
        this.fetchedAt = this.now();
        this.lastError = null;
      } catch (error) {
        this.failedAt = this.now();
        this.lastError = (error as Error).message;
        throw error instanceof KeysUnavailable ? error : new KeysUnavailable((error as Error).message);
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }

  private async usable(): Promise<ReturnType<typeof createLocalJWKSet>> {
    const now = this.now();
    const age = now - this.fetchedAt;
    const mayRetry = now - this.failedAt >= FAILED_FETCH_RETRY_MS;
    if (this.local !== null && age <= this.maxAgeMs) {
      if (age > REFRESH_AFTER_MS && mayRetry && this.inflight === null) this.refresh().catch(() => undefined);
      return this.local;
    }
    if (!mayRetry && this.inflight === null) {
      throw new KeysUnavailable(`${this.local ? 'the cached keys are too old and ' : ''}the key source failed moments ago: ${this.lastError}`);
    }
    try {
      await this.refresh();
    } catch (error) {
      const stale = this.local ? ` (the cached keys are older than maxKeyAgeSeconds, ${this.maxAgeMs / 1000} s)` : '';
      throw new KeysUnavailable(`${(error as Error).message}${stale}`);
    }
    return this.local as ReturnType<typeof createLocalJWKSet>;
  }

  keyFor: KeyGetter = async (header, token) => {
    const local = await this.usable();
    try {
      return await local(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const kid = String(header.kid ?? '');
      if (this.unknown.recentlyMissed(kid)) throw error;
      if (this.now() - this.failedAt < FAILED_FETCH_RETRY_MS) throw new KeysUnavailable(`the key source failed moments ago: ${this.lastError}`);
      // One refetch for a kid we do not know: the provider may have rotated its keys. Requests
      // arriving while it runs share it (and the budget pays for it once).
      if (this.inflight === null) this.unknown.spend();
      await this.refresh();
      try {
        return await (this.local as ReturnType<typeof createLocalJWKSet>)(header, token);
      } catch (again) {
        if (again instanceof errors.JWKSNoMatchingKey) this.unknown.miss(kid);
        throw again;
      }
    }
  };
}

/** AWS ALB: one PEM public key per kid at <base URL><kid>. */
class PemPerKidStore implements KeyStore {
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

  keyFor: KeyGetter = async (header) => {
    const kid = header.kid;
    if (typeof kid !== 'string' || !ALB_KID.test(kid)) {
      throw malformed(`the ALB assertion's key id (kid) ${JSON.stringify(kid)?.slice(0, 80)} is not a key id ALB issues (letters, digits and dashes)`);
    }
    const cached = this.keys.get(kid);
    if (cached) return cached;
    const pending = this.inflight.get(kid);
    if (pending) return pending;
    if (this.unknown.recentlyMissed(kid)) throw new errors.JWKSNoMatchingKey();
    this.unknown.spend();
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

/** The static keys of the settings (a JWKS, as object or JSON text, or PEM public keys) as a JWKS. */
export function staticJwks(keys: string | Record<string, unknown>): JSONWebKeySet {
  if (typeof keys === 'string' && keys.startsWith('-----BEGIN')) {
    const blocks = keys.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    return { keys: blocks.map((block) => createPublicKey(block).export({ format: 'jwk' }) as JSONWebKeySet['keys'][number]) };
  }
  return (typeof keys === 'string' ? JSON.parse(keys) : keys) as JSONWebKeySet;
}

/** Keys given in the settings (air-gapped set-ups): a JWKS, or PEM public keys. */
class StaticStore implements KeyStore {
  private readonly local: ReturnType<typeof createLocalJWKSet>;
  private readonly count: number;

  constructor(keys: string | Record<string, unknown>) {
    const jwks = staticJwks(keys);
    this.local = createLocalJWKSet(jwks);
    this.count = jwks.keys.length;
  }

  describe() {
    return { source: 'static keys in the settings', keys: this.count, fetchedAt: null, lastError: null };
  }

  keyFor: KeyGetter = (header, token) => this.local(header, token);
}

class NoKeys implements KeyStore {
  describe() {
    return { source: 'none (HMAC secret only)', keys: 0, fetchedAt: null, lastError: null };
  }

  keyFor: KeyGetter = async () => {
    throw new errors.JWKSNoMatchingKey();
  };
}

export function createKeyStore(source: KeySource, maxKeyAgeSeconds: number, now: Clock = Date.now): KeyStore {
  switch (source.kind) {
    case 'jwks':
    case 'discovery':
      return new RemoteJwksStore(source, maxKeyAgeSeconds * 1000, now);
    case 'pem-per-kid':
      return new PemPerKidStore(source.baseUrl, now);
    case 'static':
      return new StaticStore(source.keys);
    case 'none':
      return new NoKeys();
  }
}
