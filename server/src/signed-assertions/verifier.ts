import type { Claim, ClaimRules, NormalizeIdentity } from '../pipeline/claim';
import { claimFromAssertion } from './assertion-claim';
import { createKeyStore, type KeyStore } from './key-store';
import type { SignedAssertionRules } from './signed-rules';
import { verifyAssertion } from './verify-assertion';

/** Verified tokens kept (by their exact text) so strict mode does not verify the same token on every request. */
export const VERIFIED_CACHE_SIZE = 2_000;
/** A verified token is re-verified at least this often, even when it lives longer (keys may have been withdrawn). */
export const VERIFIED_CACHE_MS = 5 * 60_000;

interface Verified {
  readonly claim: Claim;
  readonly until: number;
}

/**
 * One per Strapi instance: key stores (by key source, so a settings reload
 * keeps the cached keys) and a bounded LRU of verified tokens (by settings
 * fingerprint + token, until the token's exp). Pure: no Strapi imports.
 */
export function createAssertionVerifier() {
  const stores = new Map<string, KeyStore>();
  const verified = new Map<string, Verified>();

  function keysFor(rules: SignedAssertionRules): KeyStore {
    const key = JSON.stringify([rules.keySource, rules.maxKeyAgeSeconds]);
    let store = stores.get(key);
    if (!store) {
      if (stores.size > 16) stores.clear();
      store = createKeyStore(rules.keySource, rules.maxKeyAgeSeconds);
      stores.set(key, store);
    }
    return store;
  }

  /** The claim a token stands for; throws the precise Refusal. */
  async function claimOf(token: string, rules: SignedAssertionRules, claimRules: ClaimRules, normalize?: NormalizeIdentity): Promise<Claim> {
    const cacheKey = `${rules.fingerprint}\n${token}`;
    const now = Date.now();
    const hit = verified.get(cacheKey);
    if (hit && now < hit.until) {
      verified.delete(cacheKey);
      verified.set(cacheKey, hit);
      return hit.claim;
    }
    if (hit) verified.delete(cacheKey);
    const { payload } = await verifyAssertion(token, rules, keysFor(rules));
    const claim = claimFromAssertion(payload, rules, claimRules, normalize);
    // A normalizeIdentity hook may depend on more than the token: only cache without one.
    if (!normalize) {
      const until = Math.min((payload.exp as number) * 1000, Date.now() + VERIFIED_CACHE_MS);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
      verified.set(cacheKey, { claim, until });
    }
    return claim;
  }

  /** Verifies without the cache and returns what the token says ("Check this connection"). */
  const inspect = (token: string, rules: SignedAssertionRules) => verifyAssertion(token, rules, keysFor(rules));

  return {
    claimOf,
    inspect,
    /** Where the keys come from and how old they are ("Check this connection"). */
    describeKeys: (rules: SignedAssertionRules) => keysFor(rules).describe(),
  };
}

export type AssertionVerifier = ReturnType<typeof createAssertionVerifier>;
