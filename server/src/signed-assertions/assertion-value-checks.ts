import { createPublicKey } from 'node:crypto';
import { describeValue } from '../pipeline/describe-value';
import { CLAIM_KEYS, type AssertionSettings } from './assertion-option';
import { keyUrlProblem } from './key-url';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, PRESET_DEFAULTS } from './presets';

const CLAIM_NAME = /^[\x21-\x7e]{1,200}$/;
const AUDIENCE = /^[\x21-\x7e]{1,512}$/;

/** Throws a TypeError completing the sentence "assertion …". */
export function fail(message: string): never {
  throw new TypeError(message);
}

export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(`.${key} must be a string, got ${describeValue(value)}`);
  return value.trim();
}

export function optionalInteger(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`.${key} must be a whole number from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

export function checkUrl(key: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = keyUrlProblem(value);
  if (problem) fail(`.${key} ${problem}`);
}

/** Static keys: a JWKS (object or JSON text) or one or more PEM public keys, checked with Node's own parser. */
export function checkStaticKeys(keys: unknown): string | Record<string, unknown> | undefined {
  if (keys === undefined || keys === null || keys === '') return undefined;
  let jwks: unknown = keys;
  if (typeof keys === 'string') {
    const text = keys.trim();
    if (text.startsWith('-----BEGIN')) {
      const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
      if (blocks.length === 0) fail('.keys is not a PEM public key');
      for (const block of blocks) {
        if (/PRIVATE KEY/.test(block)) fail('.keys contains a PRIVATE key: give the public key only (never put private keys in settings)');
        try {
          createPublicKey(block);
        } catch (error) {
          fail(`.keys contains a PEM block Node cannot read as a public key: ${(error as Error).message}`);
        }
      }
      return text;
    }
    try {
      jwks = JSON.parse(text);
    } catch {
      fail('.keys must be a JWKS ({ "keys": [ … ] }, as an object or JSON text) or PEM public keys');
    }
  }
  if (jwks === null || typeof jwks !== 'object' || Array.isArray(jwks) || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    fail('.keys must be a JWKS: an object with a "keys" list');
  }
  const list = (jwks as { keys: unknown[] }).keys;
  if (list.length === 0) fail('.keys lists no key');
  for (const jwk of list) {
    if (jwk === null || typeof jwk !== 'object') fail('.keys has an entry that is not a JWK object');
    if ('d' in (jwk as object) || 'k' in (jwk as object)) fail('.keys contains a private or symmetric key: give public keys only');
    try {
      createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch (error) {
      fail(`.keys has a JWK Node cannot read as a public key: ${(error as Error).message}`);
    }
  }
  return typeof keys === 'string' ? keys.trim() : (jwks as Record<string, unknown>);
}

export function checkAudience(value: unknown): string | string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string' || !AUDIENCE.test(item))) {
    fail(`.audience must be a string or a non-empty list of strings without spaces, got ${describeValue(value)}`);
  }
  return typeof value === 'string' ? value : [...(list as string[])];
}

export function checkAlgorithms(value: unknown, hmacSecret: string | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((item) => typeof item !== 'string')) {
    fail(`.algorithms must be a non-empty list like ["RS256"], got ${describeValue(value)}`);
  }
  for (const alg of value as string[]) {
    if (alg.toLowerCase() === 'none') fail('.algorithms must never include "none": an unsigned token proves nothing');
    if ((HMAC_ALGORITHMS as readonly string[]).includes(alg)) {
      if (!hmacSecret) fail(`.algorithms lists ${alg}, which needs .hmacSecret (a shared secret); asymmetric algorithms such as RS256/ES256 need none`);
      continue;
    }
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      fail(`.algorithms has "${alg}"; use ${[...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS].join(', ')}`);
    }
  }
  return [...(value as string[])];
}

export function checkClaims(value: unknown): AssertionSettings['claims'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(`.claims must be an object like { "identity": "email" }, got ${describeValue(value)}`);
  const claims: Record<string, string> = {};
  for (const [key, name] of Object.entries(value as Record<string, unknown>)) {
    if (!(CLAIM_KEYS as readonly string[]).includes(key)) fail(`.claims has unknown key "${key}" (expected ${CLAIM_KEYS.join(', ')})`);
    if (name === undefined || name === null || name === '') continue;
    if (typeof name !== 'string' || !CLAIM_NAME.test(name)) fail(`.claims.${key} must be a claim name like "email", got ${describeValue(name)}`);
    claims[key] = name;
  }
  return claims;
}

/**
 * The identity from the claim "email" needs the address from that claim too. With the address
 * from another claim ("upn", "preferred_username"), the claim "email" would be taken as an opaque
 * id ("<iss> <email>") that no email_verified check guards — that check is for an identity that is
 * the e-mail claim itself — and the account's address would come from a claim nobody verifies (T29).
 */
export function checkIdentityClaim(a: AssertionSettings): void {
  const defaults = PRESET_DEFAULTS[a.preset].claims;
  const identity = a.claims?.identity ?? defaults.identity;
  const email = a.claims?.email ?? defaults.email;
  if (identity !== 'email' || email === 'email') return;
  fail(
    `.claims.identity "email" needs .claims.email "email" (or .claims.email left out), not "${email}": the identity would be an address ` +
      `whose email_verified is never checked, and the account's address would come from "${email}", which nobody verifies; ` +
      `to take the address from "${email}", set .claims.identity to "sub"`,
  );
}
