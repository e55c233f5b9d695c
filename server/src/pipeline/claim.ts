import { NO_ATTRIBUTES, type Attributes } from './attributes';
import { Refusal } from './refusal';
import { trimBlanks } from './text-values';

/**
 * A claim is who the proxy says the person is, after normalisation:
 * `subject` is the stable key (lower-case), `email` the admin account it maps to.
 */
export interface Claim {
  readonly subject: string;
  readonly email: string;
  readonly username: string | null;
  /**
   * Whether `email` may link this identity to an existing admin account that
   * no identity is linked to yet (T18, the CVE-2023-3128 class). True when the
   * address is the identity itself (userField "email") or derived from it
   * (`user@emailDomain`); for any other address from the e-mail attribute
   * header only when the operator set `linkByEmailHeader`: the person may be
   * able to edit that attribute at the identity provider.
   */
  readonly emailLinks: boolean;
  /**
   * Why `email` links nothing although linkByEmailHeader is on (a signed assertion whose
   * `email_verified` is not true), for the operator's log line; null or absent otherwise.
   */
  readonly emailLinkRefusal?: string | null;
  /** Profile and groups from the attribute headers (see attributes.ts). */
  readonly attributes: Attributes;
  /**
   * Namespace of `subject` in the identity links. Absent: "header" — an
   * e-mail or user name, whether from the plain header or from a signed
   * assertion whose identity is the e-mail (so switching a header set-up to a
   * signed one keeps everyone's account). Opaque ids from a signed assertion
   * (`sub`) get "assertion" and a subject of "<iss> <sub>".
   */
  readonly source?: string;
}

export interface ClaimRules {
  readonly userField: 'email' | 'username';
  readonly emailDomain: string | null;
  /** Kerberos realms stripped from `user@REALM` (userField "username"); any other realm is refused. */
  readonly realms: readonly string[];
  /** Whether an address from the e-mail attribute header may link to an existing account. */
  readonly linkByEmailHeader: boolean;
}

/** Django's `clean_username`: may rewrite the raw value; returning null or '' refuses it. */
export type NormalizeIdentity = (value: string) => string | null | undefined;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const NON_ASCII = /[^\x00-\x7f]/;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const REALM = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const USERNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

const invalid = (reason: string): Refusal =>
  new Refusal('invalid-identity', reason, 'The identity sent by the proxy is not a valid account name.');

export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  return EMAIL_LOCAL.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1)) && value.length <= 254;
}

export function isDomainName(value: string): boolean {
  return DOMAIN.test(value);
}

/** A Kerberos realm name: "CORP.EXAMPLE", "EXAMPLE" (letters, digits, "." and "-"). */
export function isRealmName(value: string): boolean {
  return REALM.test(value) && !value.includes('..') && value.length <= 255;
}

/** ASCII-only case folding: Unicode rules would fold look-alikes onto ASCII (T9). */
export const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * "jane@CORP.EXAMPLE" → "jane" when CORP.EXAMPLE is a listed realm (any case);
 * a value without "@" is returned as is; any other realm is refused (T19):
 * `alice@PARTNER.EXAMPLE` must never become the local `alice`.
 */
function stripListedRealm(value: string, realms: readonly string[]): string {
  const at = value.lastIndexOf('@');
  if (at === -1) return value;
  const realm = value.slice(at + 1);
  if (realms.some((listed) => foldAscii(listed) === foldAscii(realm))) return value.slice(0, at);
  throw new Refusal(
    'foreign-realm',
    realms.length === 0
      ? `identity "${value}" carries the realm "${realm}" and realms is empty; list the realms whose users are local in realms (e.g. ["${realm}"]), or use userField: "email" if the header carries e-mail addresses`
      : `identity "${value}" is from the realm "${realm}", which is not in realms (${realms.join(', ')})`,
    'Your account is from a realm this Strapi admin does not accept.',
  );
}

/**
 * ASCII-only by design (T9): a dotted capital I, a Kelvin sign or a full-width
 * letter would otherwise fold onto an existing ASCII account.
 */
export function requireAscii(value: string): void {
  if (NON_ASCII.test(value)) {
    throw new Refusal(
      'non-ascii-identity',
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
    if (typeof cleaned !== 'string' || trimBlanks(cleaned) === '') {
      throw invalid('the normalizeIdentity hook rejected the identity');
    }
    value = trimBlanks(cleaned);
    requireAscii(value);
  }

  if (rules.userField === 'email') {
    const email = value.toLowerCase();
    if (!isEmailAddress(email)) {
      throw invalid('identity is not an e-mail address (userField is "email"; use "username" with emailDomain for plain names)');
    }
    return { subject: email, email, username: null, emailLinks: true, attributes: NO_ATTRIBUTES };
  }

  let username = stripListedRealm(value, rules.realms);
  if (!USERNAME.test(username) || username.includes('..')) {
    throw invalid('identity is not a valid user name (letters, digits, ".", "_" and "-")');
  }
  username = username.toLowerCase();
  return {
    subject: username,
    email: `${username}@${rules.emailDomain ?? ''}`.toLowerCase(),
    username,
    emailLinks: true,
    attributes: NO_ATTRIBUTES,
  };
}

/**
 * Adds the attribute headers to a claim. With userField "username" an e-mail
 * attribute replaces the `user@emailDomain` guess; it obeys the same ASCII
 * rules as the identity (T9), and links to an existing account only when
 * `linkByEmailHeader` is on (T18). The subject — the stable key — never changes.
 */
export function withAttributes(claim: Claim, attributes: Attributes, rules: ClaimRules): Claim {
  if (rules.userField !== 'username' || !attributes.email) return { ...claim, attributes };
  requireAscii(attributes.email);
  const email = attributes.email.toLowerCase();
  if (!isEmailAddress(email)) throw invalid('the e-mail attribute header does not carry an e-mail address');
  // The address the identity itself maps to (user@emailDomain) links as it would without the header.
  return { ...claim, email, emailLinks: rules.linkByEmailHeader || (claim.emailLinks && email === claim.email), attributes };
}
