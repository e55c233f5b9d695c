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
 * alike (T27, T9). Refused by kind, not one by one, because a list of characters misses the next
 * one that shows as nothing ("Boss\u2065" was stored as a name shown as "Boss", a group
 * "admins\u2065" matched "admin*"):
 * - controls: C0, DEL, C1 (after UTF-8 decoding) and the line/paragraph separators U+2028/U+2029,
 *   which end a line in some viewers;
 * - every format character (\p{Cf}): the bidirectional marks, embeddings, overrides and isolates
 *   (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which make "Eve\u202egnp.exe" show as
 *   "Eveexe.png" in the admin, the invisible operators, U+FEFF, the soft hyphen, the zero-width
 *   space, the tags U+E0001–U+E007F…;
 * - every default-ignorable code point (\p{Default_Ignorable_Code_Point}), assigned or not: what a
 *   renderer must show as nothing even when it does not know the character (U+2065, U+FFF0–U+FFF8,
 *   U+E0000–U+E0FFF), the combining grapheme joiner U+034F, the Hangul fillers, the Mongolian and
 *   the other variation selectors, the Khmer inherent vowels U+17B4/U+17B5;
 * - but the joiners scripts need (U+200C/U+200D), which are Cf and default-ignorable, where a script
 *   needs them (MISPLACED_JOINER below);
 * - every space but the ASCII one (\p{Zs}: U+00A0, U+1680, U+2000–U+200A, U+202F, U+205F, U+3000),
 *   which looks like a space or like nothing at the end of a value;
 * - code points with no agreed glyph, which show as nothing, a box or whatever a font decides:
 *   unassigned (\p{Cn}, as of the Unicode version of the running Node.js; the noncharacters
 *   U+FDD0–U+FDEF and U+FFFE/U+FFFF of each plane are Cn for ever), private use (\p{Co}), and
 *   lone surrogates (\p{Cs}), which a JSON claim can carry ("\ud800") but no text is made of;
 * - symbols that render as a blank: the braille blank U+2800, the musical null notehead U+1D159
 *   and the object replacement character U+FFFC.
 */
export const FORBIDDEN_IN_VALUE =
  /(?![ \u200c\u200d])[\p{Cc}\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zs}\p{Cn}\p{Co}\p{Cs}\u2800\u{1d159}\ufffc]/u;

/**
 * The joiners are allowed only where a script needs them: after a letter or emoji of a script that
 * joins (with its marks or skin tone: a virama in Devanagari) and before another (between Arabic or
 * Persian letters, inside an emoji sequence). Anywhere else a joiner shows as nothing, so it is
 * refused: at either end of a value ("admins\u200d" passes for "admins"), beside a space, a digit,
 * punctuation, a lone mark or another joiner, and after or before any letter of Latin, Greek or
 * Cyrillic, marks or not, where no word needs one ("ad\u200cmins", "admins\u0301\u200d\u0301").
 */
const JOINS = String.raw`(?![\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}])[\p{L}\p{Extended_Pictographic}]`;
const MISPLACED_JOINER = new RegExp(String.raw`(?<!${JOINS}[\p{M}\p{Emoji_Modifier}]*)[\u200c\u200d]|[\u200c\u200d](?!${JOINS})`, 'u');

/**
 * Combining marks with no letter to sit on show as nothing, or as a lone accent: a value made of
 * marks (ASCII spaces and joiners between them aside), or one that starts with a mark
 * ("\u0301admins" shows as "admins" with a stray accent).
 */
const ONLY_MARKS = /^[\p{M} \u200c\u200d]+$|^\p{M}/u;

/** Does the value (already trimmed) contain a forbidden character or a misplaced joiner, or start with or consist of combining marks? */
export const hasForbiddenText = (value: string): boolean =>
  FORBIDDEN_IN_VALUE.test(value) || MISPLACED_JOINER.test(value) || ONLY_MARKS.test(value);

/** The reason a log line gives for such a value. */
export const FORBIDDEN_TEXT =
  'contains a control, formatting, invisible, unassigned or private-use character, a joiner where no script needs one or a space other than the ASCII one, or starts with or consists of combining marks';
