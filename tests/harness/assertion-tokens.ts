import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyLike } from 'jose';

/**
 * Signing keys and tokens shaped exactly as each identity-aware proxy sends
 * them (claims, header fields, ALB's padded segments, both IAP audience
 * forms), signed for real with jose. Used by the integration tests and the
 * e2e test gateway.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

/** ALB kids look like UUIDs; JWKS kids are whatever the provider picks. */
export async function createSigningKey(alg: 'RS256' | 'ES256', kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

const now = (): number => Math.floor(Date.now() / 1000);

export type Claims = Record<string, unknown>;
export type Header = Record<string, unknown>;

/** Signs `claims` with `key` (header alg/kid from the key unless `header` overrides them). */
export async function signToken(key: SigningKey, claims: Claims, header: Header = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

export interface Person {
  readonly email: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly groups?: readonly string[];
}

/** Cloudflare Access `Cf-Access-Jwt-Assertion` (RS256; aud is a list of AUD tags). */
export function cloudflareToken(key: SigningKey, o: { team: string; aud: string; person: Person; claims?: Claims; header?: Header }): Promise<string> {
  const iat = now();
  return signToken(key, {
    aud: [o.aud],
    email: o.person.email,
    exp: iat + 24 * 3600,
    iat,
    nbf: iat,
    iss: `https://${o.team}.cloudflareaccess.com`,
    type: 'app',
    identity_nonce: randomUUID().replace(/-/g, '').slice(0, 16),
    sub: randomUUID(),
    country: 'GB',
    ...o.claims,
  }, o.header);
}

/** Google IAP `x-goog-iap-jwt-assertion` (ES256; the audience form depends on where IAP sits). */
export function iapToken(
  key: SigningKey,
  o: { projectNumber: string; backendServiceId?: string; appId?: string; person: Person; claims?: Claims; header?: Header },
): Promise<string> {
  const iat = now();
  const aud = o.backendServiceId !== undefined
    ? `/projects/${o.projectNumber}/global/backendServices/${o.backendServiceId}`
    : `/projects/${o.projectNumber}/apps/${o.appId}`;
  return signToken(key, {
    aud,
    email: o.person.email,
    exp: iat + 600,
    iat,
    iss: 'https://cloud.google.com/iap',
    sub: `accounts.google.com:${1000000000 + Math.floor(Math.random() * 1e9)}`,
    hd: o.person.email.split('@')[1],
    ...o.claims,
  }, o.header);
}

/** Pomerium `X-Pomerium-Jwt-Assertion` (ES256; aud = iss = the route's domain). */
export function pomeriumToken(key: SigningKey, o: { routeDomain: string; person: Person; claims?: Claims; header?: Header }): Promise<string> {
  const iat = now();
  const user = randomUUID();
  return signToken(key, {
    iss: o.routeDomain,
    aud: o.routeDomain,
    exp: iat + 300,
    iat,
    sub: user,
    user,
    email: o.person.email,
    groups: [...(o.person.groups ?? [])],
    name: [o.person.firstName, o.person.lastName].filter(Boolean).join(' '),
    given_name: o.person.firstName,
    family_name: o.person.lastName,
    jti: randomUUID(),
    ...o.claims,
  }, o.header);
}

/** An OIDC ID token as an oauth2-proxy/authentik/Keycloak gateway forwards it. */
export function oidcToken(key: SigningKey, o: { issuer: string; clientId: string; person: Person; claims?: Claims; header?: Header }): Promise<string> {
  const iat = now();
  return signToken(key, {
    iss: o.issuer,
    aud: o.clientId,
    azp: o.clientId,
    exp: iat + 300,
    iat,
    sub: randomUUID(),
    email: o.person.email,
    email_verified: true,
    given_name: o.person.firstName,
    family_name: o.person.lastName,
    groups: [...(o.person.groups ?? [])],
    ...o.claims,
  }, o.header);
}

/** Standard base64 of the JSON, with trailing spaces added (still the same JSON) until it needs `=` padding, as ALB's usually do. */
function segment(value: unknown): string {
  let json = JSON.stringify(value);
  while (json.length % 3 === 0) json += ' ';
  return Buffer.from(json).toString('base64');
}
const padded = (base64: string): string => base64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * AWS ALB `x-amzn-oidc-data` (ES256): `signer`, `iss`, `client` and `exp` in
 * the JWT **header**, claims from the IdP's userinfo in the payload, and each
 * segment base64url **with** its `=` padding — the signature covers the padded
 * text, as ALB computes it (jose will not produce padded segments, so the
 * test signs the padded signing input with Node's ECDSA in JOSE's R||S form).
 */
export async function albToken(
  key: SigningKey,
  o: { albArn: string; issuer: string; client?: string; person: Person; claims?: Claims; header?: Header; exp?: number },
): Promise<string> {
  const exp = o.exp ?? now() + 120;
  const header = { typ: 'JWT', kid: key.kid, alg: 'ES256', iss: o.issuer, client: o.client ?? 'alb-client-id', signer: o.albArn, exp, ...o.header };
  const payload = {
    sub: randomUUID(),
    email: o.person.email,
    email_verified: 'true',
    given_name: o.person.firstName,
    family_name: o.person.lastName,
    username: randomUUID(),
    exp,
    iss: o.issuer,
    ...o.claims,
  };
  const signingInput = `${padded(segment(header))}.${padded(segment(payload))}`;
  const { createSign } = await import('node:crypto');
  const signer = createSign('sha256');
  signer.update(signingInput);
  const signature = signer.sign({ key: key.privateKey as never, dsaEncoding: 'ieee-p1363' }).toString('base64');
  return `${signingInput}.${padded(signature)}`;
}

/** An unsigned token (`alg: none`). */
export function unsignedToken(claims: Claims): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** RS/HS confusion: an HS256 token whose HMAC key is the RSA public key's PEM text. */
export async function hmacWithPublicKey(key: SigningKey, claims: Claims): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(new TextEncoder().encode(key.publicPem));
}
