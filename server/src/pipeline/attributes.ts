import { readOnce, type HeaderSource } from './identity-header';
import { INVALID_IDENTITY, Refusal } from './refusal';

/**
 * Profile attributes and groups the proxy sends next to the identity
 * (Authelia's Remote-Email / Remote-Name / Remote-Groups, oauth2-proxy's
 * X-Forwarded-Email / X-Forwarded-Groups, …). They are only read once the
 * request has passed the trust checks, and with the same hygiene as the
 * identity: exactly one occurrence, no look-alike twin, no control characters.
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
/**
 * Characters no name, address or group needs, refused in attribute headers and in signed claims
 * alike (T27): C0, DEL, C1 (after UTF-8 decoding), the line/paragraph separators, the bidirectional
 * marks, embeddings, overrides and isolates (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069),
 * which make "Eve\u202egnp.exe" show as "Eveexe.png" in the admin, and the invisible word joiner,
 * operators and byte-order mark (U+2060–U+2064, U+FEFF) — indeed every format character (\p{Cf}: soft
 * hyphen U+00AD, U+180E, zero-width space U+200B, U+206A–U+206F, tags U+E0001–U+E007F, …) — and the
 * characters that render as nothing though they are not Cf: the combining grapheme joiner U+034F, the
 * Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the Mongolian variation selectors and vowel separator
 * U+180B–U+180F and the variation selectors U+FE00–U+FE0F, U+E0100–U+E01EF (R2-4). Joiners that
 * scripts need (U+200C/U+200D) stay. A U+FEFF at either end is trimmed (String#trim) before the test.
 */
export const FORBIDDEN_IN_VALUE =
  /(?![\u200c\u200d])[\p{Cc}\p{Cf}\u2028\u2029\u034f\u115f\u1160\u3164\uffa0\u180b-\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
const CONTROL = FORBIDDEN_IN_VALUE;

/** Header values arrive as latin1; proxies send UTF-8. Undo that when the bytes are valid UTF-8. */
function decodeUtf8(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? value : decoded;
}

function readOne(source: HeaderSource, name: string | null, max: number): string | null {
  if (name === null) return null;
  const raw = readOnce(source, name, 'attribute header');
  if (raw === null) return null;
  const value = decodeUtf8(raw).trim();
  if (CONTROL.test(value)) {
    throw new Refusal('forbidden-character', `attribute header "${name}" contains a control or bidirectional-formatting character`, INVALID_IDENTITY);
  }
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
      : [...new Set(groupsValue.split(rules.groupsSeparator).map((g) => g.trim()).filter((g) => g !== ''))];
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
