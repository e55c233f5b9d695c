import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from '../../server/src/pipeline/attributes';
import { isDomainName, isEmailAddress, toClaim, withAttributes, type Claim, type ClaimRules } from '../../server/src/pipeline/claim';
import { Refusal } from '../../server/src/pipeline/refusal';
import { refusedWith } from '../harness/refusals';
import { asLatin1 } from './fake-headers';

const EMAIL: ClaimRules = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: false };
const USERNAME: ClaimRules = { userField: 'username', emailDomain: 'corp.example', realms: [], linkByEmailHeader: false };
const REALM: ClaimRules = { userField: 'username', emailDomain: 'corp.example', realms: ['CORP.EXAMPLE'], linkByEmailHeader: false };

/** toClaim knows nothing about attribute headers (spelled out, not imported). */
const NO_ATTRIBUTES: Attributes = { email: null, firstName: null, lastName: null, groups: null };

// --- e-mail mode --------------------------------------------------------------

test('e-mail mode: the address is lower-cased and is both subject and email', () => {
  assert.deepEqual(toClaim('Jane.Doe@Corp.Example', EMAIL), {
    subject: 'jane.doe@corp.example',
    email: 'jane.doe@corp.example',
    username: null,
    emailLinks: true,
    attributes: NO_ATTRIBUTES,
  });
  assert.deepEqual(toClaim('JANE@CORP.EXAMPLE', EMAIL), toClaim('jane@corp.example', EMAIL));
});

test('e-mail mode: common valid addresses are accepted', () => {
  for (const value of ['a@b.co', 'first.last+tag@sub.corp.example', "o'brien@corp.example", 'x_y-z@corp-1.example']) {
    assert.equal(toClaim(value, EMAIL).email, value.toLowerCase(), value);
  }
});

test('e-mail mode: invalid addresses are refused (invalid-identity, 403)', () => {
  for (const value of [
    'jane',
    'jane@',
    '@corp.example',
    'jane@corp',
    'jane@@corp.example',
    'jane@corp@example.com',
    '.jane@corp.example',
    'jane.@corp.example',
    'ja..ne@corp.example',
    'jane@-corp.example',
    'jane@corp-.example',
    'jane@corp..example',
    'jane@127.0.0.1',
    'jane@[127.0.0.1]',
    '"jane"@corp.example',
  ]) {
    const refusal = refusedWith('invalid-identity', () => toClaim(value, EMAIL), value);
    assert.equal(refusal.status, 403);
  }
});

test('e-mail mode: a trailing dot in the domain is refused (T9)', () => {
  refusedWith('invalid-identity', () => toClaim('admin@corp.example.', EMAIL));
  refusedWith('invalid-identity', () => toClaim('admin@corp.example..', EMAIL));
});

test('e-mail mode: the refusal explains the username alternative', () => {
  const refusal = refusedWith('invalid-identity', () => toClaim('jane', EMAIL));
  assert.match(refusal.reason, /not an e-mail address.*userField is "email"/);
});

test('spaces and non-printable ASCII are refused (invalid-identity)', () => {
  for (const value of ['jane doe@corp.example', 'jane@corp.example\u0000', '\u0007jane@corp.example', 'ja\u007fne@corp.example', '']) {
    refusedWith('invalid-identity', () => toClaim(value, EMAIL), JSON.stringify(value));
  }
  refusedWith('invalid-identity', () => toClaim('jane doe', USERNAME));
});

// --- look-alikes (T9) -----------------------------------------------------------

const LOOK_ALIKES: Record<string, string> = {
  'dotted capital I': 'admİn@corp.example',
  'dotless i': 'admın@corp.example',
  'Kelvin sign': '\u212Aate@corp.example',
  'full-width letters': '\uFF41\uFF44\uFF4D\uFF49\uFF4E@corp.example',
  'Cyrillic a': '\u0430dmin@corp.example',
  'non-breaking space': 'admin\u00a0@corp.example',
  'zero-width space': 'ad\u200Bmin@corp.example',
  'Latin-1 e-acute': 'jos\u00e9@corp.example',
  'long s': '\u017Fam@corp.example',
  'full-width domain': 'admin@corp\uFF0Eexample',
};

for (const [label, value] of Object.entries(LOOK_ALIKES)) {
  test(`non-ASCII identity refused: ${label}`, () => {
    for (const rules of [EMAIL, USERNAME, REALM]) {
      const refusal = refusedWith('non-ascii-identity', () => toClaim(value, rules));
      assert.equal(refusal.status, 403);
    }
  });

  test(`non-ASCII identity refused as Node delivers it (UTF-8 bytes read as latin1): ${label}`, () => {
    const wire = asLatin1(value);
    assert.notEqual(wire, value);
    refusedWith('non-ascii-identity', () => toClaim(wire, EMAIL));
    refusedWith('non-ascii-identity', () => toClaim(wire, USERNAME));
  });
}

test('the latin1-decoded form of "admİn" is exactly adm\\u00c4\\u00b0n and is refused', () => {
  assert.equal(asLatin1('admİn@corp.example'), 'adm\u00c4\u00b0n@corp.example');
  refusedWith('non-ascii-identity', () => toClaim('adm\u00c4\u00b0n@corp.example', EMAIL));
  refusedWith('non-ascii-identity', () => toClaim('\u00e2\u0084\u00aaate@corp.example', EMAIL)); // Kelvin sign
  refusedWith('non-ascii-identity', () => toClaim('\u00ef\u00bd\u0081dmin@corp.example', EMAIL)); // full-width a
});

test('look-alikes never fold onto the ASCII account they imitate', () => {
  // If any of these were normalised instead of refused, they would come out as "admin@corp.example".
  for (const value of ['ADMİN@corp.example', '\uFF21DMIN@corp.example', 'adm\u0131n@corp.example']) {
    let claim: unknown = null;
    try {
      claim = toClaim(value, EMAIL);
    } catch {
      /* refused: fine */
    }
    assert.equal(claim, null, value);
  }
});

// --- username mode --------------------------------------------------------------

test('username mode: lower-cased, combined with emailDomain', () => {
  assert.deepEqual(toClaim('Jane.Doe', USERNAME), {
    subject: 'jane.doe',
    email: 'jane.doe@corp.example',
    username: 'jane.doe',
    emailLinks: true,
    attributes: NO_ATTRIBUTES,
  });
  assert.deepEqual(toClaim('j_smith-2', USERNAME), {
    subject: 'j_smith-2',
    email: 'j_smith-2@corp.example',
    username: 'j_smith-2',
    emailLinks: true,
    attributes: NO_ATTRIBUTES,
  });
  assert.equal(toClaim('x', USERNAME).email, 'x@corp.example');
});

test('username mode: the domain is lower-cased as well', () => {
  assert.equal(toClaim('jane', { ...USERNAME, emailDomain: 'CORP.Example' }).email, 'jane@corp.example');
});

test('username mode: invalid user names are refused', () => {
  for (const value of ['.jane', 'jane.', '-jane', 'jane-', 'ja ne', 'ja/ne', 'ja+ne', 'ja:ne', 'jane!']) {
    refusedWith('invalid-identity', () => toClaim(value, USERNAME), value);
  }
});

test(
  'username mode: the e-mail built from a user name is itself a valid e-mail address',
  
  () => {
    let claim;
    try {
      claim = toClaim('jane..doe', USERNAME);
    } catch (error) {
      assert.ok(error instanceof Refusal && error.code === 'invalid-identity');
      return;
    }
    assert.ok(isEmailAddress(claim.email), claim.email);
  },
);

test('username mode: "user@REALM" with no realms listed is refused as foreign-realm, with a hint (T19)', () => {
  const refusal = refusedWith('foreign-realm', () => toClaim('jane@CORP.EXAMPLE', USERNAME));
  assert.match(refusal.reason, /realms/);
  assert.match(refusal.reason, /CORP\.EXAMPLE/);
});

test('realms: "jane@CORP.EXAMPLE" → "jane", the realm matched in any case', () => {
  assert.deepEqual(toClaim('jane@CORP.EXAMPLE', REALM), {
    subject: 'jane',
    email: 'jane@corp.example',
    username: 'jane',
    emailLinks: true,
    attributes: NO_ATTRIBUTES,
  });
  assert.equal(toClaim('Jane.Doe@corp.example', REALM).subject, 'jane.doe');
  assert.equal(toClaim('jane@Corp.Example', { ...REALM, realms: ['corp.example'] }).subject, 'jane');
});

test('realms: a realm not listed is refused, never stripped (T19: alice@PARTNER.EXAMPLE is not the local alice)', () => {
  for (const raw of ['alice@PARTNER.EXAMPLE', 'alice@CORP.EXAMPLE.PARTNER.EXAMPLE', 'alice@EXAMPLE', 'alice@CORP-EXAMPLE', 'alice@']) {
    const refusal = refusedWith('foreign-realm', () => toClaim(raw, REALM), raw);
    assert.match(refusal.reason, /not in realms \(CORP\.EXAMPLE\)/, raw);
  }
});

test('realms: several realms may be listed', () => {
  const rules = { ...REALM, realms: ['CORP.EXAMPLE', 'EU.CORP.EXAMPLE'] };
  assert.equal(toClaim('jane@EU.CORP.EXAMPLE', rules).subject, 'jane');
  assert.equal(toClaim('jane@CORP.EXAMPLE', rules).subject, 'jane');
  refusedWith('foreign-realm', () => toClaim('jane@US.CORP.EXAMPLE', rules));
});

test('realms: the realm is never folded with Unicode rules (T9)', () => {
  // A Kelvin sign in the realm must not match a listed "K".
  refusedWith('non-ascii-identity', () => toClaim('jane@\u212aORP.EXAMPLE', { ...REALM, realms: ['KORP.EXAMPLE'] }));
});

test('realms: a value without a realm is used as is', () => {
  assert.equal(toClaim('jane', REALM).subject, 'jane');
});

test('realms: only the last "@" part is removed; what remains must still be a user name', () => {
  const refusal = refusedWith('invalid-identity', () => toClaim('jane@evil@CORP.EXAMPLE', REALM));
  assert.match(refusal.reason, /not a valid user name/);
  refusedWith('invalid-identity', () => toClaim('@CORP.EXAMPLE', REALM));
});

test('realms have no effect in e-mail mode', () => {
  assert.equal(toClaim('jane@corp.example', { ...EMAIL, realms: ['CORP.EXAMPLE'] }).email, 'jane@corp.example');
});

// --- normalizeIdentity hook ----------------------------------------------------------

test('normalizeIdentity can rewrite the value before validation', () => {
  const seen: string[] = [];
  const claim = toClaim('CORP\\jane', USERNAME, (value) => {
    seen.push(value);
    return value.replace(/^CORP\\/, '');
  });
  assert.deepEqual(seen, ['CORP\\jane']);
  assert.deepEqual(claim, { subject: 'jane', email: 'jane@corp.example', username: 'jane', emailLinks: true, attributes: NO_ATTRIBUTES });
});

test('normalizeIdentity output is trimmed and lower-cased in e-mail mode', () => {
  assert.equal(toClaim('jane', EMAIL, (value) => `  ${value}@Corp.Example `).email, 'jane@corp.example');
});

test('normalizeIdentity returning null, undefined, "" or a non-string refuses the identity', () => {
  for (const result of [null, undefined, '', '   ', 42, {}]) {
    const refusal = refusedWith('invalid-identity', () =>
      toClaim('jane@corp.example', EMAIL, () => result as string | null),
    );
    assert.match(refusal.reason, /normalizeIdentity hook rejected/, String(result));
  }
});

test('normalizeIdentity output is checked for non-ASCII again', () => {
  refusedWith('non-ascii-identity', () => toClaim('admin@corp.example', EMAIL, () => 'admİn@corp.example'));
});

test('normalizeIdentity output must still be a valid identity', () => {
  refusedWith('invalid-identity', () => toClaim('jane@corp.example', EMAIL, () => 'not an address'));
});

test('normalizeIdentity is not called for a non-ASCII raw value', () => {
  let called = false;
  refusedWith('non-ascii-identity', () =>
    toClaim('admİn@corp.example', EMAIL, (value) => {
      called = true;
      return value;
    }),
  );
  assert.equal(called, false);
});

// --- withAttributes ---------------------------------------------------------------------

const attrs = (overrides: Partial<Attributes> = {}): Attributes => ({ ...NO_ATTRIBUTES, ...overrides });
const PROFILE = attrs({ email: 'Jane.Doe@Mail.Example', firstName: 'Jane', lastName: 'Müller', groups: ['cms-editors'] });

test('withAttributes: toClaim always starts without attributes', () => {
  for (const [raw, rules] of [['jane@corp.example', EMAIL], ['jane', USERNAME], ['jane@CORP.EXAMPLE', REALM]] as const) {
    assert.deepEqual(toClaim(raw, rules).attributes, NO_ATTRIBUTES, raw);
  }
});

test('withAttributes: the attributes are attached as given', () => {
  const claim = withAttributes(toClaim('jane@corp.example', EMAIL), PROFILE, EMAIL);
  assert.equal(claim.attributes, PROFILE);
  assert.deepEqual(withAttributes(toClaim('jane', USERNAME), NO_ATTRIBUTES, USERNAME), toClaim('jane', USERNAME));
});

test('withAttributes: does not mutate the claim it is given', () => {
  const claim = toClaim('jane', USERNAME);
  const before = structuredClone(claim);
  const updated = withAttributes(claim, PROFILE, USERNAME);
  assert.notEqual(updated, claim);
  assert.deepEqual(claim, before);
});

test('withAttributes, username mode: a valid e-mail attribute replaces user@emailDomain, lower-cased', () => {
  const claim = withAttributes(toClaim('Jane', USERNAME), PROFILE, USERNAME);
  assert.deepEqual(claim, {
    subject: 'jane',
    email: 'jane.doe@mail.example',
    username: 'jane',
    emailLinks: false,
    attributes: PROFILE,
  });
  assert.equal(withAttributes(toClaim('jane@CORP.EXAMPLE', REALM), attrs({ email: 'j@other.example' }), REALM).email, 'j@other.example');
});

test('withAttributes, username mode: an e-mail attribute links to existing accounts only with linkByEmailHeader (T18)', () => {
  assert.equal(toClaim('jane', USERNAME).emailLinks, true, 'user@emailDomain is derived from the identity');
  assert.equal(withAttributes(toClaim('jane', USERNAME), attrs({ firstName: 'Jane' }), USERNAME).emailLinks, true, 'no e-mail attribute');
  assert.equal(withAttributes(toClaim('jane', USERNAME), attrs({ email: 'jane.doe@corp.example' }), USERNAME).emailLinks, false);
  assert.equal(withAttributes(toClaim('jane', USERNAME), attrs({ email: 'boss@corp.example' }), USERNAME).emailLinks, false);
  assert.equal(
    withAttributes(toClaim('jane', USERNAME), attrs({ email: 'Jane@Corp.Example' }), USERNAME).emailLinks,
    true,
    'the header repeats the address the identity maps to anyway',
  );
  const optIn = { ...USERNAME, linkByEmailHeader: true };
  assert.equal(withAttributes(toClaim('jane', optIn), attrs({ email: 'jane.doe@corp.example' }), optIn).emailLinks, true);
  assert.equal(withAttributes(toClaim('jane@corp.example', EMAIL), attrs({ email: 'x@corp.example' }), EMAIL).emailLinks, true, 'e-mail mode: the identity is the address');
});

test('withAttributes, username mode: the subject (the stable key) never changes', () => {
  for (const email of ['admin@corp.example', 'root@corp.example', 'jane@corp.example']) {
    const claim = withAttributes(toClaim('jane', USERNAME), attrs({ email }), USERNAME);
    assert.equal(claim.subject, 'jane', email);
    assert.equal(claim.username, 'jane', email);
  }
});

test('withAttributes, username mode: without an e-mail attribute the guess stands', () => {
  for (const email of [null, '']) {
    assert.equal(withAttributes(toClaim('jane', USERNAME), attrs({ email, firstName: 'Jane' }), USERNAME).email, 'jane@corp.example');
  }
});

test('withAttributes, username mode: an e-mail attribute that is not an e-mail address is refused', () => {
  for (const email of ['jane', 'jane@', '@corp.example', 'jane@corp', 'jane@@corp.example', 'a@b@corp.example', 'jane@corp.example.', 'ja..ne@corp.example', '"jane"@corp.example', 'jane@[127.0.0.1]']) {
    const refusal = refusedWith('invalid-identity', () => withAttributes(toClaim('jane', USERNAME), attrs({ email }), USERNAME), email);
    assert.equal(refusal.status, 403);
    assert.match(refusal.reason, /e-mail attribute/, email);
  }
});

test('withAttributes, username mode: spaces and control characters in the e-mail attribute are refused', () => {
  for (const email of ['jane doe@corp.example', 'jane@corp.example\u0000', 'ja\u007fne@corp.example']) {
    refusedWith('invalid-identity', () => withAttributes(toClaim('jane', USERNAME), attrs({ email }), USERNAME), JSON.stringify(email));
  }
});

for (const [label, value] of Object.entries(LOOK_ALIKES)) {
  test(`withAttributes, username mode: a non-ASCII e-mail attribute is refused (T9): ${label}`, () => {
    for (const email of [value, asLatin1(value)]) {
      for (const rules of [USERNAME, REALM]) {
        const refusal = refusedWith('non-ascii-identity', () => withAttributes(toClaim('jane', rules), attrs({ email }), rules));
        assert.equal(refusal.status, 403);
      }
    }
  });
}

test('withAttributes, username mode: a look-alike e-mail attribute never folds onto the ASCII account', () => {
  for (const email of ['ADMİN@corp.example', '\uFF21DMIN@corp.example', 'adm\u0131n@corp.example', '\u212Aate@corp.example']) {
    let claim: Claim | null = null;
    try {
      claim = withAttributes(toClaim('jane', USERNAME), attrs({ email }), USERNAME);
    } catch {
      /* refused: fine */
    }
    assert.equal(claim, null, email);
  }
});

test('withAttributes, e-mail mode: the e-mail attribute never replaces the identity', () => {
  for (const email of ['admin@corp.example', 'ADMIN@CORP.EXAMPLE', 'not an address', 'admİn@corp.example', asLatin1('admİn@corp.example')]) {
    const claim = withAttributes(toClaim('jane@corp.example', EMAIL), attrs({ email }), EMAIL);
    assert.equal(claim.subject, 'jane@corp.example', email);
    assert.equal(claim.email, 'jane@corp.example', email);
    assert.equal(claim.attributes.email, email);
  }
});

// --- helpers -------------------------------------------------------------------

test('isEmailAddress / isDomainName', () => {
  assert.equal(isEmailAddress('jane@corp.example'), true);
  assert.equal(isEmailAddress('jane@corp.example.'), false);
  assert.equal(isEmailAddress(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}`), true);
  assert.equal(isEmailAddress(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`), false); // 256 chars > 254
  assert.equal(isDomainName('corp.example'), true);
  assert.equal(isDomainName('CORP.EXAMPLE'), true);
  assert.equal(isDomainName('corp'), false);
  assert.equal(isDomainName('corp.example.'), false);
  assert.equal(isDomainName('corp..example'), false);
  assert.equal(isDomainName('-corp.example'), false);
  assert.equal(isDomainName('10.0.0.1'), false);
  assert.equal(isDomainName(`${'a'.repeat(64)}.example`), false);
});
