import { errors } from 'jose';
import { Refusal, type RefusalCode } from '../pipeline/refusal';

/**
 * Why a signed assertion was not believed, in the refusal codes the README
 * documents. `reason` is for the operator's log and "Check this connection";
 * it never contains the token.
 */
const PUBLIC = 'Your sign-in could not be verified. Please reload the page or sign in again through your organisation’s portal.';

export const refuse = (code: RefusalCode, reason: string): Refusal =>
  new Refusal(code, reason, PUBLIC);

export const malformed = (reason: string): Refusal => refuse('assertion-malformed', reason);

/** The key source could not be reached or read: 503, try again later, never a hang or a crash. */
export class KeysUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'KeysUnavailable';
  }
}

export const KEYS_RETRY_AFTER_SECONDS = 30;

export const keysUnavailable = (reason: string): Refusal =>
  new Refusal(
    'keys-unavailable',
    reason,
    'Single sign-on is temporarily unavailable (the identity provider’s keys could not be loaded). Please try again in a moment.',
    KEYS_RETRY_AFTER_SECONDS,
  );

/** jose's reasons for a failed claim check, in our words. */
const CLAIM_PROBLEMS: Readonly<Record<string, string>> = {
  missing: 'the claim is missing',
  invalid: 'the claim has the wrong type',
  check_failed: 'the claim has an unexpected value',
};

/**
 * jose's errors, mapped precisely; anything else means the token is not a JWT we can read.
 * A reason never carries jose's message: it may quote the token (a `crit` name, an `alg`), which
 * is attacker-written text (T27). jose's error code is a constant of the library and says enough.
 */
export function refusalFromJose(error: unknown, header: string): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof KeysUnavailable) return keysUnavailable(error.message);
  const where = `the assertion in "${header}"`;
  if (error instanceof errors.JWTExpired) {
    return refuse('assertion-expired', `${where} expired (exp ${String(error.payload.exp)}); the proxy should send a fresh one — is the clock of this server right?`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return refuse('assertion-issuer', `${where} was issued by ${JSON.stringify(error.payload.iss)}, not the configured issuer`);
      case 'aud':
        return refuse('assertion-audience', `${where} is for the audience ${JSON.stringify(error.payload.aud)}, not the configured one: check the AUD tag / client id / project and backend ids`);
      case 'nbf':
        return refuse('assertion-expired', `${where} is not valid yet (nbf ${String(error.payload.nbf)}); is the clock of this server right?`);
      case 'iat':
        return refuse('assertion-expired', `${where} has an issue time (iat) in the future or too long ago`);
      default:
        return malformed(`${where} fails the "${error.claim}" claim check (${CLAIM_PROBLEMS[error.reason] ?? 'the claim is not acceptable'})`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSMultipleMatchingKeys) {
    return refuse('assertion-signature', `the signature of ${where} does not match the key it names: it was not signed by the configured provider`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse('assertion-unknown-key', `${where} names a key (kid) the key source does not publish, even after refetching it`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refuse('assertion-algorithm', `${where} uses an algorithm or a header parameter (crit) that is not allowed (${error.code}); allowed algorithms are set by the preset or .algorithms`);
  }
  if (error instanceof errors.JWKSTimeout) return keysUnavailable(`the key source did not answer in time while verifying ${where}`);
  if (error instanceof errors.JOSEError) return malformed(`${where} is not a valid JWT (${error.code})`);
  if (error instanceof TypeError) return refuse('assertion-signature', `${where} cannot be verified with the key it names (the key does not fit the token's algorithm)`);
  throw error;
}
