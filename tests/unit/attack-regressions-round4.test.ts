/**
 * The pure parts of the fourth attack pass's findings:
 * - R4-F3: values carrying a character that shows as nothing without being one the refusal listed
 *   (an unassigned default-ignorable code point such as U+2065, a private-use character, a
 *   noncharacter, any unassigned code point, a lone surrogate) were accepted: `Boss\u2065` was
 *   stored and shown as "Boss", a group `admins\u2065` matched `admin*`. Log lines wrote them raw.
 * - R4-F4: the tag of a masked identity (`ja**@corp.example #8c7e31`) was the unsalted SHA-256 of
 *   the value: whoever reads the activity rows or a CSV export could try the hidden characters, or
 *   a list of colleagues, offline. The tag is an HMAC keyed from the installation's secret now.
 * Against Strapi: tests/integration/attack-regressions-round4.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '@strapi/strapi';
import { hasForbiddenText } from '../../server/src/pipeline/text-values';
import { escapeLogText, logLine } from '../../server/src/pipeline/log-text';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { createMasking, maskTagKey, type Masking } from '../../server/src/pipeline/masking';
import { createInstallationMasking } from '../../server/src/strapi/infrastructure/masking-key';
import { toRow } from '../../server/src/strapi/activity/activity-rows';
import { refusedWith } from '../harness/refusals';
import { FIXTURE_ADMIN_SECRET, FIXTURE_MASK } from '../harness/masking';
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

// --- R4-F4: the tag of a masked identity is keyed with a secret of the installation ------------

const PEOPLE = ['jane@corp.example', 'ops7@corp.example', 'jane.doe@corp.example', 'jsmith', 'https://idp.example 248289761001'];
const tagOf = (masked: string): string => /#([0-9a-f]{6})$/.exec(masked)?.[1] ?? assert.fail(`no tag in ${masked}`);
const sha256Tag = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 6);

test('R4-F4 the tag depends on the key; the mask before it does not', () => {
  const one = createMasking(maskTagKey('secret one'));
  const other = createMasking(maskTagKey('secret two'));
  for (const person of PEOPLE) {
    const [a, b] = [one.identity(person), other.identity(person)];
    assert.notEqual(tagOf(a), tagOf(b), person);
    assert.equal(a.replace(/#\w+$/, ''), b.replace(/#\w+$/, ''), person);
  }
});

test('R4-F4 the same key gives the same tag: after a restart and on every instance sharing the configuration', () => {
  for (const person of PEOPLE) {
    assert.equal(createMasking(maskTagKey(FIXTURE_ADMIN_SECRET)).identity(person), FIXTURE_MASK.identity(person), person);
  }
  const strapiWith = (secret: unknown) => ({ config: { get: (key: string) => (key === 'admin.auth.secret' ? secret : undefined) }, log: { warn: () => undefined } }) as unknown as Core.Strapi;
  const [first, second] = [createInstallationMasking(strapiWith(FIXTURE_ADMIN_SECRET)), createInstallationMasking(strapiWith(FIXTURE_ADMIN_SECRET))];
  for (const person of PEOPLE) assert.equal(first.identity(person), second.identity(person), person);
  assert.equal(first.identity('jane@corp.example'), FIXTURE_MASK.identity('jane@corp.example'), 'keyed from admin.auth.secret');
});

test('R4-F4 without the key the tag cannot be computed: it is neither the value\'s SHA-256 nor an HMAC under the raw secret', () => {
  const underRawSecret = createMasking(Buffer.from(FIXTURE_ADMIN_SECRET));
  for (const person of PEOPLE) {
    const tag = tagOf(FIXTURE_MASK.identity(person));
    assert.notEqual(tag, sha256Tag(person), person);
    assert.notEqual(tag, tagOf(underRawSecret.identity(person)), `${person}: the raw secret keys nothing`);
    assert.equal(tag, createHmac('sha256', createHmac('sha256', FIXTURE_ADMIN_SECRET).update('remote-auth mask tag').digest()).update(person).digest('hex').slice(0, 6));
  }
});

/** The attack of the finding: every value of the hidden length whose tag, computed as `tag`, matches the mask. */
function bruteForce(masked: string, tag: (value: string) => string): string[] {
  const [, shown, stars, domain, wanted] = /^([^*]*)(\*+)(@\S+) #([0-9a-f]{6})$/.exec(masked)!;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789._-';
  const hits: string[] = [];
  const walk = (prefix: string, left: number): void => {
    if (left === 0) {
      const candidate = `${shown}${prefix}${domain}`;
      if (tag(candidate) === wanted) hits.push(candidate);
      return;
    }
    for (const c of alphabet) walk(prefix + c, left - 1);
  };
  walk('', stars.length);
  return hits;
}

test('R4-F4 the hidden characters of a stored mask cannot be found by trying them against SHA-256; with the key they could (the key is what protects them)', () => {
  const masked = FIXTURE_MASK.identity('ops7@corp.example');
  assert.deepEqual(bruteForce(masked, sha256Tag), []);
  assert.ok(bruteForce(masked, (value) => tagOf(FIXTURE_MASK.identity(value))).includes('ops7@corp.example'));
});

test('R4-F4 without admin.auth.secret the masking warns and keys its tags at random (per process), never the plain hash', () => {
  const warnings: string[] = [];
  const bare = { config: { get: () => undefined }, log: { warn: (line: string) => warnings.push(line) } } as unknown as Core.Strapi;
  const [one, two] = [createInstallationMasking(bare), createInstallationMasking(bare)];
  assert.notEqual(one.identity('jane.doe@corp.example'), two.identity('jane.doe@corp.example'));
  assert.notEqual(tagOf(one.identity('jane.doe@corp.example')), sha256Tag('jane.doe@corp.example'));
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /admin\.auth\.secret is not set/);
});

test('R4-F4 activity rows mask with the masking they are given: the identity column, the hint and the quoted identities', () => {
  const entry = { kind: 'refused' as const, reason: 'unknown-user' as const, status: 403, identity: 'jane.doe@corp.example', hint: 'no admin user for "jane.doe@corp.example"; john@corp.example is linked to "jsmith"' };
  const masking: Masking = createMasking(randomBytes(32));
  const row = toRow(entry, masking);
  assert.equal(row.identity, masking.identity('jane.doe@corp.example'));
  assert.equal(JSON.parse(row.details!).hint, masking.hint(entry.hint, entry.identity));
  assert.notEqual(toRow(entry, FIXTURE_MASK).identity, row.identity);
});

test('R4-F4 the purge one-liner in docs/operations.md computes the tag the plugin stores', () => {
  const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
  const script = /node -e '([^']+)' jane\.doe@corp\.example/.exec(docs)?.[1];
  assert.ok(script, 'the one-liner is in docs/operations.md');
  const tag = execFileSync(process.execPath, ['-e', script, 'jane.doe@corp.example'], { env: { ADMIN_JWT_SECRET: FIXTURE_ADMIN_SECRET }, encoding: 'utf8' }).trim();
  assert.equal(tag, tagOf(FIXTURE_MASK.identity('jane.doe@corp.example')));
});

