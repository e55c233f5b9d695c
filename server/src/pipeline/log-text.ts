/**
 * Log lines quote request-derived values (identities, header values, claims,
 * paths). A value must never be able to end the line and start a forged one,
 * rewrite what a terminal shows, or hide text (T27). Every character that could
 * is written as a visible escape instead:
 * - C0 controls (U+0000–U+001F, so CR, LF, TAB and ESC — the start of every ANSI sequence), DEL (U+007F);
 * - C1 controls (U+0080–U+009F: NEL, the one-byte CSI…);
 * - the line and paragraph separators U+2028 / U+2029;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a viewer shows;
 * - the bidirectional marks U+200E, U+200F and U+061C, the invisible word joiner and operators
 *   (U+2060–U+2064) and the byte-order mark U+FEFF, which hide or move text without being seen;
 * - every other format character (\p{Cf}: U+00AD, U+180E, U+200B, U+206A–U+206F, tags U+E0001–U+E007F…)
 *   and what renders as nothing without being Cf (U+034F, the Hangul fillers U+115F, U+1160, U+3164,
 *   U+FFA0, U+180B–U+180F, variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF); the joiners
 *   U+200C/U+200D, which scripts need, are kept.
 * Everything else (text in any script, quotes, backslashes) is kept as it is.
 */
const UNSAFE_IN_LOG =
  /(?![\u200c\u200d])[\p{Cc}\p{Cf}\u2028\u2029\u034f\u115f\u1160\u3164\uffa0\u180b-\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One `\uXXXX` per UTF-16 unit: a character beyond U+FFFF (a tag, U+E0001) becomes its surrogate pair. */
const escapeCharacter = (character: string): string =>
  SHORT_ESCAPES[character] ??
  Array.from({ length: character.length }, (_, i) => `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/** `value` as one line of visible text: unsafe characters become `\n`, `\r`, `\t` or `\uXXXX`. */
export function escapeLogText(value: string): string {
  return value.replace(UNSAFE_IN_LOG, escapeCharacter);
}

/**
 * A template tag for every log line the plugin writes: the literal parts are
 * ours and stay as written, each interpolated value is escaped.
 * `logLine\`signed in "${claim.subject}"\``.
 */
export function logLine(literals: TemplateStringsArray, ...values: readonly unknown[]): string {
  return literals.reduce((line, literal, i) => line + escapeLogText(String(values[i - 1])) + literal);
}
