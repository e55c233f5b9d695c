import { createHash } from 'node:crypto';

/**
 * The first 6 hex digits of the value's SHA-256. Masks of the same length and first letters look
 * alike ("jane@…" and "jack@…" are both "ja**@…"); the tag tells them apart, and one person's rows
 * stay recognisably theirs across rows and days.
 */
const tagOf = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 6);

/** "jane.doe@corp.example" → "ja******@corp.example #1d2c3b"; enough to recognise, not to copy. */
export function maskIdentity(value: string): string {
  const at = value.indexOf('@');
  const local = at === -1 ? value : value.slice(0, at);
  const shown = local.slice(0, Math.min(2, Math.max(1, local.length - 1)));
  return `${shown}${'*'.repeat(Math.max(1, local.length - shown.length))}${at === -1 ? '' : value.slice(at)} #${tagOf(value)}`;
}

/** An e-mail address anywhere in a text (what a hint quotes: the claim's, an account's). */
const EMAIL = /[^\s"'<>()[\],;:]+@[^\s"'<>()[\],;:]+/g;
/** An identity a hint quotes by name: `identity "…"`, `subject "…"`, `linked to "…"` (another person's, not only this row's). */
const QUOTED_IDENTITY = /\b(identity|subject|to) "([^"]*)"/g;

/** A refusal's hint as stored: the row's identity, every e-mail address and every quoted identity masked like the identity column. */
export function maskedHint(hint: string, identity?: string | null): string {
  const own = identity ? hint.split(identity).join(maskIdentity(identity)) : hint;
  return own
    .replace(QUOTED_IDENTITY, (_, label: string, value: string) => `${label} "${value.includes('*') || value === '' ? value : maskIdentity(value)}"`)
    .replace(EMAIL, (address) => (address.split('@')[0].includes('*') ? address : maskIdentity(address)));
}
