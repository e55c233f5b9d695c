import { createHash } from 'node:crypto';
import { canonicalHeaderName } from '../pipeline/header-name';
import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_MAX_KEY_AGE_SECONDS,
  type AssertionSettings,
} from './assertion-settings';
import {
  GOOGLE_IAP_ISSUER,
  GOOGLE_IAP_KEYS,
  PRESET_DEFAULTS,
  albKeyBase,
  cloudflareKeys,
  cloudflareTeamUrl,
  iapAudience,
  pomeriumKeys,
  type ClaimNames,
  type Preset,
} from './presets';

/** Where the verification keys come from. Never from the request. */
export type KeySource =
  | { readonly kind: 'jwks'; readonly url: string }
  | { readonly kind: 'pem-per-kid'; readonly baseUrl: string }
  | { readonly kind: 'discovery'; readonly issuer: string }
  | { readonly kind: 'static'; readonly keys: string | Record<string, unknown> }
  | { readonly kind: 'none' };

/** Everything verification needs, with the preset's defaults filled in. Pure data. */
export interface SignedAssertionRules {
  readonly preset: Preset;
  /** Lower-case header name, and the spelling to show the operator. */
  readonly header: string;
  readonly label: string;
  readonly issuer: string | readonly string[];
  /** null: no audience check (aws-alb, whose tokens carry none; the signer check binds them to one ALB). */
  readonly audience: readonly string[] | null;
  readonly algorithms: readonly string[];
  readonly hmacSecret: string | null;
  readonly clockToleranceSeconds: number;
  readonly claims: ClaimNames;
  readonly groupsSeparator: string;
  readonly keySource: KeySource;
  readonly maxKeyAgeSeconds: number;
  /** aws-alb: the JWT header's `signer` must equal this ARN. */
  readonly albSigner: string | null;
  /** aws-alb with `clientId`: the JWT header's `client` (the listener rule's OIDC client) must equal this. */
  readonly albClient: string | null;
  /** aws-alb sends base64url segments with `=` padding (and signs them so); no one else may. */
  readonly paddedSegments: boolean;
  /** Lower-case headers the proxy sends unsigned next to the JWT: never read, refused when alone. */
  readonly unsignedCompanions: readonly string[];
  /** Changes whenever anything above does: caches of verified tokens and keys are keyed by it. */
  readonly fingerprint: string;
}

const teamUrl = (team: string): string =>
  team.startsWith('https://') ? team.replace(/\/+$/, '').toLowerCase() : cloudflareTeamUrl(team.toLowerCase());

/**
 * ALB's key id is appended to the base URL as is: "https://keys.internal/alb" would fetch
 * ".../alb<kid>", a 404 for every key. A base without a query gets its missing "/"; one ending in a
 * query (".../key?kid=") is taken as written.
 */
export function perKidBase(url: string): string {
  return url.includes('?') || url.endsWith('/') ? url : `${url}/`;
}

function keySourceOf(a: AssertionSettings, issuer: string | readonly string[]): KeySource {
  if (a.keys !== undefined) return { kind: 'static', keys: a.keys };
  switch (a.preset) {
    case 'cloudflare-access':
      return { kind: 'jwks', url: a.jwksUrl ?? cloudflareKeys(issuer as string) };
    case 'google-iap':
      return { kind: 'jwks', url: a.jwksUrl ?? GOOGLE_IAP_KEYS };
    case 'aws-alb':
      return { kind: 'pem-per-kid', baseUrl: a.jwksUrl === undefined ? albKeyBase(a.region as string) : perKidBase(a.jwksUrl) };
    case 'pomerium':
      return { kind: 'jwks', url: a.jwksUrl ?? pomeriumKeys(a.routeDomain as string) };
    case 'oidc':
      return a.jwksUrl ? { kind: 'jwks', url: a.jwksUrl } : { kind: 'discovery', issuer: a.issuer as string };
    case 'custom':
      return a.jwksUrl ? { kind: 'jwks', url: a.jwksUrl } : { kind: 'none' };
  }
}

function issuerOf(a: AssertionSettings): string | readonly string[] {
  switch (a.preset) {
    case 'cloudflare-access':
      return teamUrl(a.team as string);
    case 'google-iap':
      return GOOGLE_IAP_ISSUER;
    case 'pomerium': {
      // Pomerium's iss is the route's host, or its URL with jwt_issuer_format: uri.
      const domain = (a.routeDomain as string).toLowerCase();
      return [domain, `https://${domain}/`];
    }
    default:
      return a.issuer as string;
  }
}

function audienceOf(a: AssertionSettings): readonly string[] | null {
  switch (a.preset) {
    case 'google-iap':
      return [iapAudience(a.projectNumber as string, a.backendServiceId ?? null, a.appId ?? null)];
    case 'pomerium':
      return [(a.routeDomain as string).toLowerCase()];
    case 'aws-alb':
      return null;
    default:
      return a.audience === undefined ? null : typeof a.audience === 'string' ? [a.audience] : [...a.audience];
  }
}

/** `context`: anything else the verified result depends on (the claim rules), folded into the fingerprint. */
export function compileSignedRules(a: AssertionSettings, context: unknown = null): SignedAssertionRules {
  const defaults = PRESET_DEFAULTS[a.preset];
  const label = a.header ?? (defaults.header as string);
  const issuer = issuerOf(a);
  const base = {
    preset: a.preset,
    header: canonicalHeaderName(label),
    label,
    issuer,
    audience: audienceOf(a),
    algorithms: [...(a.algorithms ?? defaults.algorithms)],
    hmacSecret: a.hmacSecret ?? null,
    clockToleranceSeconds: a.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    claims: {
      identity: a.claims?.identity ?? defaults.claims.identity,
      email: a.claims?.email ?? defaults.claims.email,
      firstName: a.claims?.firstName ?? defaults.claims.firstName,
      lastName: a.claims?.lastName ?? defaults.claims.lastName,
      groups: a.claims?.groups ?? defaults.claims.groups,
    },
    groupsSeparator: a.groupsSeparator ?? ',',
    keySource: keySourceOf(a, issuer),
    maxKeyAgeSeconds: a.maxKeyAgeSeconds ?? DEFAULT_MAX_KEY_AGE_SECONDS,
    albSigner: a.preset === 'aws-alb' ? (a.albArn as string) : null,
    albClient: a.preset === 'aws-alb' ? (a.clientId ?? null) : null,
    paddedSegments: a.preset === 'aws-alb',
    unsignedCompanions: defaults.unsignedCompanions.map((name) => name.toLowerCase()),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify([base, context])).digest('base64url');
  return { ...base, fingerprint };
}

/**
 * aws-alb without `clientId`: the JWT header's `client` is not checked, so a token the same ALB
 * signed for another listener rule's OIDC client (another app behind the same IdP) is accepted too
 * (T28). The boot warning for it, or null.
 */
export function albWithoutClientId(a: AssertionSettings): string | null {
  if (a.preset !== 'aws-alb' || a.clientId !== undefined) return null;
  return (
    'assertion: aws-alb without clientId does not check which OIDC client the ALB signed a token for; when more than one ' +
    'listener rule of this load balancer authenticates (another app, another IdP client), set clientId to the client id ' +
    "of this app's rule so that a token made for another rule is refused"
  );
}
