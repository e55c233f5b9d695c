import { RemoteJwksStore } from './jwks-store';
import type { KeyStore } from './key-store-contract';
import { PemPerKidStore } from './pem-per-kid-store';
import type { KeySource } from './signed-rules';
import { NoKeys, StaticStore } from './static-key-stores';
import type { Clock } from './unknown-kids';

export { ALB_KID, FAILED_FETCH_RETRY_MS, MAX_PEM_KEYS, REFRESH_AFTER_MS, type KeyGetter, type KeyStore } from './key-store-contract';
export { discoverJwksUrl, parseJwks } from './jwks-store';
export { staticJwks } from './static-key-stores';
export { MAX_NEW_KID_FETCHES, MAX_RESERVED_NETWORKS, RESERVED_KID_FETCHES_PER_NETWORK, UNKNOWN_KID_COOLDOWN_MS, UNKNOWN_KID_FETCHES, UNKNOWN_KID_FETCHES_PER_NETWORK } from './unknown-kids';
export type { Clock, KeyRequester } from './unknown-kids';

/** The key store for a key source: a JWKS URL or OIDC discovery, AWS ALB's PEM per kid, static keys, or none. */
export function createKeyStore(source: KeySource, maxKeyAgeSeconds: number, now: Clock = Date.now): KeyStore {
  switch (source.kind) {
    case 'jwks':
    case 'discovery':
      return new RemoteJwksStore(source, maxKeyAgeSeconds * 1000, now);
    case 'pem-per-kid':
      return new PemPerKidStore(source.baseUrl, maxKeyAgeSeconds * 1000, now);
    case 'static':
      return new StaticStore(source.keys);
    case 'none':
      return new NoKeys();
  }
}
