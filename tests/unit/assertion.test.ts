import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAssertion, type AssertionRules, type ProxiedRequest } from '../../server/src/pipeline/assertion';
import { parseTrustedProxies } from '../../server/src/pipeline/trusted-proxies';
import { Refusal } from '../../server/src/pipeline/refusal';
import { asLatin1, headers } from './fake-headers';

const SECRET = 'correct-horse-battery-staple-42';
const RULES: AssertionRules = {
  header: 'remote-user',
  proxies: parseTrustedProxies(['127.0.0.1/32', '::1/128']),
  secret: null,
  userField: 'email',
  emailDomain: null,
  stripRealm: false,
};
const SECRET_RULES: AssertionRules = { ...RULES, secret: { header: 'x-proxy-secret', value: SECRET } };

const request = (remoteAddress: string | undefined, ...lines: Array<[string, string]>): ProxiedRequest => ({
  headers: headers(...lines),
  remoteAddress,
});

const refusedWith = (code: string, fn: () => unknown): Refusal => {
  let caught: unknown;
  assert.throws(fn, (error: unknown) => {
    caught = error;
    return error instanceof Refusal && error.code === code;
  });
  return caught as Refusal;
};

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
    claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null },
  });
  assert.deepEqual(readAssertion(request('::ffff:127.0.0.1', ['remote-user', 'jane@corp.example']), RULES), {
    state: 'asserted',
    claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null },
  });
});

test('happy path with the shared secret', () => {
  const result = readAssertion(
    request('::1', ['X-Proxy-Secret', SECRET], ['Remote-User', 'jane@corp.example']),
    SECRET_RULES,
  );
  assert.deepEqual(result, { state: 'asserted', claim: { subject: 'jane@corp.example', email: 'jane@corp.example', username: null } });
});

test('the secret is required when configured', () => {
  refusedWith('secret-missing', () => readAssertion(request('127.0.0.1', ['Remote-User', 'jane@corp.example']), SECRET_RULES));
  refusedWith('secret-mismatch', () =>
    readAssertion(request('127.0.0.1', ['X-Proxy-Secret', 'nope'], ['Remote-User', 'jane@corp.example']), SECRET_RULES),
  );
});

test('happy path in username mode with realm stripping and a hook', () => {
  const rules: AssertionRules = { ...RULES, userField: 'username', emailDomain: 'corp.example', stripRealm: true };
  assert.deepEqual(readAssertion(request('127.0.0.1', ['Remote-User', 'JANE@CORP.EXAMPLE']), rules), {
    state: 'asserted',
    claim: { subject: 'jane', email: 'jane@corp.example', username: 'jane' },
  });
  assert.deepEqual(
    readAssertion(request('127.0.0.1', ['Remote-User', 'svc-jane']), rules, (value) => value.replace(/^svc-/, '')),
    { state: 'asserted', claim: { subject: 'jane', email: 'jane@corp.example', username: 'jane' } },
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
