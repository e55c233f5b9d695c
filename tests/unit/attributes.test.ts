import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ATTRIBUTES, readAttributes, type AttributeRules, type Attributes } from '../../server/src/pipeline/attributes';
import { refusedWith } from '../harness/refusals';
import { asLatin1, headers } from './fake-headers';

const RULES: AttributeRules = {
  emailHeader: 'remote-email',
  firstNameHeader: 'remote-firstname',
  lastNameHeader: 'remote-lastname',
  groupsHeader: 'remote-groups',
  groupsSeparator: ',',
};
const NONE: AttributeRules = { emailHeader: null, firstNameHeader: null, lastNameHeader: null, groupsHeader: null, groupsSeparator: ',' };
const EMPTY: Attributes = { email: null, firstName: null, lastName: null, groups: null };

const read = (...lines: Array<[string, string]>): Attributes => readAttributes(headers(...lines), RULES);
const groupsOf = (value: string, separator = ','): readonly string[] | null =>
  readAttributes(headers(['Remote-Groups', value]), { ...RULES, groupsSeparator: separator }).groups;

/** [configured header name as sent on the wire, key in Attributes] */
const SINGLE_VALUED = [
  ['Remote-Email', 'email'],
  ['Remote-FirstName', 'firstName'],
  ['Remote-LastName', 'lastName'],
] as const;
const ALL_HEADERS = [...SINGLE_VALUED.map(([name]) => name), 'Remote-Groups'];

// --- nothing configured, nothing sent ---------------------------------------------------

test('NO_ATTRIBUTES is all null', () => {
  assert.deepEqual(NO_ATTRIBUTES, EMPTY);
});

test('no attribute header configured: nothing is read, whatever the request carries', () => {
  const source = headers(
    ['Remote-Email', 'admin@corp.example'],
    ['Remote-Groups', 'admins'],
    ['Remote-Groups', 'x'],
    ['Remote_FirstName', 'Eve\u0000'],
  );
  assert.deepEqual(readAttributes(source, NONE), EMPTY);
});

test('configured headers that are absent read as null', () => {
  assert.deepEqual(read(), EMPTY);
  assert.deepEqual(read(['Remote-User', 'jane@corp.example'], ['Accept', 'text/html']), EMPTY);
});

test('all four attributes are read; header names match case-insensitively', () => {
  assert.deepEqual(
    read(['remote-email', 'Jane.Doe@Corp.Example'], ['REMOTE-FIRSTNAME', 'Jane'], ['Remote-Lastname', 'Doe'], ['Remote-Groups', 'cms-editors,staff']),
    { email: 'Jane.Doe@Corp.Example', firstName: 'Jane', lastName: 'Doe', groups: ['cms-editors', 'staff'] },
  );
});

test('only the configured attributes are read', () => {
  const source = headers(['Remote-Email', 'jane@corp.example'], ['Remote-Groups', 'staff']);
  assert.deepEqual(readAttributes(source, { ...NONE, groupsHeader: 'remote-groups' }), { ...EMPTY, groups: ['staff'] });
  assert.deepEqual(readAttributes(source, { ...NONE, emailHeader: 'remote-email' }), { ...EMPTY, email: 'jane@corp.example' });
});

// --- values -----------------------------------------------------------------------------

test('values are trimmed', () => {
  assert.deepEqual(read(['Remote-FirstName', '  Jane  '], ['Remote-LastName', '\tDoe '], ['Remote-Email', ' jane@corp.example']), {
    ...EMPTY,
    email: 'jane@corp.example',
    firstName: 'Jane',
    lastName: 'Doe',
  });
});

test('an empty or blank e-mail / name header reads as null', () => {
  for (const value of ['', ' ', '   ', '\t']) {
    assert.deepEqual(read(['Remote-Email', value], ['Remote-FirstName', value], ['Remote-LastName', value]), EMPTY, JSON.stringify(value));
  }
});

test('names may contain spaces, commas, apostrophes and hyphens', () => {
  assert.deepEqual(read(['Remote-FirstName', 'Mary Ann'], ['Remote-LastName', "O'Brien-Smith, Jr."]), {
    ...EMPTY,
    firstName: 'Mary Ann',
    lastName: "O'Brien-Smith, Jr.",
  });
});

test('the e-mail attribute is returned as sent (it is validated when it is used, see withAttributes)', () => {
  assert.equal(read(['Remote-Email', 'Not An Address']).email, 'Not An Address');
});

// --- latin1 → UTF-8 ---------------------------------------------------------------------

test('UTF-8 sent by the proxy (which Node hands over as latin1) is decoded', () => {
  for (const name of ['Zoë', 'Łukasz', 'Ærøskøbing', '山田', 'Ἀθηνᾶ', 'José María', '\u{1F600}']) {
    assert.equal(read(['Remote-FirstName', asLatin1(name)]).firstName, name, name);
    assert.equal(read(['Remote-LastName', asLatin1(name)]).lastName, name, name);
  }
  assert.deepEqual(groupsOf(asLatin1('Rédaction, Ventes, 営業')), ['Rédaction', 'Ventes', '営業']);
});

test('the e-mail attribute is decoded too, so look-alikes show as what they are (T9)', () => {
  assert.equal(read(['Remote-Email', asLatin1('admİn@corp.example')]).email, 'admİn@corp.example');
});

test('bytes that are not valid UTF-8 are kept as latin1', () => {
  // A proxy that really sends latin1: "Zoë" as the single byte 0xEB.
  assert.equal(read(['Remote-FirstName', 'Zo\u00eb']).firstName, 'Zo\u00eb');
  assert.equal(read(['Remote-LastName', 'M\u00fcller']).lastName, 'Müller');
});

test('ASCII values are left alone', () => {
  assert.equal(read(['Remote-FirstName', 'Jane']).firstName, 'Jane');
});

// --- groups -----------------------------------------------------------------------------

test('groups: null when the header is absent, [] when it is present but empty', () => {
  assert.equal(read().groups, null);
  assert.deepEqual(groupsOf(''), []);
  assert.deepEqual(groupsOf('   '), []);
  assert.deepEqual(groupsOf(','), []);
  assert.deepEqual(groupsOf(' , ,, '), []);
});

test('groups: split on the separator, trimmed, empties dropped, order kept', () => {
  assert.deepEqual(groupsOf('cms-editors'), ['cms-editors']);
  assert.deepEqual(groupsOf('b, a ,c'), ['b', 'a', 'c']);
  assert.deepEqual(groupsOf(',staff,,cms-editors,'), ['staff', 'cms-editors']);
  assert.deepEqual(groupsOf('Domain Users, CMS Editors'), ['Domain Users', 'CMS Editors']);
});

test('groups: duplicates are removed, first occurrence kept', () => {
  assert.deepEqual(groupsOf('staff,admins,staff, staff ,admins'), ['staff', 'admins']);
});

test('groups: a custom separator is used literally, and commas then stay inside group names', () => {
  assert.deepEqual(groupsOf('a;b; c', ';'), ['a', 'b', 'c']);
  assert.deepEqual(groupsOf('CN=Editors,OU=CMS;CN=Staff,OU=All', ';'), ['CN=Editors,OU=CMS', 'CN=Staff,OU=All']);
  assert.deepEqual(groupsOf('a|b|c', '|'), ['a', 'b', 'c']);
  assert.deepEqual(groupsOf('a.b.c', '.'), ['a', 'b', 'c']);
  assert.deepEqual(groupsOf('a*b', '*'), ['a', 'b']);
  assert.deepEqual(groupsOf('a||b|c', '||'), ['a', 'b|c']);
  assert.deepEqual(groupsOf('a, b', ';'), ['a, b']);
});

test('groups: the groups header does not feed the name or e-mail attributes', () => {
  assert.deepEqual(read(['Remote-Groups', 'admin@corp.example']), { ...EMPTY, groups: ['admin@corp.example'] });
});

// --- exactly one occurrence (T5) ------------------------------------------------------------

test('each attribute header must occur exactly once (duplicate-header, 400)', () => {
  for (const name of ALL_HEADERS) {
    for (const [first, second] of [
      ['a', 'b'],
      ['same', 'same'],
      ['', 'admins'],
      ['admins', ''],
    ]) {
      const refusal = refusedWith('duplicate-header', () => read([name, first], [name, second]), `${name}: ${first} / ${second}`);
      assert.equal(refusal.status, 400);
    }
    refusedWith('duplicate-header', () => read([name, 'a'], [name.toUpperCase(), 'b']), name);
    refusedWith('duplicate-header', () => read([name, 'a'], [name, 'b'], [name, 'c']), name);
  }
});

test('a joined-looking value is not split into duplicates: the single groups header is just a list', () => {
  assert.deepEqual(groupsOf('a, b'), ['a', 'b']);
});

// --- look-alike names (T4) ------------------------------------------------------------------

test('a twin spelled with "_" is refused (header-twin, 400), with or without the real header', () => {
  for (const name of ALL_HEADERS) {
    const twin = name.replace(/-/g, '_');
    const alone = refusedWith('header-twin', () => read([twin, 'x']), twin);
    assert.equal(alone.status, 400);
    assert.match(alone.reason, new RegExp(twin));
    refusedWith('header-twin', () => read([name, 'x'], [twin, 'y']), `${name} + ${twin}`);
    refusedWith('header-twin', () => read([twin, 'y'], [name, 'x']), `${twin} + ${name}`);
    refusedWith('header-twin', () => read([twin.toLowerCase(), 'y']), twin.toLowerCase());
  }
});

test('a twin of a header that is not configured is not looked at', () => {
  assert.deepEqual(readAttributes(headers(['Remote_Groups', 'admins']), { ...RULES, groupsHeader: null }), EMPTY);
});

test('a twin is refused even when it is empty', () => {
  refusedWith('header-twin', () => read(['Remote-Groups', 'staff'], ['Remote_Groups', '']));
});

// --- control characters and length (T7) ---------------------------------------------------------

test('control characters inside a value are refused (forbidden-character, 400)', () => {
  for (const name of ALL_HEADERS) {
    for (const value of ['Ja\u0000ne', 'Ja\u0007ne', 'Ja\tne', 'Ja\nne', 'Jane\r\nX-Injected: 1', 'Ja\u001bne', 'Ja\u001fne', 'Ja\u007fne']) {
      const refusal = refusedWith('forbidden-character', () => read([name, value]), `${name}: ${JSON.stringify(value)}`);
      assert.equal(refusal.status, 400);
      assert.ok(!refusal.reason.includes(value), 'the reason does not echo the value');
    }
  }
});

test(
  'C1 control characters (U+0080-U+009F) are refused like other control characters',
  
  () => {
    for (const name of ALL_HEADERS) {
      for (const value of [asLatin1('Jo\u0085e'), 'Jo\u0085e', asLatin1('Jo\u009be'), 'Jo\u0080e']) {
        refusedWith('forbidden-character', () => read([name, value]), `${name}: ${JSON.stringify(value)}`);
      }
    }
  },
);

test('e-mail and names: up to 256 characters, measured after trimming', () => {
  for (const [name, key] of SINGLE_VALUED) {
    const max = 'a'.repeat(256);
    assert.equal(read([name, max])[key], max, name);
    assert.equal(read([name, `  ${max}  `])[key], max, name);
    const refusal = refusedWith('value-too-long', () => read([name, `${max}a`]), name);
    assert.equal(refusal.status, 400);
    assert.match(refusal.reason, /257 characters long \(limit 256\)/);
  }
});

test('e-mail and names: the limit counts decoded characters, not UTF-8 bytes', () => {
  const name = 'é'.repeat(256);
  assert.equal(asLatin1(name).length, 512);
  assert.equal(read(['Remote-FirstName', asLatin1(name)]).firstName, name);
  refusedWith('value-too-long', () => read(['Remote-FirstName', asLatin1(`${name}é`)]));
});

test('groups: up to 8192 characters for the whole header, 256 per group', () => {
  const many = Array.from({ length: 31 }, (_, i) => `${String(i).padStart(2, '0')}${'g'.repeat(253)}`).join(',');
  assert.equal(many.length, 31 * 255 + 30);
  assert.equal(groupsOf(many)?.length, 31);
  const value = `${many},${'h'.repeat(8192 - many.length - 1)}`;
  assert.equal(value.length, 8192);
  assert.equal(groupsOf(value)?.length, 32);
  const refusal = refusedWith('value-too-long', () => groupsOf(`${value}h`));
  assert.equal(refusal.status, 400);
  assert.match(refusal.reason, /8193 characters long \(limit 8192\)/);
  // One group is capped at 256 characters (it is matched against patterns).
  assert.deepEqual(groupsOf('g'.repeat(256)), ['g'.repeat(256)]);
  assert.match(refusedWith('value-too-long', () => groupsOf('g'.repeat(257))).reason, /257 characters long \(limit 256\)/);
});

test('one bad header refuses the whole read, even when the others are fine', () => {
  refusedWith('duplicate-header', () =>
    read(['Remote-Email', 'jane@corp.example'], ['Remote-FirstName', 'Jane'], ['Remote-Groups', 'a'], ['Remote-Groups', 'b']),
  );
  refusedWith('forbidden-character', () => read(['Remote-Groups', 'staff'], ['Remote-LastName', 'Do\u0000e']));
});

test('readAttributes does not modify the header source', () => {
  const source = headers(['Remote-Groups', ' a, b '], ['Remote-FirstName', asLatin1('Zoë')]);
  const before = JSON.stringify([source.rawHeaders, Object.entries(source.headersDistinct)]);
  readAttributes(source, RULES);
  assert.equal(JSON.stringify([source.rawHeaders, Object.entries(source.headersDistinct)]), before);
});
