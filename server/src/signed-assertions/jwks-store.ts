import { createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { KeysUnavailable } from './assertion-refusals';
import { fetchKeyDocument } from './fetch-limited';
import { keyUrlProblem } from './key-url';
import { FAILED_FETCH_RETRY_MS, REFRESH_AFTER_MS, type KeyGetter, type KeyStore } from './key-store-contract';
import type { KeySource } from './signed-rules';
import { UnknownKids, type Clock } from './unknown-kids';

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
export class RemoteJwksStore implements KeyStore {
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

  keyFor: KeyGetter = async (header, token, requester) => {
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
      if (this.inflight === null) this.unknown.spend(requester);
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
