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
 *   (U+2060–U+2064) and the byte-order mark U+FEFF, which hide or move text without being seen.
 * Everything else (text in any script, quotes, backslashes) is kept as it is.
 */
const UNSAFE_IN_LOG = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeCharacter = (character: string): string =>
  SHORT_ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

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
