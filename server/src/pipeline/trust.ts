import { readSingleValue, type HeaderSource } from './identity-header';
import { Refusal } from './refusal';
import { secretMatches } from './shared-secret';
import { isTrustedPeer, type TrustedProxies } from './trusted-proxies';

export interface SharedSecret {
  /** Lower-case header name the proxy sends the secret in. */
  readonly header: string;
  readonly value: string;
}

export interface TrustRules {
  readonly proxies: TrustedProxies;
  readonly secret: SharedSecret | null;
}

export type SecretState = 'not-configured' | 'missing' | 'mismatch' | 'matched';

/** What the request proves with the shared secret: exactly one copy, compared in constant time. */
export function secretState(source: HeaderSource, secret: SharedSecret | null): SecretState {
  if (secret === null) return 'not-configured';
  const presented = readSingleValue(source, secret.header);
  if (presented === null) return 'missing';
  return secretMatches(secret.value, presented) ? 'matched' : 'mismatch';
}

/**
 * Is the socket peer a trusted proxy, and does it prove it? Throws a Refusal
 * otherwise. `remoteAddress` must be the socket's address (T1, T2).
 */
export function assertTrustedProxy(source: HeaderSource, remoteAddress: string | undefined, rules: TrustRules): void {
  if (!isTrustedPeer(rules.proxies, remoteAddress)) {
    throw new Refusal(
      'untrusted-peer',
      `identity header sent by ${remoteAddress ?? 'an unknown peer'}, which is not in trustedProxies ` +
        `(${rules.proxies.entries.join(', ')}); a client may be talking to Strapi directly`,
      'Single sign-on is only accepted through the organisation’s proxy.',
    );
  }
  assertSharedSecret(source, rules.secret);
}

/** The shared-secret half of the trust check, on its own (a signed assertion with trustedProxies: []). */
export function assertSharedSecret(source: HeaderSource, configured: SharedSecret | null): void {
  const rules = { secret: configured };
  const secret = secretState(source, configured);
  if (secret === 'missing') {
    throw new Refusal(
      'secret-missing',
      `the proxy did not send the shared-secret header "${rules.secret?.header}" (or sent it more than once)`,
      'Single sign-on is only accepted through the organisation’s proxy.',
    );
  }
  if (secret === 'mismatch') {
    throw new Refusal(
      'secret-mismatch',
      `the shared-secret header "${rules.secret?.header}" does not match the configured value`,
      'Single sign-on is only accepted through the organisation’s proxy.',
    );
  }
}
