import { createPublicKey } from 'node:crypto';
import { canonicalHeaderName } from '../pipeline/header-name';
import { isDomainName } from '../pipeline/claim';
import { keyUrlProblem } from './key-url';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, PRESETS, PRESET_DEFAULTS, type Preset } from './presets';

/**
 * The `assertion` option as the operator writes it (config/plugins or the
 * settings page): the preset and the few values naming their deployment.
 * Stored as written, minus unknown keys; `compileSignedRules` fills in the
 * preset's defaults.
 */
export interface AssertionSettings {
  preset: Preset;
  header?: string;
  team?: string;
  audience?: string | string[];
  projectNumber?: string;
  backendServiceId?: string;
  appId?: string;
  region?: string;
  albArn?: string;
  /** aws-alb: the OIDC client id of the listener rule; the JWT header's `client` must equal it. */
  clientId?: string;
  routeDomain?: string;
  issuer?: string;
  jwksUrl?: string;
  keys?: string | Record<string, unknown>;
  algorithms?: string[];
  hmacSecret?: string;
  clockToleranceSeconds?: number;
  claims?: { identity?: string; email?: string; firstName?: string; lastName?: string; groups?: string };
  groupsSeparator?: string;
  maxKeyAgeSeconds?: number;
}

const KEYS = [
  'preset', 'header', 'team', 'audience', 'projectNumber', 'backendServiceId', 'appId', 'region', 'albArn', 'clientId', 'routeDomain',
  'issuer', 'jwksUrl', 'keys', 'algorithms', 'hmacSecret', 'clockToleranceSeconds', 'claims', 'groupsSeparator', 'maxKeyAgeSeconds',
] as const;
const CLAIM_KEYS = ['identity', 'email', 'firstName', 'lastName', 'groups'] as const;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
export const DEFAULT_MAX_KEY_AGE_SECONDS = 24 * 60 * 60;
export const MIN_HMAC_SECRET_LENGTH = 32;

const TEAM = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const TEAM_URL = /^https:\/\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.cloudflareaccess\.com\/?$/i;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ALB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const DIGITS = /^\d{1,20}$/;
const IAP_APP_ID = /^[a-z][a-z0-9-]{4,61}[a-z0-9]$/;
const CLAIM_NAME = /^[\x21-\x7e]{1,200}$/;
const AUDIENCE = /^[\x21-\x7e]{1,512}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,512}$/;

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `"${value}"` : typeof value;

/** Throws a TypeError completing the sentence "assertion …". */
function fail(message: string): never {
  throw new TypeError(message);
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(`.${key} must be a string, got ${describe(value)}`);
  return value.trim();
}

function optionalInteger(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`.${key} must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function checkUrl(key: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = keyUrlProblem(value);
  if (problem) fail(`.${key} ${problem}`);
}

/** Static keys: a JWKS (object or JSON text) or one or more PEM public keys, checked with Node's own parser. */
function checkStaticKeys(keys: unknown): string | Record<string, unknown> | undefined {
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

function checkAudience(value: unknown): string | string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string' || !AUDIENCE.test(item))) {
    fail(`.audience must be a string or a non-empty list of strings without spaces, got ${describe(value)}`);
  }
  return typeof value === 'string' ? value : [...(list as string[])];
}

function checkAlgorithms(value: unknown, hmacSecret: string | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((item) => typeof item !== 'string')) {
    fail(`.algorithms must be a non-empty list like ["RS256"], got ${describe(value)}`);
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

function checkClaims(value: unknown): AssertionSettings['claims'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(`.claims must be an object like { "identity": "email" }, got ${describe(value)}`);
  const claims: Record<string, string> = {};
  for (const [key, name] of Object.entries(value as Record<string, unknown>)) {
    if (!(CLAIM_KEYS as readonly string[]).includes(key)) fail(`.claims has unknown key "${key}" (expected ${CLAIM_KEYS.join(', ')})`);
    if (name === undefined || name === null || name === '') continue;
    if (typeof name !== 'string' || !CLAIM_NAME.test(name)) fail(`.claims.${key} must be a claim name like "email", got ${describe(name)}`);
    claims[key] = name;
  }
  return claims;
}

/**
 * Validates the `assertion` option. Returns null (no signed assertion: the
 * plain identity header is used) or the cleaned object; throws a TypeError
 * whose message completes "assertion …" and tells the operator what to set.
 */
export function checkAssertionSettings(raw: unknown): AssertionSettings | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(`must be null or an object like { "preset": "cloudflare-access", … }, got ${describe(raw)}`);
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const hint = KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
      fail(`has unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  const preset = input.preset;
  if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset)) {
    fail(`.preset must be one of ${PRESETS.map((p) => `"${p}"`).join(', ')}, got ${describe(preset)}`);
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
  return result;
}

/** The values each preset needs, and which combinations make no sense. */
function checkPreset(a: AssertionSettings): void {
  const required = (key: keyof AssertionSettings, hint: string): void => {
    if (a[key] === undefined) fail(`.${key} is required with the "${a.preset}" preset: ${hint}`);
  };
  const hasKeySource = a.jwksUrl !== undefined || a.keys !== undefined;
  switch (a.preset) {
    case 'cloudflare-access': {
      required('team', 'your Zero Trust team name, e.g. "acme" for https://acme.cloudflareaccess.com');
      if (!TEAM.test(a.team as string) && !TEAM_URL.test(a.team as string)) {
        fail(`.team must be your team name ("acme") or team URL ("https://acme.cloudflareaccess.com"), got "${a.team}"`);
      }
      required('audience', 'the Application Audience (AUD) tag from the Access application’s overview');
      break;
    }
    case 'google-iap': {
      required('projectNumber', 'the numeric project number (not the project id) from the Google Cloud console');
      if (!DIGITS.test(a.projectNumber as string)) fail(`.projectNumber must be the numeric project number, got "${a.projectNumber}"`);
      if ((a.backendServiceId === undefined) === (a.appId === undefined)) {
        fail('needs exactly one of .backendServiceId (IAP on a load balancer backend service) or .appId (IAP on App Engine: the project id)');
      }
      if (a.backendServiceId !== undefined && !DIGITS.test(a.backendServiceId)) fail(`.backendServiceId must be the numeric backend service id, got "${a.backendServiceId}"`);
      if (a.appId !== undefined && !IAP_APP_ID.test(a.appId)) fail(`.appId must be the App Engine project id, got "${a.appId}"`);
      if (a.audience !== undefined) fail('.audience is derived from .projectNumber and .backendServiceId/.appId with the "google-iap" preset; leave it out');
      break;
    }
    case 'aws-alb': {
      required('region', 'the AWS region of the load balancer, e.g. "eu-west-1"');
      if (!REGION.test(a.region as string)) fail(`.region must be an AWS region like "eu-west-1", got "${a.region}"`);
      required('albArn', 'the load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)');
      const arn = ALB_ARN.exec(a.albArn as string);
      if (!arn) fail(`.albArn must be an application load balancer ARN like "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188", got "${a.albArn}"`);
      if (arn[1] !== a.region) fail(`.albArn is in region "${arn[1]}" but .region is "${a.region}"`);
      required('issuer', 'the issuer of your identity provider, as configured on the ALB listener rule');
      if (a.clientId !== undefined && !CLIENT_ID.test(a.clientId)) {
        fail(`.clientId must be the listener rule's OIDC client id (printable ASCII, no spaces), got "${a.clientId}"`);
      }
      break;
    }
    case 'pomerium': {
      required('routeDomain', 'the domain of the Pomerium route in front of Strapi, e.g. "cms.example.com"');
      if (!isDomainName(a.routeDomain as string)) fail(`.routeDomain must be a domain name like "cms.example.com", got "${a.routeDomain}"`);
      if (a.issuer !== undefined || a.audience !== undefined) fail('.issuer and .audience are the route domain with the "pomerium" preset; leave them out');
      break;
    }
    case 'oidc': {
      required('issuer', 'the OpenID Provider’s issuer URL (its /.well-known/openid-configuration names the keys)');
      required('audience', 'the client id the ID token is issued to');
      break;
    }
    case 'custom': {
      required('issuer', 'the exact "iss" your gateway puts in its tokens');
      required('audience', 'the exact "aud" your gateway puts in its tokens');
      if (!hasKeySource && !a.hmacSecret) fail('needs a key source with the "custom" preset: .jwksUrl, or .keys (a JWKS or PEM public keys)');
      break;
    }
  }
  if (a.clientId !== undefined && a.preset !== 'aws-alb') {
    fail(`.clientId is for the "aws-alb" preset (the listener rule's client id); with "${a.preset}" the client id is .audience`);
  }
  if (a.jwksUrl !== undefined && a.keys !== undefined) fail('has both .jwksUrl and .keys: choose one key source');
}
