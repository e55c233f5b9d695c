/**
 * What an identity, name, e-mail address or group may contain, wherever it comes from (the
 * identity header, an attribute header, a signed claim). Two values that look the same must be
 * the same value: otherwise a group " admins\u00A0" that someone could create at the identity
 * provider would pass for the real "admins" and get its roles.
 */

/**
 * Trims ASCII spaces and tabs at either end, and nothing else. String#trim also strips U+00A0,
 * U+3000, U+2007 and every other Unicode space, and U+FEFF: a value ending in one of those would
 * become the value without it. Such a value is refused instead (hasForbiddenText).
 */
export const trimBlanks = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * Characters no name, address or group needs, refused in attribute headers and in signed claims
 * alike (T27, T9):
 * - C0, DEL, C1 (after UTF-8 decoding) and the line/paragraph separators U+2028/U+2029;
 * - every format character (\p{Cf}): the bidirectional marks, embeddings, overrides and isolates
 *   (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which make "Eve\u202egnp.exe" show as
 *   "Eveexe.png" in the admin, the invisible word joiner and operators (U+2060–U+2064), U+FEFF,
 *   soft hyphen U+00AD, U+180E, zero-width space U+200B, U+206A–U+206F, tags U+E0001–U+E007F, …
 *   but the joiners that scripts need (U+200C/U+200D);
 * - every space but the ASCII one (\p{Zs}: U+00A0, U+1680, U+2000–U+200A, U+202F, U+205F, U+3000),
 *   which looks like a space or like nothing at the end of a value;
 * - characters that render as nothing or as a blank though they are none of the above: the
 *   combining grapheme joiner U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the
 *   Mongolian variation selectors and vowel separator U+180B–U+180F, the variation selectors
 *   U+FE00–U+FE0F and U+E0100–U+E01EF, the braille blank U+2800, the Khmer inherent vowels
 *   U+17B4/U+17B5, the musical null notehead U+1D159 and the object replacement character U+FFFC.
 */
export const FORBIDDEN_IN_VALUE =
  /(?![ \u200c\u200d])[\p{Cc}\p{Cf}\p{Zs}\u2028\u2029\u034f\u115f\u1160\u3164\uffa0\u180b-\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u2800\u17b4\u17b5\u{1d159}\ufffc]/u;

/** Combining marks with no letter to sit on (ASCII spaces between them aside) show as nothing, or as a lone accent. */
const ONLY_MARKS = /^[\p{M} ]+$/u;

/** Does the value (already trimmed) contain a forbidden character, or consist of combining marks only? */
export const hasForbiddenText = (value: string): boolean => FORBIDDEN_IN_VALUE.test(value) || ONLY_MARKS.test(value);

/** The reason a log line gives for such a value. */
export const FORBIDDEN_TEXT = 'contains a control, formatting or invisible character or a space other than the ASCII one, or only combining marks';
