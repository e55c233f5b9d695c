import { readOnce, type HeaderSource } from './identity-header';
import { INVALID_IDENTITY, Refusal } from './refusal';
import { FORBIDDEN_TEXT, hasForbiddenText, trimBlanks } from './text-values';

/**
 * Profile attributes and groups the proxy sends next to the identity
 * (Authelia's Remote-Email / Remote-Name / Remote-Groups, oauth2-proxy's
 * X-Forwarded-Email / X-Forwarded-Groups, …). They are only read once the
 * request has passed the trust checks, and with the same hygiene as the
 * identity: exactly one occurrence, no look-alike twin, no control characters,
 * nothing that looks like something else (text-values.ts).
 *
 * `groups` is null when the groups header is absent (nothing is known: roles
 * are left alone) and [] when it is present but empty (the person is in no
 * group: with syncRoles, mapped roles are removed).
 */
export interface Attributes {
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly groups: readonly string[] | null;
}

export interface AttributeRules {
  /** Lower-case header names, or null when not configured. */
  readonly emailHeader: string | null;
  readonly firstNameHeader: string | null;
  readonly lastNameHeader: string | null;
  readonly groupsHeader: string | null;
  readonly groupsSeparator: string;
}

export const NO_ATTRIBUTES: Attributes = { email: null, firstName: null, lastName: null, groups: null };

const MAX_VALUE = 256;
const MAX_GROUPS_VALUE = 8192;

/** Header values arrive as latin1; proxies send UTF-8. Undo that when the bytes are valid UTF-8. */
function decodeUtf8(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? value : decoded;
}

const forbidden = (what: string): Refusal => new Refusal('forbidden-character', `${what} ${FORBIDDEN_TEXT}`, INVALID_IDENTITY);

function readOne(source: HeaderSource, name: string | null, max: number): string | null {
  if (name === null) return null;
  const raw = readOnce(source, name, 'attribute header');
  if (raw === null) return null;
  const value = trimBlanks(decodeUtf8(raw));
  if (hasForbiddenText(value)) throw forbidden(`attribute header "${name}"`);
  if (value.length > max) {
    throw new Refusal('value-too-long', `attribute header "${name}" is ${value.length} characters long (limit ${max})`, INVALID_IDENTITY);
  }
  return value;
}

export function readAttributes(source: HeaderSource, rules: AttributeRules): Attributes {
  const groupsValue = readOne(source, rules.groupsHeader, MAX_GROUPS_VALUE);
  const groups =
    groupsValue === null
      ? null
      : [...new Set(groupsValue.split(rules.groupsSeparator).map(trimBlanks).filter((g) => g !== ''))];
  // The whole value was checked; a group of combining marks only is one within it.
  if (groups?.some(hasForbiddenText)) throw forbidden(`a group in "${rules.groupsHeader}"`);
  const long = groups?.find((group) => group.length > MAX_VALUE);
  if (long !== undefined) {
    throw new Refusal('value-too-long', `a group in "${rules.groupsHeader}" is ${long.length} characters long (limit ${MAX_VALUE})`, INVALID_IDENTITY);
  }
  return {
    email: readOne(source, rules.emailHeader, MAX_VALUE) || null,
    firstName: readOne(source, rules.firstNameHeader, MAX_VALUE) || null,
    lastName: readOne(source, rules.lastNameHeader, MAX_VALUE) || null,
    groups,
  };
}
