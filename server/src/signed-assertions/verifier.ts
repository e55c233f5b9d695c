import type { Claim, ClaimRules, NormalizeIdentity } from '../pipeline/claim';
import { claimFromAssertion } from './assertion-claim';
import { createKeyStore, type KeyRequester, type KeyStore } from './key-store';
import { networkOf } from '../pipeline/peer-network';
import { ProvenPeers } from './proven-peers';
import type { SignedAssertionRules } from './signed-rules';
import { verifyAssertion } from './verify-assertion';

/** Verified tokens kept (by their exact text) so strict mode does not verify the same token on every request. */
export const VERIFIED_CACHE_SIZE = 2_000;
/** A verified token is re-verified at least this often, even when it lives longer (keys may have been withdrawn). */
export const VERIFIED_CACHE_MS = 5 * 60_000;

export { MAX_PROVEN_PEERS, PROVEN_PEER_MS, PROVEN_PEERS_PER_SUBJECT } from './proven-peers';

/** Who sent a token, as the request says (never the token): passed into the key lookup. */
export interface TokenSender {
  /** The TCP peer's address. */
  readonly peer: string | null | undefined;
  /** The peer passed the trustedProxies check (a listed proxy). */
  readonly listed: boolean;
  /** "Check this connection": cached keys only, a kid not cached is not fetched (no budget spent). */
  readonly cachedKeysOnly?: boolean;
}

/** "Check this connection" verifies with cached keys only: it never spends the fetch budget of sign-ins (F6). */
const INSPECTION: KeyRequester = { network: '', reserved: false, cachedOnly: true };

interface Verified {
  readonly claim: Claim;
  readonly until: number;
  /** Who the token is about (subjectOf): the proofs of peers are counted per subject. */
  readonly subject: string;
}

/** The verified token's subject: its issuer and `sub` (or, without one, its email): what bounds how many addresses one token proves. */
function subjectOf(payload: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  return `${text(payload.iss)}\n${text(payload.sub) || text(payload.email)}`;
}

/**
 * One per Strapi instance: key stores (by key source, so a settings reload
 * keeps the cached keys) and a bounded LRU of verified tokens (by settings
 * fingerprint + token, until the token's exp). Pure: no Strapi imports.
 */
export function createAssertionVerifier(now: () => number = Date.now) {
  const stores = new Map<string, KeyStore>();
  const verified = new Map<string, Verified>();
  /** Peer addresses whose tokens verified recently, at most PROVEN_PEERS_PER_SUBJECT per subject. */
  const proven = new ProvenPeers(now);

  /** The key lookup's requester: the sender's network, and whether it has an allowance of its own (listed proxies always). */
  function requesterOf(sender: TokenSender): KeyRequester {
    return {
      network: networkOf(sender.peer),
      reserved: sender.listed || proven.isProven(sender.peer),
      listed: sender.listed,
      cachedOnly: sender.cachedKeysOnly === true,
    };
  }

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

  /** The claim a token stands for; throws the precise Refusal. `sender` is the request's peer (see KeyRequester). */
  async function claimOf(token: string, rules: SignedAssertionRules, claimRules: ClaimRules, sender: TokenSender, normalize?: NormalizeIdentity): Promise<Claim> {
    const cacheKey = `${rules.fingerprint}\n${token}`;
    const now = Date.now();
    const hit = verified.get(cacheKey);
    if (hit && now < hit.until) {
      verified.delete(cacheKey);
      verified.set(cacheKey, hit);
      proven.prove(sender.peer, hit.subject);
      return hit.claim;
    }
    if (hit) verified.delete(cacheKey);
    const { payload } = await verifyAssertion(token, rules, keysFor(rules), requesterOf(sender));
    const subject = subjectOf(payload);
    proven.prove(sender.peer, subject);
    const claim = claimFromAssertion(payload, rules, claimRules, normalize);
    // A normalizeIdentity hook may depend on more than the token: only cache without one.
    if (!normalize) {
      const until = Math.min((payload.exp as number) * 1000, Date.now() + VERIFIED_CACHE_MS);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
      verified.set(cacheKey, { claim, until, subject });
    }
    return claim;
  }

  /** Verifies without the verified-token cache and returns what the token says ("Check this connection"): cached keys only, no budget spent. */
  const inspect = (token: string, rules: SignedAssertionRules) => verifyAssertion(token, rules, keysFor(rules), INSPECTION);

  return {
    claimOf,
    inspect,
    /** Where the keys come from and how old they are ("Check this connection"). */
    describeKeys: (rules: SignedAssertionRules) => keysFor(rules).describe(),
  };
}

export type AssertionVerifier = ReturnType<typeof createAssertionVerifier>;
