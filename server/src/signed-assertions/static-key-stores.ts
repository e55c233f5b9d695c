import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import type { KeyGetter, KeyStore } from './key-store-contract';

/** The static keys of the settings (a JWKS, as object or JSON text, or PEM public keys) as a JWKS. */
export function staticJwks(keys: string | Record<string, unknown>): JSONWebKeySet {
  if (typeof keys === 'string' && keys.startsWith('-----BEGIN')) {
    const blocks = keys.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    return { keys: blocks.map((block) => createPublicKey(block).export({ format: 'jwk' }) as JSONWebKeySet['keys'][number]) };
  }
  return (typeof keys === 'string' ? JSON.parse(keys) : keys) as JSONWebKeySet;
}

/** Keys given in the settings (air-gapped set-ups): a JWKS, or PEM public keys. */
export class StaticStore implements KeyStore {
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

export class NoKeys implements KeyStore {
  describe() {
    return { source: 'none (HMAC secret only)', keys: 0, fetchedAt: null, lastError: null };
  }

  keyFor: KeyGetter = async () => {
    throw new errors.JWKSNoMatchingKey();
  };
}
