import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTrustedProxy, type TrustRules } from '../../server/src/pipeline/trust';
import { parseTrustedProxies } from '../../server/src/pipeline/trusted-proxies';
import { Refusal } from '../../server/src/pipeline/refusal';
import { refusedWith } from '../harness/refusals';
import { headers } from './fake-headers';

const SECRET = 'correct-horse-battery-staple-42';
const NO_SECRET: TrustRules = { proxies: parseTrustedProxies(['127.0.0.1/32', '::1/128']), secret: null };
const WITH_SECRET: TrustRules = { ...NO_SECRET, secret: { header: 'x-proxy-secret', value: SECRET } };

test('a trusted peer without a configured secret passes', () => {
  assert.doesNotThrow(() => assertTrustedProxy(headers(['Remote-User', 'jane']), '127.0.0.1', NO_SECRET));
  assert.doesNotThrow(() => assertTrustedProxy(headers(), '::1', NO_SECRET));
  assert.doesNotThrow(() => assertTrustedProxy(headers(), '::ffff:127.0.0.1', NO_SECRET));
});

test('an untrusted peer is refused (untrusted-peer, 403)', () => {
  const refusal = refusedWith('untrusted-peer', () => assertTrustedProxy(headers(), '203.0.113.9', NO_SECRET));
  assert.equal(refusal.status, 403);
  assert.match(refusal.reason, /203\.0\.113\.9, which is not in trustedProxies \(127\.0\.0\.1\/32, ::1\/128\)/);
});

test('a missing peer address is refused', () => {
  const refusal = refusedWith('untrusted-peer', () => assertTrustedProxy(headers(), undefined, NO_SECRET));
  assert.match(refusal.reason, /an unknown peer/);
});

test('forwarding headers do not make an untrusted peer trusted (T2)', () => {
  const forged = headers(
    ['X-Forwarded-For', '127.0.0.1'],
    ['Forwarded', 'for=127.0.0.1'],
    ['X-Real-IP', '127.0.0.1'],
    ['Remote-User', 'admin@corp.example'],
  );
  refusedWith('untrusted-peer', () => assertTrustedProxy(forged, '198.51.100.7', NO_SECRET));
});

test('an untrusted peer is refused even with the right secret', () => {
  refusedWith('untrusted-peer', () => assertTrustedProxy(headers(['X-Proxy-Secret', SECRET]), '198.51.100.7', WITH_SECRET));
});

test('the right secret from a trusted peer passes', () => {
  assert.doesNotThrow(() => assertTrustedProxy(headers(['X-Proxy-Secret', SECRET]), '127.0.0.1', WITH_SECRET));
  assert.doesNotThrow(() => assertTrustedProxy(headers(['x-proxy-secret', SECRET]), '::1', WITH_SECRET));
});

test('a missing secret is refused (secret-missing)', () => {
  const refusal = refusedWith('secret-missing', () => assertTrustedProxy(headers(['Remote-User', 'jane']), '127.0.0.1', WITH_SECRET));
  assert.equal(refusal.status, 403);
  assert.match(refusal.reason, /"x-proxy-secret"/);
});

test('a duplicated secret header is refused, even when both copies are right', () => {
  refusedWith('secret-missing', () =>
    assertTrustedProxy(headers(['X-Proxy-Secret', SECRET], ['X-Proxy-Secret', SECRET]), '127.0.0.1', WITH_SECRET),
  );
  refusedWith('secret-missing', () =>
    assertTrustedProxy(headers(['X-Proxy-Secret', 'wrong'], ['X-Proxy-Secret', SECRET]), '127.0.0.1', WITH_SECRET),
  );
});

test('a wrong secret is refused (secret-mismatch)', () => {
  for (const presented of ['', 'wrong', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase(), ` ${SECRET}`]) {
    const refusal = refusedWith('secret-mismatch', () =>
      assertTrustedProxy(headers(['X-Proxy-Secret', presented]), '127.0.0.1', WITH_SECRET),
    );
    assert.equal(refusal.status, 403);
  }
});

test('the secret sent in another header does not count', () => {
  refusedWith('secret-missing', () => assertTrustedProxy(headers(['X-Proxy-Secret2', SECRET]), '127.0.0.1', WITH_SECRET));
});

test('refusals never contain the configured or the presented secret (T15)', () => {
  const presented = 'presented-wrong-secret-value';
  for (const run of [
    () => assertTrustedProxy(headers(['X-Proxy-Secret', presented]), '127.0.0.1', WITH_SECRET),
    () => assertTrustedProxy(headers(), '127.0.0.1', WITH_SECRET),
    () => assertTrustedProxy(headers(['X-Proxy-Secret', presented]), '10.9.9.9', WITH_SECRET),
  ]) {
    try {
      run();
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof Refusal);
      for (const text of [error.reason, error.publicMessage, error.stack ?? '']) {
        assert.ok(!text.includes(SECRET), text);
        assert.ok(!text.includes(presented), text);
      }
    }
  }
});
