import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAssertion, type AssertionRules, type ProxiedRequest } from '../../server/src/pipeline/plain-header-identity';
import { parseTrustedProxies } from '../../server/src/pipeline/trusted-proxies';
import type { Attributes } from '../../server/src/pipeline/attributes';
import { refusedWith } from '../harness/refusals';
import { asLatin1, headers } from './fake-headers';

const SECRET = 'correct-horse-battery-staple-42';
const RULES: AssertionRules = {
  header: 'remote-user',
  proxies: parseTrustedProxies(['127.0.0.1/32', '::1/128']),
  secret: null,
  userField: 'email',
  emailDomain: null,
  realms: [],
  linkByEmailHeader: false,
  emailHeader: null,
  firstNameHeader: null,
  lastNameHeader: null,
  groupsHeader: null,
  groupsSeparator: ',',
};
/** What a claim carries when no attribute header is configured or sent (spelled out, not imported). */
const NO_ATTRIBUTES: Attributes = { email: null, firstName: null, lastName: null, groups: null };
const SECRET_RULES: AssertionRules = { ...RULES, secret: { header: 'x-proxy-secret', value: SECRET } };

const request = (remoteAddress: string | undefined, ...lines: Array<[string, string]>): ProxiedRequest => ({
  headers: headers(...lines),
  remoteAddress,
});

test('a request without the identity header is anonymous, even from an untrusted peer', () => {
  assert.deepEqual(readAssertion(request('203.0.113.9'), RULES), { state: 'anonymous' });
  assert.deepEqual(readAssertion(request(undefined, ['Accept', 'text/html']), RULES), { state: 'anonymous' });
  assert.deepEqual(readAssertion(request('203.0.113.9', ['X-Remote-User', 'admin@corp.example']), RULES), {
    state: 'anonymous',
  });
});

test('a request without the identity header is anonymous without the secret, too', () => {
  assert.deepEqual(readAssertion(request('127.0.0.1'), SECRET_RULES), { state: 'anonymous' });
});

test('the identity header from an untrusted peer is refused (T1)', () => {
  const refusal = refusedWith('untrusted-peer', () =>
    readAssertion(request('203.0.113.9', ['Remote-User', 'admin@corp.example']), RULES),
  );
  assert.equal(refusal.status, 403);
});

test('an empty identity header from an untrusted peer is refused too', () => {
  refusedWith('untrusted-peer', () => readAssertion(request('203.0.113.9', ['Remote-User', '']), RULES));
});

test('a twin header alone from an untrusted peer is refused (it mentions the header)', () => {
  refusedWith('untrusted-peer', () => readAssertion(request('203.0.113.9', ['Remote_User', 'admin@corp.example']), RULES));
});

test('forged forwarding headers do not help an untrusted peer (T2)', () => {
  refusedWith('untrusted-peer', () =>
    readAssertion(
      request('203.0.113.9', ['X-Forwarded-For', '127.0.0.1'], ['X-Real-IP', '127.0.0.1'], ['Remote-User', 'admin@corp.example']),
      RULES,
    ),
  );
});

test('trust is checked before the header shape: duplicates from an untrusted peer say untrusted-peer', () => {
  refusedWith('untrusted-peer', () =>
    readAssertion(request('203.0.113.9', ['Remote-User', 'a@corp.example'], ['Remote-User', 'b@corp.example']), RULES),
  );
});

test('happy path: trusted peer, one well-formed e-mail → asserted claim', () => {
  assert.deepEqual(readAssertion(request('127.0.0.1', ['Remote-User', 'Jane@Corp.Example']), RULES), {
    state: 'asserted',
    claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null, emailLinks: true, attributes: NO_ATTRIBUTES },
  });
  assert.deepEqual(readAssertion(request('::ffff:127.0.0.1', ['remote-user', 'jane@corp.example']), RULES), {
    state: 'asserted',
    claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null, emailLinks: true, attributes: NO_ATTRIBUTES },
  });
});

test('happy path with the shared secret', () => {
  const result = readAssertion(
    request('::1', ['X-Proxy-Secret', SECRET], ['Remote-User', 'jane@corp.example']),
    SECRET_RULES,
  );
  assert.deepEqual(result, { state: 'asserted', claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null, emailLinks: true, attributes: NO_ATTRIBUTES } });
});

test('the secret is required when configured', () => {
  refusedWith('secret-missing', () => readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example']), SECRET_RULES));
  refusedWith('secret-mismatch', () =>
    readAssertion(request('127.0.0.1', ['X-Proxy-Secret', 'nope'], ['Remote-User', 'jane@corp.example']), SECRET_RULES),
  );
});

test('happy path in username mode with realm stripping and a hook', () => {
  const rules: AssertionRules = { ...RULES, userField: 'username', emailDomain: 'corp.example', realms: ['CORP.EXAMPLE'] };
  assert.deepEqual(readAssertion(request('127.0.0.1', ['Remote-User', 'JANE@CORP.EXAMPLE']), rules), {
    state: 'asserted',
    claim: { subject: 'jane', email: 'jane@corp.example', username: 'jane', emailLinks: true, attributes: NO_ATTRIBUTES },
  });
  assert.deepEqual(
    readAssertion(request('127.0.0.1', ['Remote-User', 'svc-jane']), rules, (value) => value.replace(/^svc-/, '')),
    { state: 'asserted', claim: { subject: 'jane', email: 'jane@corp.example', username: 'jane', emailLinks: true, attributes: NO_ATTRIBUTES } },
  );
});

test('an empty identity header from the trusted proxy is anonymous (T6)', () => {
  assert.deepEqual(readAssertion(request('127.0.0.1', ['Remote-User', '  ']), RULES), { state: 'anonymous' });
});

test('header-shape refusals from the trusted proxy', () => {
  refusedWith('duplicate-header', () =>
    readAssertion(request('127.0.0.1', ['Remote-User', 'a@corp.example'], ['Remote-User', 'b@corp.example']), RULES),
  );
  refusedWith('header-twin', () =>
    readAssertion(request('127.0.0.1', ['Remote_User', 'admin@corp.example'], ['Remote-User', 'jane@corp.example']), RULES),
  );
  refusedWith('forbidden-character', () => readAssertion(request('127.0.0.1', ['Remote-User', 'a@corp.example, b@corp.example']), RULES));
  refusedWith('value-too-long', () => readAssertion(request('127.0.0.1', ['Remote-User', `${'a'.repeat(250)}@corp.example`]), RULES));
});

test('identity refusals from the trusted proxy', () => {
  refusedWith('invalid-identity', () => readAssertion(request('127.0.0.1', ['Remote-User', 'jane']), RULES));
  refusedWith('non-ascii-identity', () => readAssertion(request('127.0.0.1', ['Remote-User', asLatin1('admİn@corp.example')]), RULES));
  refusedWith('invalid-identity', () => readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example']), RULES, () => null));
});

test('a different configured header name is honoured', () => {
  const rules: AssertionRules = { ...RULES, header: 'x-forwarded-email' };
  assert.deepEqual(readAssertion(request('203.0.113.9', ['Remote-User', 'admin@corp.example']), rules), { state: 'anonymous' });
  assert.equal(
    readAssertion(request('127.0.0.1', ['X-Forwarded-Email', 'jane@corp.example']), rules).state,
    'asserted',
  );
  refusedWith('untrusted-peer', () => readAssertion(request('203.0.113.9', ['X_Forwarded_Email', 'admin@corp.example']), rules));
});

// --- attribute headers ----------------------------------------------------------------

const ATTR_RULES: AssertionRules = {
  ...RULES,
  emailHeader: 'remote-email',
  firstNameHeader: 'remote-firstname',
  lastNameHeader: 'remote-lastname',
  groupsHeader: 'remote-groups',
};
const ATTR_USERNAME_RULES: AssertionRules = { ...ATTR_RULES, userField: 'username', emailDomain: 'corp.example' };

test('attribute headers are read into the claim of a trusted request', () => {
  const result = readAssertion(
    request(
      '127.0.0.1',
      ['Remote-User', 'Jane@Corp.Example'],
      ['Remote-Email', 'jane.doe@mail.example'],
      ['Remote-FirstName', 'Jane'],
      ['Remote-LastName', asLatin1('Müller')],
      ['Remote-Groups', 'cms-editors, staff'],
    ),
    ATTR_RULES,
  );
  assert.deepEqual(result, {
    state: 'asserted',
    claim: {
      // e-mail mode: the identity is the e-mail; the e-mail attribute does not replace it.
      subject: 'jane@corp.example',
      email: 'jane@corp.example',
      username: null,
      emailLinks: true,
      attributes: { email: 'jane.doe@mail.example', firstName: 'Jane', lastName: 'Müller', groups: ['cms-editors', 'staff'] },
    },
  });
});

test('configured attribute headers that are not sent leave the attributes null', () => {
  assert.deepEqual(readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example']), ATTR_RULES), {
    state: 'asserted',
    claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null, emailLinks: true, attributes: NO_ATTRIBUTES },
  });
});

test('an empty groups header means "in no group" ([]), an absent one "unknown" (null)', () => {
  const present = readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example'], ['Remote-Groups', '']), ATTR_RULES);
  assert.equal(present.state, 'asserted');
  assert.deepEqual(present.state === 'asserted' && present.claim.attributes.groups, []);
  const absent = readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example']), ATTR_RULES);
  assert.equal(absent.state === 'asserted' && absent.claim.attributes.groups, null);
});

test('attribute headers are ignored when not configured, whatever they contain', () => {
  assert.deepEqual(
    readAssertion(
      request(
        '127.0.0.1',
        ['Remote-User', 'jane@corp.example'],
        ['Remote-Groups', 'a'],
        ['Remote-Groups', 'b'],
        ['Remote_Email', 'x\u0000@corp.example'],
      ),
      RULES,
    ),
    { state: 'asserted', claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null, emailLinks: true, attributes: NO_ATTRIBUTES } },
  );
});

test('username mode: the e-mail attribute replaces user@emailDomain; the subject stays the user name', () => {
  assert.deepEqual(
    readAssertion(request('127.0.0.1', ['Remote-User', 'Jane'], ['Remote-Email', 'Jane.Doe@Mail.Example']), ATTR_USERNAME_RULES),
    {
      state: 'asserted',
      claim: {
        subject: 'jane',
        email: 'jane.doe@mail.example',
        username: 'jane',
        // An address from the attribute header links to an existing account only with linkByEmailHeader (T18).
        emailLinks: false,
        attributes: { email: 'Jane.Doe@Mail.Example', firstName: null, lastName: null, groups: null },
      },
    },
  );
  // Without the attribute the guess stands.
  const guessed = readAssertion(request('127.0.0.1', ['Remote-User', 'jane']), ATTR_USERNAME_RULES);
  assert.equal(guessed.state === 'asserted' && guessed.claim.email, 'jane@corp.example');
});

test('username mode: a look-alike or malformed e-mail attribute refuses the request (T9)', () => {
  refusedWith('non-ascii-identity', () =>
    readAssertion(request('127.0.0.1', ['Remote-User', 'jane'], ['Remote-Email', asLatin1('admİn@corp.example')]), ATTR_USERNAME_RULES),
  );
  refusedWith('invalid-identity', () =>
    readAssertion(request('127.0.0.1', ['Remote-User', 'jane'], ['Remote-Email', 'not-an-address']), ATTR_USERNAME_RULES),
  );
  refusedWith('invalid-identity', () =>
    readAssertion(request('127.0.0.1', ['Remote-User', 'jane'], ['Remote-Email', 'admin@corp.example.']), ATTR_USERNAME_RULES),
  );
});

test('attribute headers are only read after the trust checks (T1)', () => {
  // Malformed attributes from an untrusted peer: the refusal is about trust, not about the attributes.
  refusedWith('untrusted-peer', () =>
    readAssertion(
      request('203.0.113.9', ['Remote-User', 'jane@corp.example'], ['Remote-Groups', 'a'], ['Remote-Groups', 'b']),
      ATTR_RULES,
    ),
  );
  refusedWith('untrusted-peer', () =>
    readAssertion(request('203.0.113.9', ['Remote-User', 'jane@corp.example'], ['Remote_Email', 'admin@corp.example']), ATTR_RULES),
  );
  refusedWith('secret-missing', () =>
    readAssertion(
      request('127.0.0.1', ['Remote-User', 'jane@corp.example'], ['Remote-Groups', 'a'], ['Remote-Groups', 'b']),
      { ...ATTR_RULES, secret: { header: 'x-proxy-secret', value: SECRET } },
    ),
  );
});

test('attribute headers alone never assert anything', () => {
  // No identity header: anonymous, from any peer; the attributes are not even looked at.
  for (const peer of ['203.0.113.9', '127.0.0.1']) {
    assert.deepEqual(
      readAssertion(request(peer, ['Remote-Email', 'admin@corp.example'], ['Remote-Groups', 'admins'], ['Remote-Groups', 'x']), ATTR_RULES),
      { state: 'anonymous' },
    );
  }
  // An empty identity header from the trusted proxy is anonymous too (T6), attributes or not.
  assert.deepEqual(
    readAssertion(request('127.0.0.1', ['Remote-User', ' '], ['Remote-Email', 'admin@corp.example'], ['Remote-Groups', 'admins']), ATTR_USERNAME_RULES),
    { state: 'anonymous' },
  );
});

test('attribute header-shape refusals from the trusted proxy (T4, T5, T7)', () => {
  const withIdentity = (...lines: Array<[string, string]>) => request('127.0.0.1', ['Remote-User', 'jane@corp.example'], ...lines);
  const dup = refusedWith('duplicate-header', () =>
    readAssertion(withIdentity(['Remote-Groups', 'staff'], ['Remote-Groups', 'admins']), ATTR_RULES),
  );
  assert.equal(dup.status, 400);
  refusedWith('duplicate-header', () => readAssertion(withIdentity(['Remote-FirstName', 'Jane'], ['remote-firstname', 'Eve']), ATTR_RULES));
  const twin = refusedWith('header-twin', () =>
    readAssertion(withIdentity(['Remote_Groups', 'admins'], ['Remote-Groups', 'staff']), ATTR_RULES),
  );
  assert.equal(twin.status, 400);
  refusedWith('header-twin', () =>
    readAssertion(request('127.0.0.1', ['Remote-User', 'jane'], ['Remote_Email', 'admin@corp.example']), ATTR_USERNAME_RULES),
  );
  refusedWith('forbidden-character', () => readAssertion(withIdentity(['Remote-LastName', 'Doe\r\nX-Injected: 1']), ATTR_RULES));
  refusedWith('value-too-long', () => readAssertion(withIdentity(['Remote-FirstName', 'J'.repeat(257)]), ATTR_RULES));
  refusedWith('value-too-long', () => readAssertion(withIdentity(['Remote-Groups', 'g,'.repeat(4097)]), ATTR_RULES));
});
