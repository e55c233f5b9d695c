import type { FlattenedJWSInput, JWSHeaderParameters, KeyLike } from 'jose';
import type { KeyRequester } from './unknown-kids';

/**
 * Verification keys, cached. Keys come only from the configured source: a
 * token's `jku`, `x5u`, `jwk` or `x5c` header is never looked at.
 *
 * - Fetched once, then refreshed in the background every REFRESH_AFTER_MS;
 *   requests never wait for a refresh while the cached keys are usable. A
 *   refresh that no longer has a key drops it (AWS ALB: per kid, when a token
 *   names it; a 404/403 drops that kid's key).
 * - While the key URL is down, the cached keys keep working until they are
 *   `maxKeyAgeSeconds` old; after that (or with no keys yet) → keys-unavailable.
 * - A token naming a kid the cache does not have triggers one refetch
 *   (single-flight). A kid the refetch did not have is refused without a
 *   fetch for a while, and fetches for new kids are budgeted per peer network
 *   under a shared ceiling, with a reserve for listed proxies and peers whose
 *   tokens verified recently (UnknownKids; the requester is passed from the request):
 *   a flood of random kids costs the key URL a few requests per 30 s, and
 *   neither locks out a key the provider publishes meanwhile nor is answered
 *   "unknown key" once the budget is spent (keys-unavailable, try again).
 * - A failed fetch is retried at most once per FAILED_FETCH_RETRY_MS.
 */
export const REFRESH_AFTER_MS = 10 * 60_000;
export const FAILED_FETCH_RETRY_MS = 5_000;
/** ALB key ids are UUIDs; anything else never reaches the URL it would be appended to. */
export const ALB_KID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,126}[A-Za-z0-9])?$/;
/** PEM keys an ALB key store keeps at most (oldest first out). */
export const MAX_PEM_KEYS = 64;


/** The key for a token's header, for the peer that sent it (`requester`: whose fetch budget a kid not cached draws on). */
export type KeyGetter = (header: JWSHeaderParameters, token: FlattenedJWSInput, requester: KeyRequester) => Promise<KeyLike | Uint8Array>;

export interface KeyStore {
  keyFor: KeyGetter;
  /** For "Check this connection": where the keys come from and how old they are. */
  describe(): { source: string; keys: number; fetchedAt: string | null; lastError: string | null };
}
