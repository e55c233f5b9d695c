import { createHmac } from 'node:crypto';

/**
 * The label the tag key is derived with (HMAC of it under the installation's secret): the secret
 * itself never keys the tags, and a tag reveals nothing about it or about any other use of it.
 */
export const MASK_TAG_LABEL = 'remote-auth mask tag';

/** The key of the mask tags, from a secret of this installation (Strapi's `admin.auth.secret`). */
export const maskTagKey = (secret: string): Buffer => createHmac('sha256', secret).update(MASK_TAG_LABEL).digest();

/** How identities are masked where they are stored or shown: in refusal rows, their hints, and *Check this connection*. */
export interface Masking {
  /** "jane.doe@corp.example" → "ja******@corp.example #1d2c3b"; enough to recognise, not to copy. */
  identity(value: string): string;
  /** A refusal's hint as stored: the row's identity, every e-mail address and every quoted identity masked like the identity column. */
  hint(hint: string, identity?: string | null): string;
}

/** An e-mail address anywhere in a text (what a hint quotes: the claim's, an account's). */
const EMAIL = /[^\s"'<>()[\],;:]+@[^\s"'<>()[\],;:]+/g;
/** An identity a hint quotes by name: `identity "…"`, `subject "…"`, `linked to "…"` (another person's, not only this row's). */
const QUOTED_IDENTITY = /\b(identity|subject|to) "([^"]*)"/g;

/**
 * Masking whose tags are keyed with `key` (maskTagKey). Masks of the same length and first
 * letters look alike ("jane@…" and "jack@…" are both "ja**@…"); the tag, the first 6 hex digits
 * of the value's HMAC-SHA-256, tells them apart and keeps one person's rows recognisable across
 * rows and days. Keyed, because a plain hash of the value would let anyone who reads the rows
 * (activity.read, a CSV export) try the few hidden characters, or a list of colleagues' addresses,
 * offline until the tag matches; without the key nobody can compute a tag.
 */
export function createMasking(key: Uint8Array): Masking {
  const tagOf = (value: string): string => createHmac('sha256', key).update(value).digest('hex').slice(0, 6);

  const identity = (value: string): string => {
    const at = value.indexOf('@');
    const local = at === -1 ? value : value.slice(0, at);
    const shown = local.slice(0, Math.min(2, Math.max(1, local.length - 1)));
    return `${shown}${'*'.repeat(Math.max(1, local.length - shown.length))}${at === -1 ? '' : value.slice(at)} #${tagOf(value)}`;
  };

  const hint = (text: string, own?: string | null): string => {
    const withOwn = own ? text.split(own).join(identity(own)) : text;
    return withOwn
      .replace(QUOTED_IDENTITY, (_, label: string, value: string) => `${label} "${value.includes('*') || value === '' ? value : identity(value)}"`)
      .replace(EMAIL, (address) => (address.split('@')[0].includes('*') ? address : identity(address)));
  };

  return { identity, hint };
}
