import { jwtVerify, type JWSHeaderParameters, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose';
import { malformed, refuse, refusalFromJose } from './assertion-refusals';
import type { KeyRequester, KeyStore } from './key-store';
import type { SignedAssertionRules } from './signed-rules';

/** The largest assertion accepted; real ones are 1-3 KB. */
export const MAX_ASSERTION_BYTES = 16 * 1024;

/** The signature may be empty here so that `alg: none` is refused as the algorithm it is (assertion-algorithm). */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** ALB pads each base64url segment with `=` and signs the padded text, so the padding stays as it is. */
const COMPACT_PADDED = /^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/;

export interface VerifiedAssertion {
  readonly payload: JWTPayload;
  readonly header: ProtectedHeaderParameters;
}

/**
 * Verifies one compact JWT with jose: signature with a key from the
 * configured source (or the HMAC secret, for HS* only when configured),
 * algorithm allow-list, `iss`, `aud`, `exp` (required), `nbf`, clock
 * tolerance — and for AWS ALB the header's `signer`, `client` and `exp`, before
 * any key is looked up. Throws the precise Refusal. `requester` (the peer that sent the token) decides whose
 * budget a fetch for a key id not cached draws on.
 */
export async function verifyAssertion(token: string, rules: SignedAssertionRules, keys: KeyStore, requester: KeyRequester): Promise<VerifiedAssertion> {
  const where = `the assertion in "${rules.label}"`;
  if (token.length > MAX_ASSERTION_BYTES) throw malformed(`${where} is ${token.length} bytes long (limit ${MAX_ASSERTION_BYTES})`);
  if (!(rules.paddedSegments ? COMPACT_PADDED : COMPACT).test(token)) {
    throw malformed(`${where} is not a signed JWT in compact form (three base64url parts separated by dots)`);
  }
  const hmac = rules.hmacSecret === null ? null : new TextEncoder().encode(rules.hmacSecret);
  const options: JWTVerifyOptions = {
    algorithms: [...rules.algorithms],
    issuer: typeof rules.issuer === 'string' ? rules.issuer : [...rules.issuer],
    clockTolerance: rules.clockToleranceSeconds,
    requiredClaims: ['exp', 'iss'],
  };
  if (rules.audience !== null) options.audience = [...rules.audience];
  let verified: VerifiedAssertion;
  try {
    const result = await jwtVerify(
      token,
      (header, input) => {
        // Before any key is looked up: a token ALB's header does not bind to our load balancer can
        // never verify, and must not spend a fetch for a kid not cached (a rotated key needs it).
        if (rules.albSigner !== null) assertAlbHeader(header, rules, where);
        // The HMAC secret serves HS* only; a public key is never used as an HMAC secret (RS/HS confusion).
        if (header.alg.startsWith('HS')) {
          if (hmac === null) throw refuse('assertion-algorithm', `${where} uses ${header.alg}, but no hmacSecret is configured`);
          return hmac;
        }
        return keys.keyFor(header, input, requester);
      },
      options,
    );
    verified = { payload: result.payload, header: result.protectedHeader };
  } catch (error) {
    throw refusalFromJose(error, rules.label);
  }
  assertIssuedInThePast(verified.payload, rules, where);
  if (rules.preset === 'oidc' || rules.preset === 'custom') assertAuthorizedParty(verified.payload, rules, where);
  assertIdToken(verified, where);
  return verified;
}

/**
 * Only ID tokens identify anyone. Keycloak marks every token it signs in the payload (`typ` "ID",
 * "Bearer", "Refresh", "Offline", "Logout"), and logout tokens (`logout+jwt`) and RFC 9068 access
 * tokens (`at+jwt`) in the header; the proxies' assertions say `typ: JWT` in the header or nothing.
 * A back-channel logout token or any other security event token (RFC 8417) carries `events`, and may
 * come without a `typ` (OIDC Back-Channel Logout 1.0 only recommends `logout+jwt`); an ID token never does.
 */
function assertIdToken({ header, payload }: VerifiedAssertion, where: string): void {
  const headerTyp = typeof header.typ === 'string' ? header.typ.toLowerCase() : header.typ;
  if (headerTyp === 'at+jwt' || headerTyp === 'application/at+jwt') {
    throw malformed(`${where} is an OAuth access token (typ ${String(header.typ)}), not an identity assertion; forward the ID token`);
  }
  if (headerTyp !== undefined && headerTyp !== 'jwt') {
    throw malformed(`${where} has the header typ ${JSON.stringify(header.typ)}: only an ID token (typ JWT) identifies someone; forward the ID token`);
  }
  if ('events' in payload) {
    throw malformed(`${where} carries an "events" claim: it is a logout or security event token, not an ID token (which never has one); forward the ID token`);
  }
  if (payload.typ === undefined) return;
  const payloadTyp = typeof payload.typ === 'string' ? payload.typ.toLowerCase() : '';
  if (payloadTyp === 'bearer' || payloadTyp === 'refresh') {
    throw malformed(`${where} is an OAuth ${payloadTyp === 'bearer' ? 'access' : 'refresh'} token (claim typ ${String(payload.typ)}), not an identity assertion; forward the ID token`);
  }
  if (payloadTyp !== 'id') {
    throw malformed(`${where} is not an ID token (claim typ ${JSON.stringify(payload.typ)}; an ID token says "ID"); forward the ID token`);
  }
}

/** jose checks `iat` is a number; an issue time in the future (beyond the tolerance) is a clock or a forgery problem. */
function assertIssuedInThePast(payload: JWTPayload, rules: SignedAssertionRules, where: string): void {
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + rules.clockToleranceSeconds) {
    throw refuse('assertion-expired', `${where} has an issue time (iat ${payload.iat}) in the future, beyond clockToleranceSeconds (${rules.clockToleranceSeconds} s); is the clock of this server right?`);
  }
}

/**
 * OIDC Core 3.1.3.7: when `azp` (the party the ID token was issued to) is present, it must be our
 * client id — an ID token issued to another client that merely lists ours in `aud` is not ours.
 * With several audiences there must be an `azp`: without it nothing says which of them the token
 * was issued to.
 */
function assertAuthorizedParty(payload: JWTPayload, rules: SignedAssertionRules, where: string): void {
  if (rules.audience === null) return;
  if (payload.azp === undefined) {
    if (Array.isArray(payload.aud) && payload.aud.length > 1) {
      throw refuse('assertion-audience', `${where} names ${payload.aud.length} audiences and no authorized party (azp): an ID token for several clients must say which one it was issued to`);
    }
    return;
  }
  if (typeof payload.azp !== 'string' || !rules.audience.includes(payload.azp)) {
    throw refuse('assertion-audience', `${where} was issued to the client ${JSON.stringify(payload.azp)} (azp), not the configured audience`);
  }
}

/** A header value as the log line quotes it: the header is not verified yet, so it may be anyone's text, and long. */
const quoted = (value: unknown): string => (JSON.stringify(value) ?? 'nothing').slice(0, 200);

/**
 * ALB puts `signer` (the load balancer's ARN), `client` and `exp` in the signed header. Checked on
 * the header as the token says it, before the signature: the answer would be a refusal either way,
 * and this way a token not made by our load balancer costs no key fetch.
 */
function assertAlbHeader(header: JWSHeaderParameters, rules: SignedAssertionRules, where: string): void {
  if (header.signer !== rules.albSigner) {
    throw refuse('assertion-issuer', `${where} names the load balancer ${quoted(header.signer)} as its signer, not albArn "${rules.albSigner}"`);
  }
  // Listener rules of one ALB sharing an IdP sign with the same key; `client` says which rule's client it is for.
  if (rules.albClient !== null && header.client !== rules.albClient) {
    throw refuse('assertion-audience', `${where} was issued for the OIDC client ${quoted(header.client)} (header client), not clientId "${rules.albClient}"`);
  }
  const exp = header.exp;
  if (exp !== undefined && (typeof exp !== 'number' || exp + rules.clockToleranceSeconds < Date.now() / 1000)) {
    throw refuse('assertion-expired', `${where} expired (header exp ${quoted(exp)})`);
  }
}
