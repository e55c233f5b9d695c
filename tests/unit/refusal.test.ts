import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Refusal, isRefusal, type RefusalCode } from '../../server/src/pipeline/refusal';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';

test('a Refusal carries code, status, reason and public message', () => {
  const refusal = new Refusal('untrusted-peer', 'peer 10.0.0.9 is not trusted', 'Use the proxy.');
  assert.ok(refusal instanceof Error);
  assert.ok(refusal instanceof Refusal);
  assert.equal(refusal.name, 'Refusal');
  assert.equal(refusal.code, 'untrusted-peer');
  assert.equal(refusal.status, 403);
  assert.equal(refusal.message, 'peer 10.0.0.9 is not trusted');
  assert.equal(refusal.reason, 'peer 10.0.0.9 is not trusted');
  assert.equal(refusal.publicMessage, 'Use the proxy.');
  assert.match(String(refusal), /^Refusal: peer 10\.0\.0\.9 is not trusted$/);
});

test('isRefusal recognises refusals only', () => {
  assert.equal(isRefusal(new Refusal('duplicate-header', 'r', 'p')), true);
  assert.equal(isRefusal(new Error('boom')), false);
  assert.equal(isRefusal({ code: 'untrusted-peer', status: 403, reason: 'r', publicMessage: 'p' }), false);
  assert.equal(isRefusal(null), false);
  assert.equal(isRefusal(undefined), false);
  assert.equal(isRefusal('Refusal'), false);
});

test('a refusal answers with the status its code has in the table', () => {
  for (const [code, entry] of Object.entries(REFUSAL_CODES)) {
    assert.equal(new Refusal(code as RefusalCode, 'r', 'p').status, entry.status, code);
  }
  assert.equal(new Refusal('service-unavailable', 'r', 'p').status, 503);
  assert.equal(new Refusal('duplicate-header', 'r', 'p').status, 400);
});
