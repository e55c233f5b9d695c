import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Refusal, isRefusal } from '../../server/src/pipeline/refusal';

test('a Refusal carries code, status, reason and public message', () => {
  const refusal = new Refusal('untrusted-peer', 403, 'peer 10.0.0.9 is not trusted', 'Use the proxy.');
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
  assert.equal(isRefusal(new Refusal('duplicate-header', 400, 'r', 'p')), true);
  assert.equal(isRefusal(new Error('boom')), false);
  assert.equal(isRefusal({ code: 'untrusted-peer', status: 403, reason: 'r', publicMessage: 'p' }), false);
  assert.equal(isRefusal(null), false);
  assert.equal(isRefusal(undefined), false);
  assert.equal(isRefusal('Refusal'), false);
});

test('refusals keep their status', () => {
  for (const status of [400, 401, 403, 503] as const) {
    assert.equal(new Refusal('service-unavailable', status, 'r', 'p').status, status);
  }
});
