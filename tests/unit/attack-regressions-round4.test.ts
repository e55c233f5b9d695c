/**
 * The pure parts of the fourth attack pass's findings:
 * - R4-F3: values carrying a character that shows as nothing without being one the refusal listed
 *   (an unassigned default-ignorable code point such as U+2065, a private-use character, a
 *   noncharacter, any unassigned code point, a lone surrogate) were accepted: `Boss\u2065` was
 *   stored and shown as "Boss", a group `admins\u2065` matched `admin*`. Log lines wrote them raw.
 * Against Strapi: tests/integration/attack-regressions-round4.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasForbiddenText } from '../../server/src/pipeline/text-values';
import { escapeLogText, logLine } from '../../server/src/pipeline/log-text';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { refusedWith } from '../harness/refusals';
import { asLatin1, headers } from './fake-headers';

// --- R4-F3: invisible, unassigned, private-use and non-characters in names and groups ---------

/** One example of each kind, as the finding named them; none may appear in a name, address or group, nor raw in a log line. */
const INVISIBLE_KINDS: Readonly<Record<string, readonly string[]>> = {
  'default-ignorable, unassigned': ['\u2065', '\ufff0', '\ufff8', '\u{e0000}', '\u{e0002}', '\u{e001f}', '\u{e0080}', '\u{e0fff}'],
  'private use (Co)': ['\ue000', '\uf8ff', '\u{f0000}', '\u{10fffd}'],
  noncharacter: ['\ufdd0', '\ufdef', '\ufffe', '\uffff', '\u{1fffe}', '\u{10ffff}'],
  'unassigned (Cn)': ['\u0378', '\u{2fffd}', '\u{e0ffe}'],
  'lone surrogate (Cs)': ['\ud800', '\udfff'],
};
const EVERY_INVISIBLE = Object.values(INVISIBLE_KINDS).flat();
/** What only a signed claim can carry (JSON "\ud800"): a header is bytes, and UTF-8 has no lone surrogate. */
const headerCanCarry = (c: string) => !/\p{Cs}/u.test(c);
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`;
const RULES: AttributeRules = { emailHeader: 'x-email', firstNameHeader: 'x-first', lastNameHeader: null, groupsHeader: 'x-groups', groupsSeparator: ',' };

for (const [kind, characters] of Object.entries(INVISIBLE_KINDS)) {
  test(`R4-F3 ${kind}: refused at the end of a value and inside it`, () => {
    for (const c of characters) {
      for (const value of [`Boss${c}`, `adm${c}ins`, c]) assert.ok(hasForbiddenText(value), `${hex(c)} in ${JSON.stringify(value)}`);
    }
  });
}

test('R4-F3 the joiners scripts need, and letters with marks, are still accepted', () => {
  for (const value of ['\u0915\u094d\u200d\u0937', 'ab\u200ccd', '\u{1f469}\u200d\u{1f4bb}', 'Zoe\u0308', 'Жанна', '山田', '\u0e01\u0e33']) {
    assert.equal(hasForbiddenText(value), false, JSON.stringify(value));
  }
});

test('R4-F3 attribute headers: "Boss" + U+2065 as a name, "admins" + U+2065 as a group, are refused (forbidden-character)', () => {
  for (const c of EVERY_INVISIBLE.filter(headerCanCarry)) {
    refusedWith('forbidden-character', () => readAttributes(headers(['x-first', asLatin1(`Boss${c}`)]), RULES), `name ${hex(c)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', asLatin1(`editors,admins${c}`)]), RULES), `group ${hex(c)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-email', asLatin1(`jane@corp.example${c}`)]), RULES), `e-mail ${hex(c)}`);
  }
});

test('R4-F3 signed claims: a name, group or identity with any of them is refused (assertion-malformed)', () => {
  const pomerium = compileSignedRules({ preset: 'pomerium', routeDomain: 'cms.example.com' });
  const CLAIMS = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: false } as const;
  const base = { iss: 'cms.example.com', sub: 'u1', email: 'jane@corp.example', exp: 1 };
  for (const c of EVERY_INVISIBLE) {
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, given_name: `Boss${c}` }, pomerium, CLAIMS), `name ${hex(c)}`);
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, groups: ['editors', `admins${c}`] }, pomerium, CLAIMS), `group ${hex(c)}`);
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, email: `jane@corp.example${c}` }, pomerium, CLAIMS), `identity ${hex(c)}`);
  }
});

test('R4-F3 log lines write each of them as a visible \\uXXXX escape (one per UTF-16 unit)', () => {
  for (const c of EVERY_INVISIBLE) {
    const escaped = escapeLogText(`Boss${c}`);
    const units = Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
    assert.equal(escaped, `Boss${units}`, hex(c));
  }
  assert.equal(logLine`refused "${'Boss\u2065'}"`, 'refused "Boss\\u2065"');
  assert.equal(escapeLogText('\u0915\u094d\u200d\u0937 Жанна'), '\u0915\u094d\u200d\u0937 Жанна', 'the joiners and letters stay');
});
