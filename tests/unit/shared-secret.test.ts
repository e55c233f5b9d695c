import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretMatches } from '../../server/src/pipeline/shared-secret';

test('equal secrets match', () => {
  assert.equal(secretMatches('correct-horse-battery-staple', 'correct-horse-battery-staple'), true);
  assert.equal(secretMatches('ünïcødé-sécret-välue', 'ünïcødé-sécret-välue'), true);
  assert.equal(secretMatches('x'.repeat(4096), 'x'.repeat(4096)), true);
});

test('different secrets do not match, whatever their lengths', () => {
  const secret = 'correct-horse-battery-staple';
  for (const presented of ['', 'c', secret.slice(0, -1), `${secret}!`, secret.toUpperCase(), `${secret}\u0000`, 'x'.repeat(10_000)]) {
    assert.equal(secretMatches(secret, presented), false, JSON.stringify(presented.slice(0, 40)));
  }
});

test('comparison does not throw on length differences (unlike a raw timingSafeEqual)', () => {
  assert.doesNotThrow(() => secretMatches('short', 'a much longer presented value'));
});

test('strings are compared as UTF-8 text, not as latin1 bytes', () => {
  // "é" in UTF-8 read as latin1 is "Ã©": a different string, so it must not match.
  assert.equal(secretMatches('sécret-value-1234', 's\u00c3\u00a9cret-value-1234'), false);
});
