import { NO_ATTRIBUTES, type Attributes } from './attributes';
import { Refusal } from './refusal';

/**
 * A claim is who the proxy says the person is, after normalisation:
 * `subject` is the stable key (lower-case), `email` the admin account it maps to.
 */
export interface Claim {
  readonly subject: string;
  readonly email: string;
  readonly username: string | null;
  /** Profile and groups from the attribute headers (see attributes.ts). */
  readonly attributes: Attributes;
}

export interface ClaimRules {
  readonly userField: 'email' | 'username';
  readonly emailDomain: string | null;
  readonly stripRealm: boolean;
}

/** Django's `clean_username`: may rewrite the raw value; returning null or '' refuses it. */
export type NormalizeIdentity = (value: string) => string | null | undefined;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const NON_ASCII = /[^\x00-\x7f]/;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const USERNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

const invalid = (reason: string): Refusal =>
  new Refusal('invalid-identity', 403, reason, 'The identity sent by the proxy is not a valid account name.');

export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  return EMAIL_LOCAL.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1)) && value.length <= 254;
}

export function isDomainName(value: string): boolean {
  return DOMAIN.test(value);
}

/**
 * ASCII-only by design (T9): a dotted capital I, a Kelvin sign or a full-width
 * letter would otherwise fold onto an existing ASCII account.
 */
function requireAscii(value: string): void {
  if (NON_ASCII.test(value)) {
    throw new Refusal(
      'non-ascii-identity',
      403,
      'identity contains non-ASCII characters; look-alike letters could impersonate another account',
      'The identity sent by the proxy is not a valid account name.',
    );
  }
  if (!PRINTABLE_ASCII.test(value)) throw invalid('identity contains spaces or non-printable characters');
}

export function toClaim(raw: string, rules: ClaimRules, normalize?: NormalizeIdentity): Claim {
  requireAscii(raw);
  let value = raw;
  if (normalize) {
    const cleaned = normalize(raw);
    if (typeof cleaned !== 'string' || cleaned.trim() === '') {
      throw invalid('the normalizeIdentity hook rejected the identity');
    }
    value = cleaned.trim();
    requireAscii(value);
  }

  if (rules.userField === 'email') {
    const email = value.toLowerCase();
    if (!isEmailAddress(email)) {
      throw invalid('identity is not an e-mail address (userField is "email"; use "username" with emailDomain for plain names)');
    }
    return { subject: email, email, username: null, attributes: NO_ATTRIBUTES };
  }

  let username = value;
  if (rules.stripRealm && username.includes('@')) {
    username = username.slice(0, username.lastIndexOf('@'));
  }
  if (!USERNAME.test(username) || username.includes('..')) {
    throw invalid(
      username.includes('@')
        ? 'identity looks like "user@REALM"; set stripRealm: true, or userField: "email" if it is an e-mail address'
        : 'identity is not a valid user name (letters, digits, ".", "_" and "-")',
    );
  }
  username = username.toLowerCase();
  return { subject: username, email: `${username}@${rules.emailDomain ?? ''}`.toLowerCase(), username, attributes: NO_ATTRIBUTES };
}

/**
 * Adds the attribute headers to a claim. With userField "username" an e-mail
 * attribute replaces the `user@emailDomain` guess; it obeys the same ASCII
 * rules as the identity (T9). The subject — the stable key — never changes.
 */
export function withAttributes(claim: Claim, attributes: Attributes, rules: ClaimRules): Claim {
  let email = claim.email;
  if (rules.userField === 'username' && attributes.email) {
    requireAscii(attributes.email);
    const candidate = attributes.email.toLowerCase();
    if (!isEmailAddress(candidate)) throw invalid('the e-mail attribute header does not carry an e-mail address');
    email = candidate;
  }
  return { ...claim, email, attributes };
}
