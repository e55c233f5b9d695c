import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of the secret a proxy presents with the configured
 * one. Both sides are first reduced to HMAC digests under a per-process random
 * key, so the comparison takes the same time whatever the lengths are and the
 * secret itself is never compared byte by byte.
 */
const key = randomBytes(32);
const digest = (value: string): Buffer => createHmac('sha256', key).update(value, 'utf8').digest();

export function secretMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}
