/**
 * The pure parts of the fourth attack pass's findings:
 * - R4-F3: values carrying a character that shows as nothing without being one the refusal listed
 *   (an unassigned default-ignorable code point such as U+2065, a private-use character, a
 *   noncharacter, any unassigned code point, a lone surrogate) were accepted: `Boss\u2065` was
 *   stored and shown as "Boss", a group `admins\u2065` matched `admin*`. Log lines wrote them raw.
 * - R4-F4: the tag of a masked identity (`ja**@corp.example #8c7e31`) was the unsalted SHA-256 of
 *   the value: whoever reads the activity rows or a CSV export could try the hidden characters, or
 *   a list of colleagues, offline. The tag is an HMAC keyed from the installation's secret now.
 * - R4-F5: an AWS ALB key (a PEM per kid) was kept until evicted and never fetched again, so a key
 *   the load balancer withdrew stayed valid for good. It is re-fetched like a JWKS now: in the
 *   background after REFRESH_AFTER_MS, and past maxKeyAgeSeconds only what a re-fetch confirms is
 *   used; a 404/403 drops it. Re-fetching a cached kid draws on no budget for new kids.
 * Against Strapi: tests/integration/attack-regressions-round4.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '@strapi/strapi';
import { errors } from 'jose';
import { hasForbiddenText } from '../../server/src/pipeline/text-values';
import { escapeLogText, logLine } from '../../server/src/pipeline/log-text';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { createMasking, maskTagKey, type Masking } from '../../server/src/pipeline/masking';
import { createInstallationMasking } from '../../server/src/strapi/infrastructure/masking-key';
import { toRow } from '../../server/src/strapi/activity/activity-rows';
import { createKeyStore, FAILED_FETCH_RETRY_MS, REFRESH_AFTER_MS, UNKNOWN_KID_FETCHES, type KeyRequester } from '../../server/src/signed-assertions/key-store';
import { KeysUnavailable } from '../../server/src/signed-assertions/assertion-refusals';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, type SigningKey } from '../harness/assertion-tokens';
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
  for (const value of ['\u0915\u094d\u200d\u0937', '\u0645\u06cc\u200c\u062e', '\u{1f469}\u200d\u{1f4bb}', '\u{1f469}\u{1f3fd}\u200d\u{1f4bb}', 'Zoe\u0308', 'Жанна', '山田', '\u0e01\u0e33']) {
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
  assert.equal(escapeLogText('\u0915\u094d\u200d\u0937 Жанна'), '\u0915\u094d\\u200d\u0937 Жанна', 'letters stay, the joiner is escaped');
});

// --- G3: a joiner only where a script needs one ---------------------------------------------------

test('G3 joiners alone, with marks only, at either end, doubled, or beside a space, digit or Latin/Greek/Cyrillic letter are refused', () => {
  for (const value of [
    '\u200d', '\u200c\u200d', '\u200c \u200c', '\u0301\u200d\u0301', '\u094d\u200d', // blank: joiners and marks only
    'admins\u200d', '\u200dadmins', 'ad\u200cmins', 'ab\u200ccd', '\u0430\u200d\u0431', '\u03b1\u200c\u03b2', // Latin, Cyrillic, Greek
    '\u0915\u200d\u200d\u0937', '\u0915 \u200d\u0937', '1\u200d\u0915', '\u0915\u200d', '\u{1f469}\u200d', // doubled, beside a space or digit, at the end
    'admins\u0301\u200d\u0301', 'admins\u0301\u200d\u0915', '\u0915\u200d\u0301', // after a Latin letter's mark, before a lone mark (sixth pass)
  ]) {
    assert.ok(hasForbiddenText(value), JSON.stringify(value));
  }
});

test('G3 attribute headers and signed claims refuse "admins" + U+200D as a group and a name of joiners', () => {
  refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', asLatin1('editors,admins\u200d')]), RULES));
  refusedWith('forbidden-character', () => readAttributes(headers(['x-first', asLatin1('\u200d\u200c')]), RULES));
  const pomerium = compileSignedRules({ preset: 'pomerium', routeDomain: 'cms.example.com' });
  const CLAIMS = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: false } as const;
  const base = { iss: 'cms.example.com', sub: 'u1', email: 'jane@corp.example', exp: 1 };
  refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, groups: ['editors', 'admins\u200d'] }, pomerium, CLAIMS));
  refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, given_name: '\u200d' }, pomerium, CLAIMS));
  refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, email: 'ja\u200cne@corp.example' }, pomerium, CLAIMS));
});

test('G3 log lines write the joiners as visible escapes too', () => {
  assert.equal(logLine`group "${'admins\u200d'}"`, 'group "admins\\u200d"');
  assert.equal(escapeLogText('\u200c'), '\\u200c');
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

// --- R4-F5: an ALB key is re-fetched, and dropped once withdrawn --------------------------------

let keyServer: KeyServer;
let albKey: SigningKey;
let otherKey: SigningKey;
before(async () => {
  albKey = await createSigningKey('ES256');
  otherKey = await createSigningKey('ES256');
  keyServer = await startKeyServer(albKey, otherKey);
});
after(() => keyServer?.close());

const MAX_KEY_AGE_S = 3600;
const NO_TOKEN = { protected: '', payload: '', signature: '' };
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const proxy: KeyRequester = { network: '10.0.0.0/24', reserved: true, listed: true };

/** A fresh ALB store on the key server (its own base URL, so request counts are its own), with a clock the test moves. */
function albStore() {
  let time = 5_000_000;
  keyServer.mode = 'ok';
  keyServer.publish(albKey, otherKey);
  const store = createKeyStore({ kind: 'pem-per-kid', baseUrl: keyServer.pemBaseUrl }, MAX_KEY_AGE_S, () => time);
  const keyFor = (kid: string, requester: KeyRequester = proxy) => store.keyFor({ alg: 'ES256', kid }, NO_TOKEN, requester);
  return { store, keyFor, advance: (ms: number) => (time += ms), fetchesOf: (kid: string) => keyServer.requestsTo(`/pem/${kid}`) };
}

test('R4-F5 a withdrawn ALB key (404) stops being accepted: re-fetched in the background after REFRESH_AFTER_MS, then refused', async () => {
  const { keyFor, advance, fetchesOf } = albStore();
  const before = fetchesOf(albKey.kid);
  assert.ok(await keyFor(albKey.kid));
  advance(REFRESH_AFTER_MS - 1);
  assert.ok(await keyFor(albKey.kid));
  assert.equal(fetchesOf(albKey.kid), before + 1, 'young: served from the cache');
  keyServer.publish(otherKey);
  advance(2);
  assert.ok(await keyFor(albKey.kid), 'the request that finds it old is served while the re-fetch runs (as for a JWKS)');
  await settle();
  assert.equal(fetchesOf(albKey.kid), before + 2, 're-fetched once');
  await assert.rejects(keyFor(albKey.kid), errors.JWKSNoMatchingKey);
  await assert.rejects(keyFor(albKey.kid), errors.JWKSNoMatchingKey);
  assert.equal(fetchesOf(albKey.kid), before + 2, 'a withdrawn kid is not fetched again during its cool-down');
});

test('R4-F5 a key URL answering 403 withdraws the key like a 404: refused after the background re-fetch', async () => {
  const { keyFor, advance, fetchesOf } = albStore();
  assert.ok(await keyFor(albKey.kid));
  keyServer.mode = 'forbidden';
  advance(REFRESH_AFTER_MS + 1);
  assert.ok(await keyFor(albKey.kid), 'served while the re-fetch runs');
  await settle();
  const after = fetchesOf(albKey.kid);
  await assert.rejects(keyFor(albKey.kid), errors.JWKSNoMatchingKey);
  assert.equal(fetchesOf(albKey.kid), after, 'not fetched again during its cool-down');
  keyServer.mode = 'ok';
});

test('R4-F5 past maxKeyAgeSeconds an ALB key is used only once a re-fetch confirms it: withdrawn, the first request after is refused', async () => {
  const { keyFor, advance, fetchesOf } = albStore();
  assert.ok(await keyFor(albKey.kid));
  keyServer.publish(otherKey);
  advance(MAX_KEY_AGE_S * 1000 + 1);
  await assert.rejects(keyFor(albKey.kid), errors.JWKSNoMatchingKey);
  keyServer.publish(albKey, otherKey);
  const before = fetchesOf(otherKey.kid);
  assert.ok(await keyFor(otherKey.kid), 'other kids are not affected');
  advance(MAX_KEY_AGE_S * 1000 + 1);
  assert.ok(await keyFor(otherKey.kid), 'still published: confirmed and used');
  assert.equal(fetchesOf(otherKey.kid), before + 2);
});

test('R4-F5 made-up kids that spend every budget for new kids do not keep a withdrawn ALB key valid: re-fetching a cached kid is not budgeted', async () => {
  const { keyFor, advance, fetchesOf } = albStore();
  assert.ok(await keyFor(albKey.kid));
  keyServer.publish(otherKey);
  advance(MAX_KEY_AGE_S * 1000 + 1);
  let refusedForBudget = 0;
  for (let i = 0; i < 4 * UNKNOWN_KID_FETCHES; i++) {
    for (const requester of [proxy, { network: `198.51.${i}.0/24`, reserved: false }]) {
      await keyFor(randomUUID(), requester).catch((error: unknown) => {
        if (error instanceof KeysUnavailable) refusedForBudget++;
        else if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      });
    }
  }
  assert.ok(refusedForBudget > 0, 'the budgets for new kids are spent');
  const before = fetchesOf(albKey.kid);
  await assert.rejects(keyFor(albKey.kid), errors.JWKSNoMatchingKey);
  assert.equal(fetchesOf(albKey.kid), before + 1, 'the cached kid was re-fetched all the same');
});

test('R4-F5 while the key URL fails, a cached ALB key keeps working until maxKeyAgeSeconds, then keys-unavailable; it comes back with the key URL', async () => {
  for (const mode of ['down', 'error'] as const) {
    const { store, keyFor, advance, fetchesOf } = albStore();
    assert.ok(await keyFor(albKey.kid));
    keyServer.mode = mode;
    advance(REFRESH_AFTER_MS + 1);
    assert.ok(await keyFor(albKey.kid), `${mode}: served while the re-fetch fails`);
    await settle();
    assert.ok(store.describe().lastError, `${mode}: the failure is shown`);
    const tried = fetchesOf(albKey.kid);
    assert.ok(await keyFor(albKey.kid), `${mode}: still within maxKeyAgeSeconds`);
    await settle();
    assert.equal(fetchesOf(albKey.kid), tried, `${mode}: a failed re-fetch is not retried within FAILED_FETCH_RETRY_MS`);
    advance(MAX_KEY_AGE_S * 1000);
    await assert.rejects(keyFor(albKey.kid), (error: unknown) => error instanceof KeysUnavailable && /older than maxKeyAgeSeconds/.test(error.message), mode);
    await assert.rejects(keyFor(albKey.kid), (error: unknown) => error instanceof KeysUnavailable, `${mode}: failed moments ago`);
    keyServer.mode = 'ok';
    advance(FAILED_FETCH_RETRY_MS);
    assert.ok(await keyFor(albKey.kid), `${mode}: back with the key URL`);
  }
});

test('R4-F5 many requests for an old ALB key cause one re-fetch, not one each', async () => {
  const { keyFor, advance, fetchesOf } = albStore();
  assert.ok(await keyFor(albKey.kid));
  const before = fetchesOf(albKey.kid);
  advance(REFRESH_AFTER_MS + 1);
  await Promise.all(Array.from({ length: 20 }, () => keyFor(albKey.kid)));
  await settle();
  for (let i = 0; i < 20; i++) assert.ok(await keyFor(albKey.kid));
  assert.equal(fetchesOf(albKey.kid), before + 1);
  advance(MAX_KEY_AGE_S * 1000 + 1);
  await Promise.all(Array.from({ length: 20 }, () => keyFor(albKey.kid)));
  assert.equal(fetchesOf(albKey.kid), before + 2);
});
