/**
 * Classes of characters the earlier passes' examples did not reach (found by a mutation pass on
 * text-values.ts and log-text.ts: each class below could be dropped from FORBIDDEN_IN_VALUE or
 * UNSAFE_IN_LOG without a test failing, because every example of it was also in another class):
 * - format characters (\p{Cf}) that are not default-ignorable: the Arabic number signs
 *   U+0600–U+0605, U+06DD, the Syriac abbreviation mark U+070F, U+08E2, the interlinear
 *   annotation characters U+FFF9–U+FFFB (which hide the text between them in a renderer that
 *   honours them), the Kaithi number sign U+110BD, the Egyptian hieroglyph format controls;
 * - the line and paragraph separators U+2028 / U+2029 (Zl, Zp: neither a control nor a format
 *   character nor a space separator), which end a line in some viewers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasForbiddenText } from '../../server/src/pipeline/text-values';
import { escapeLogText } from '../../server/src/pipeline/log-text';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { refusedWith } from '../harness/refusals';
import { asLatin1, headers } from './fake-headers';

const FORMAT_NOT_IGNORABLE = ['\u0600', '\u0605', '\u06dd', '\u070f', '\u08e2', '\ufff9', '\ufffa', '\ufffb', '\u{110bd}', '\u{13430}'];
const SEPARATORS = ['\u2028', '\u2029'];
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`;
const RULES: AttributeRules = { emailHeader: null, firstNameHeader: 'x-first', lastNameHeader: null, groupsHeader: 'x-groups', groupsSeparator: ',' };

test('the examples are what they claim: Cf but not default-ignorable; Zl/Zp', () => {
  for (const c of FORMAT_NOT_IGNORABLE) {
    assert.ok(/\p{Cf}/u.test(c) && !/\p{Default_Ignorable_Code_Point}/u.test(c) && !/\p{Cn}/u.test(c), hex(c));
  }
  for (const c of SEPARATORS) assert.ok(/[\p{Zl}\p{Zp}]/u.test(c), hex(c));
});

test('format characters that are not default-ignorable, and U+2028/U+2029, are refused in a value, at the end and inside', () => {
  for (const c of [...FORMAT_NOT_IGNORABLE, ...SEPARATORS]) {
    for (const value of [`admins${c}`, `adm${c}ins`, `${c}admins`, `Ev${c}e`]) assert.ok(hasForbiddenText(value), `${hex(c)} in ${JSON.stringify(value)}`);
  }
});

test('attribute headers refuse them in a name and in a group (forbidden-character)', () => {
  for (const c of [...FORMAT_NOT_IGNORABLE, ...SEPARATORS]) {
    refusedWith('forbidden-character', () => readAttributes(headers(['x-first', asLatin1(`Bo${c}ss`)]), RULES), `name ${hex(c)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', asLatin1(`editors,admins${c}`)]), RULES), `group ${hex(c)}`);
  }
});

test('log lines write the format characters that are not default-ignorable as visible escapes', () => {
  assert.equal(escapeLogText('a\ufff9hidden\ufffbb'), 'a\\ufff9hidden\\ufffbb');
  assert.equal(escapeLogText('x\u0600y\u070fz'), 'x\\u0600y\\u070fz');
  assert.equal(escapeLogText('x\u{110bd}y'), 'x\\ud804\\udcbdy');
  for (const c of FORMAT_NOT_IGNORABLE) assert.doesNotMatch(escapeLogText(`a${c}b`), new RegExp(c, 'u'), hex(c));
});

test('a value that starts with a combining mark is refused (it shows as the rest with a stray accent); marks after a letter stay', () => {
  for (const value of ['\u0301admins', '\u0308Zoe', '\u094d\u0915']) assert.ok(hasForbiddenText(value), JSON.stringify(value));
  for (const value of ['Zoe\u0308', 'Jose\u0301', '\u0915\u094d\u0937']) assert.equal(hasForbiddenText(value), false, JSON.stringify(value));
});
