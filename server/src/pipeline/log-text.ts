/**
 * Log lines quote request-derived values (identities, header values, claims,
 * paths). A value must never be able to end the line and start a forged one,
 * rewrite what a terminal shows, or hide text (T27). Every character that could
 * is written as a visible escape instead, by kind (a list of characters misses
 * the next one that shows as nothing):
 * - controls: C0 (CR, LF, TAB and ESC — the start of every ANSI sequence), DEL, C1 (NEL, the
 *   one-byte CSI…), and the line and paragraph separators U+2028 / U+2029;
 * - every format character (\p{Cf}): bidirectional marks, embeddings, overrides and isolates,
 *   which reorder what a viewer shows; invisible operators, U+FEFF, the soft hyphen, tags…;
 * - every default-ignorable code point, assigned or not (U+034F, the Hangul fillers, variation
 *   selectors, U+2065, U+E0000–U+E0FFF…), which a viewer shows as nothing;
 * - code points with no agreed glyph: unassigned (\p{Cn}, the noncharacters among them), private
 *   use (\p{Co}) and lone surrogates (\p{Cs}, which a JSON claim can carry);
 * the joiners U+200C/U+200D among them (a log says exactly what was sent: "admins\u200d" is not
 * "admins"). Everything else (text in any script, quotes, backslashes, spaces) is kept as it is.
 */
const UNSAFE_IN_LOG = /[\p{Cc}\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cn}\p{Co}\p{Cs}]/gu;

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
