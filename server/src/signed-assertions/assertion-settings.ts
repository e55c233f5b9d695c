import { canonicalHeaderName } from '../pipeline/header-name';
import { describeValue } from '../pipeline/describe-value';
import type { AssertionSettings } from './assertion-option';
import { checkPreset } from './assertion-preset-check';
import { checkAlgorithms, checkAudience, checkClaims, checkIdentityClaim, checkStaticKeys, checkUrl, fail, optionalInteger, optionalString } from './assertion-value-checks';
import { HMAC_ALGORITHMS, PRESETS, PRESET_DEFAULTS, type Preset } from './presets';

export type { AssertionSettings } from './assertion-option';

const KEYS = [
  'preset', 'header', 'team', 'audience', 'projectNumber', 'backendServiceId', 'appId', 'region', 'albArn', 'clientId', 'routeDomain',
  'issuer', 'jwksUrl', 'keys', 'algorithms', 'hmacSecret', 'clockToleranceSeconds', 'claims', 'groupsSeparator', 'maxKeyAgeSeconds',
] as const;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
export const DEFAULT_MAX_KEY_AGE_SECONDS = 24 * 60 * 60;
export const MIN_HMAC_SECRET_LENGTH = 32;

/**
 * Validates the `assertion` option. Returns null (no signed assertion: the
 * plain identity header is used) or the cleaned object; throws a TypeError
 * whose message completes "assertion …" and tells the operator what to set.
 */
export function checkAssertionSettings(raw: unknown): AssertionSettings | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(`must be null or an object like { "preset": "cloudflare-access", … }, got ${describeValue(raw)}`);
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const hint = KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
      fail(`has unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  const preset = input.preset;
  if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset)) {
    fail(`.preset must be one of ${PRESETS.map((p) => `"${p}"`).join(', ')}, got ${describeValue(preset)}`);
  }
  const result: AssertionSettings = { preset: preset as Preset };
  const defaults = PRESET_DEFAULTS[result.preset];

  const header = optionalString(input, 'header');
  if (header !== undefined) {
    try {
      canonicalHeaderName(header);
    } catch (error) {
      fail(`.header ${(error as Error).message}`);
    }
    result.header = header;
  } else if (defaults.header === null) {
    fail(`.header is required with the "${preset}" preset: name the header your gateway sends the JWT in (e.g. "X-Auth-Request-Id-Token")`);
  }

  const strings = ['team', 'projectNumber', 'backendServiceId', 'appId', 'region', 'albArn', 'clientId', 'routeDomain', 'issuer', 'jwksUrl', 'hmacSecret', 'groupsSeparator'] as const;
  for (const key of strings) {
    const value = optionalString(input, key);
    if (value !== undefined) result[key] = value;
  }
  const audience = checkAudience(input.audience);
  if (audience !== undefined) result.audience = audience;
  const keys = checkStaticKeys(input.keys);
  if (keys !== undefined) result.keys = keys;
  const algorithms = checkAlgorithms(input.algorithms, result.hmacSecret);
  if (algorithms !== undefined) result.algorithms = algorithms;
  const tolerance = optionalInteger(input, 'clockToleranceSeconds', 0, 600);
  if (tolerance !== undefined) result.clockToleranceSeconds = tolerance;
  const maxKeyAge = optionalInteger(input, 'maxKeyAgeSeconds', 60, 30 * 24 * 60 * 60);
  if (maxKeyAge !== undefined) result.maxKeyAgeSeconds = maxKeyAge;
  const claims = checkClaims(input.claims);
  if (claims !== undefined) result.claims = claims;

  if (result.hmacSecret !== undefined) {
    if (result.hmacSecret.length < MIN_HMAC_SECRET_LENGTH) fail(`.hmacSecret must be at least ${MIN_HMAC_SECRET_LENGTH} characters (use a long random value)`);
    if (!result.algorithms?.some((alg) => (HMAC_ALGORITHMS as readonly string[]).includes(alg))) {
      fail('.hmacSecret is set but .algorithms lists no HS256/HS384/HS512: list the HMAC algorithm your gateway signs with');
    }
  }
  if (result.groupsSeparator !== undefined && !/^[!-/:-@[-`{-~]{1,3}$/.test(result.groupsSeparator)) {
    fail('.groupsSeparator must be 1-3 ASCII punctuation characters, e.g. "," or ";" or "|"');
  }
  checkUrl('issuer', result.preset === 'pomerium' ? undefined : result.issuer);
  checkUrl('jwksUrl', result.jwksUrl);
  checkPreset(result);
  checkIdentityClaim(result);
  return result;
}
