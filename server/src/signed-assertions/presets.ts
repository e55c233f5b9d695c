/**
 * What each identity-aware proxy sends, as published by its vendor. A preset
 * fills in the header, the algorithms, where the keys are, the issuer, the
 * audience and which claims carry the identity; the operator supplies only
 * the few values that name their own deployment (team, project, ALB, route).
 *
 * - Cloudflare Access: https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/
 * - Google IAP: https://cloud.google.com/iap/docs/signed-headers-howto
 * - AWS ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
 * - Pomerium: https://www.pomerium.com/docs/capabilities/getting-users-identity
 */
export const PRESETS = ['cloudflare-access', 'google-iap', 'aws-alb', 'pomerium', 'oidc', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

export interface ClaimNames {
  readonly identity: string;
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly groups: string | null;
}

export interface PresetDefaults {
  /** Header the proxy sends the JWT in; null: the operator must name it. */
  readonly header: string | null;
  readonly algorithms: readonly string[];
  readonly claims: ClaimNames;
  /** Headers the proxy sends next to the JWT without a signature: never read for identity. */
  readonly unsignedCompanions: readonly string[];
}

const EMAIL_IDENTITY: ClaimNames = { identity: 'email', email: 'email', firstName: null, lastName: null, groups: null };

export const PRESET_DEFAULTS: Readonly<Record<Preset, PresetDefaults>> = {
  'cloudflare-access': {
    header: 'Cf-Access-Jwt-Assertion',
    algorithms: ['RS256'],
    claims: EMAIL_IDENTITY,
    unsignedCompanions: ['cf-access-authenticated-user-email'],
  },
  'google-iap': {
    header: 'x-goog-iap-jwt-assertion',
    algorithms: ['ES256'],
    claims: EMAIL_IDENTITY,
    unsignedCompanions: ['x-goog-authenticated-user-email', 'x-goog-authenticated-user-id'],
  },
  // ALB passes the IdP's userinfo through without looking at it, and IdPs such as Entra ID let
  // people set their `email`: as with oidc, the identity is the issuer's `sub` (T29).
  'aws-alb': {
    header: 'x-amzn-oidc-data',
    algorithms: ['ES256'],
    claims: { identity: 'sub', email: 'email', firstName: 'given_name', lastName: 'family_name', groups: null },
    unsignedCompanions: ['x-amzn-oidc-identity', 'x-amzn-oidc-accesstoken'],
  },
  pomerium: {
    header: 'X-Pomerium-Jwt-Assertion',
    algorithms: ['ES256'],
    claims: { identity: 'email', email: 'email', firstName: 'given_name', lastName: 'family_name', groups: 'groups' },
    unsignedCompanions: ['x-pomerium-claim-email', 'x-pomerium-claim-user', 'x-pomerium-claim-groups'],
  },
  // A generic IdP may let people edit their e-mail address (CVE-2023-3128): the identity is the
  // issuer's stable `sub`, and the address only a hint that links with linkByEmailHeader.
  oidc: {
    header: null,
    algorithms: ['RS256', 'ES256'],
    claims: { identity: 'sub', email: 'email', firstName: 'given_name', lastName: 'family_name', groups: 'groups' },
    unsignedCompanions: ['x-forwarded-email', 'x-forwarded-user', 'x-forwarded-preferred-username', 'x-forwarded-groups', 'x-auth-request-email', 'x-auth-request-user'],
  },
  custom: {
    header: null,
    algorithms: ['RS256', 'ES256'],
    claims: { identity: 'sub', email: 'email', firstName: 'given_name', lastName: 'family_name', groups: 'groups' },
    unsignedCompanions: [],
  },
};

export const GOOGLE_IAP_ISSUER = 'https://cloud.google.com/iap';
export const GOOGLE_IAP_KEYS = 'https://www.gstatic.com/iap/verify/public_key-jwk';

export const cloudflareTeamUrl = (team: string): string => `https://${team}.cloudflareaccess.com`;
export const cloudflareKeys = (teamUrl: string): string => `${teamUrl}/cdn-cgi/access/certs`;
export const albKeyBase = (region: string): string => `https://public-keys.auth.elb.${region}.amazonaws.com/`;
export const pomeriumKeys = (routeDomain: string): string => `https://${routeDomain}/.well-known/pomerium/jwks.json`;
export const iapAudience = (projectNumber: string, backendServiceId: string | null, appId: string | null): string =>
  backendServiceId !== null ? `/projects/${projectNumber}/global/backendServices/${backendServiceId}` : `/projects/${projectNumber}/apps/${appId}`;

/** Asymmetric JWS algorithms jose verifies; HS* are allowed only with an explicit hmacSecret, `none` never. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
