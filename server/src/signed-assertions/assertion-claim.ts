import type { JWTPayload } from 'jose';
import type { Attributes } from '../pipeline/attributes';
import { isEmailAddress, requireAscii, toClaim, type Claim, type ClaimRules, type NormalizeIdentity } from '../pipeline/claim';
import { Refusal } from '../pipeline/refusal';
import { FORBIDDEN_TEXT, hasForbiddenText, trimBlanks } from '../pipeline/text-values';
import { malformed, refuse } from './assertion-refusals';
import type { SignedAssertionRules } from './signed-rules';

/** Identity links of opaque ids (`sub`) live under this source, with the subject "<iss> <sub>". */
export const ASSERTION_LINK_SOURCE = 'assertion';

const MAX_VALUE = 256;
const MAX_GROUPS = 8192;

const invalid = (reason: string): Refusal =>
  new Refusal('invalid-identity', reason, 'The identity sent by the proxy is not a valid account name.');

function text(payload: JWTPayload, name: string | null, what: string): string | null {
  if (name === null) return null;
  const value = payload[name];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw malformed(`the assertion's ${what} claim "${name}" is not a string`);
  const trimmed = trimBlanks(value);
  if (hasForbiddenText(trimmed)) throw malformed(`the assertion's ${what} claim "${name}" ${FORBIDDEN_TEXT}`);
  if (trimmed.length > MAX_VALUE) throw malformed(`the assertion's ${what} claim "${name}" is ${trimmed.length} characters long (limit ${MAX_VALUE})`);
  return trimmed || null;
}

/** The provider says it verified the address (Cognito behind ALB sends the string "true"). */
const emailVerified = (payload: JWTPayload): boolean => payload.email_verified === true || payload.email_verified === 'true';

/**
 * Presets whose proxy verifies the address it signs itself (T29): Cloudflare Access, Google IAP and
 * Pomerium. Behind the others (aws-alb passes the IdP's userinfo through, oidc and custom are any
 * issuer) an address is only verified when the token says so.
 */
const PROXY_VERIFIES_EMAIL: ReadonlySet<string> = new Set(['cloudflare-access', 'google-iap', 'pomerium']);

/**
 * `email_verified` speaks for the `email` claim only (OIDC Core 5.1): an address taken from another
 * claim (`upn`, `preferred_username`, …) is verified by nobody, whatever `email_verified` says.
 */
const addressVerified = (payload: JWTPayload, claimName: string | null): boolean => claimName === 'email' && emailVerified(payload);

/**
 * An address the provider says it has not verified is nobody's identity and links nothing:
 * whoever typed it in could have typed a Super Admin's address (CVE-2023-3128). Tokens without
 * `email_verified` are taken as the provider asserts them (Cloudflare, IAP, Pomerium send none).
 * Cognito behind ALB sends the string "true".
 */
function assertEmailVerified(payload: JWTPayload, rules: SignedAssertionRules): void {
  if (rules.claims.email === null || payload[rules.claims.email] === undefined || !('email_verified' in payload)) return;
  const verified = payload.email_verified;
  if (emailVerified(payload)) return;
  throw refuse(
    'assertion-email-unverified',
    `the assertion's e-mail claim "${rules.claims.email}" comes with email_verified ${JSON.stringify(verified)}: ` +
      'an address the identity provider has not verified is never used as an identity or to link an account',
  );
}

/**
 * May the e-mail claim link an existing account? The identity here is not the address (it is `sub`
 * or another opaque id), so the address is only something the issuer passed along: it links only
 * with linkByEmailHeader, and only when the token says the issuer verified it (`email_verified`
 * true, or Cognito's string "true"). A missing `email_verified` links nothing, for every preset:
 * Entra ID's `email` is whatever was typed in and comes without one (nOAuth, T29).
 * Returns why not (for the operator's log line), or null when it may.
 */
function whyEmailMayNotLink(payload: JWTPayload, rules: SignedAssertionRules, claimRules: ClaimRules): string | null {
  if (!claimRules.linkByEmailHeader) return null; // accounts.ts says why: linkByEmailHeader is off
  if (addressVerified(payload, rules.claims.email)) return null;
  if (rules.claims.email !== 'email')
    return (
      `that address came from the assertion's claim "${rules.claims.email}", and email_verified speaks only for the claim "email": ` +
      'an address from another claim is verified by nobody and links no existing account'
    );
  return (
    `that address came from the assertion's e-mail claim "${rules.claims.email}", which links an existing account only when ` +
    `the token says email_verified true, and this one has ${'email_verified' in payload ? `email_verified ${JSON.stringify(payload.email_verified)}` : 'no email_verified'} ` +
    '(an address the identity provider did not verify may have been typed in by anyone)'
  );
}

const emailMayLink = (payload: JWTPayload, rules: SignedAssertionRules, claimRules: ClaimRules): boolean =>
  claimRules.linkByEmailHeader && addressVerified(payload, rules.claims.email);

/**
 * The identity claim is the e-mail claim, behind a proxy that does not verify addresses (aws-alb,
 * oidc, custom): the address becomes a "header" identity that linkByEmail links to an existing
 * account, a Super Admin's too. Only an address the token says is verified may (R2-1, T29): a
 * missing email_verified, or an address from a claim other than "email", is refused.
 */
function assertIdentityAddressVerified(payload: JWTPayload, rules: SignedAssertionRules): void {
  // The proxy vouches for the claim `email` only: an address from another claim is nobody's word.
  if (PROXY_VERIFIES_EMAIL.has(rules.preset) && rules.claims.email === 'email') return;
  if (addressVerified(payload, rules.claims.email)) return;
  const why =
    rules.claims.email !== 'email'
      ? `the identity is the claim "${rules.claims.email}", and email_verified speaks only for the claim "email"`
      : `the identity is the e-mail claim "email", and the token has ${'email_verified' in payload ? `email_verified ${JSON.stringify(payload.email_verified)}` : 'no email_verified'}`;
  throw refuse(
    'assertion-email-unverified',
    `${why}: behind preset ${rules.preset} an address is an identity only when the token says email_verified true ` +
      '(an address the identity provider did not verify may have been typed in by anyone); use claims.identity "sub"',
  );
}

/** Groups as a JSON array of strings, or one string split by groupsSeparator; absent → null (nothing known). */
function groupsOf(payload: JWTPayload, rules: SignedAssertionRules): readonly string[] | null {
  const name = rules.claims.groups;
  if (name === null || payload[name] === undefined || payload[name] === null) return null;
  const value = payload[name];
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') list = value.split(rules.groupsSeparator);
  else throw malformed(`the assertion's groups claim "${name}" is neither a list nor a string`);
  if (list.some((group) => typeof group !== 'string')) throw malformed(`the assertion's groups claim "${name}" lists something that is not a string`);
  const groups = [...new Set((list as string[]).map(trimBlanks).filter((group) => group !== ''))];
  if (groups.join(',').length > MAX_GROUPS) throw malformed(`the assertion's groups claim "${name}" is longer than ${MAX_GROUPS} characters`);
  const bad = groups.find((group) => group.length > MAX_VALUE || hasForbiddenText(group));
  if (bad !== undefined) throw malformed(`a group in the assertion's claim "${name}" is too long or ${FORBIDDEN_TEXT}`);
  return groups;
}

/**
 * A verified payload → the claim the rest of the pipeline knows.
 *
 * Namespacing (see README, "Signed assertions and existing accounts"): when
 * the identity claim is the e-mail address (the default of cloudflare-access,
 * google-iap and pomerium, whose proxy asserts a verified address; aws-alb, oidc
 * and custom default to `sub`), the
 * subject is that address under the source "header", exactly as the plain
 * header would give it — switching from a header set-up to Cloudflare Access
 * or IAP keeps everyone's account and link. When the identity is an opaque
 * id (say `sub`), the subject is "<iss> <sub>" under the source "assertion":
 * ids from two issuers can never collide, and none of them can be mistaken
 * for an e-mail identity. Its e-mail address then links to an existing
 * account only with linkByEmailHeader, as any address that is not the
 * identity itself (T18).
 */
export function claimFromAssertion(
  payload: JWTPayload,
  rules: SignedAssertionRules,
  claimRules: ClaimRules,
  normalize?: NormalizeIdentity,
): Claim {
  assertEmailVerified(payload, rules);
  const identityName = rules.claims.identity;
  const identity = text(payload, identityName, 'identity');
  if (identity === null) throw malformed(`the assertion carries no identity claim "${identityName}"`);
  const attributes: Omit<Attributes, 'email'> = {
    firstName: text(payload, rules.claims.firstName, 'first name'),
    lastName: text(payload, rules.claims.lastName, 'last name'),
    groups: groupsOf(payload, rules),
  };

  if (identityName === rules.claims.email) {
    assertIdentityAddressVerified(payload, rules);
    const claim = toClaim(identity, { ...claimRules, userField: 'email' }, normalize);
    return { ...claim, attributes: { ...attributes, email: claim.email } };
  }

  requireAscii(identity);
  const emailValue = text(payload, rules.claims.email, 'e-mail');
  if (emailValue === null) throw invalid(`the assertion carries no e-mail claim "${rules.claims.email}"; an admin account needs an address`);
  requireAscii(emailValue);
  const email = emailValue.toLowerCase();
  if (!isEmailAddress(email)) throw invalid(`the assertion's e-mail claim "${rules.claims.email}" is not an e-mail address`);
  const subject = `${String(payload.iss)} ${identity}`;
  if (subject.length > 255) throw invalid(`the assertion's issuer and "${identityName}" together are longer than 255 characters`);
  return {
    subject,
    email,
    username: null,
    emailLinks: emailMayLink(payload, rules, claimRules),
    emailLinkRefusal: whyEmailMayNotLink(payload, rules, claimRules),
    attributes: { ...attributes, email },
    source: ASSERTION_LINK_SOURCE,
  };
}
