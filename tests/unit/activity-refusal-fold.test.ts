/**
 * How refusal rows are folded and masked before they are written (T26):
 * peers that are not listed proxies by network (/24 IPv4, /48 IPv6 — one
 * home connection can send from a /56 or a /48), whatever the reason, one row per network
 * per window keeping the count and the latest attempt, at most
 * REFUSAL_ROWS_PER_WINDOW networks and the rest counted; listed proxies
 * uncapped, exact repeats folded; a stored hint keeps no e-mail address or
 * quoted identity unmasked. (The recorder itself is tested against Strapi in
 * tests/integration/activity.test.ts and activity-budget.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkOf, REFUSAL_REPEAT_MS, REFUSAL_ROWS_PER_WINDOW } from '../../server/src/strapi/activity/activity-log';
import { createRefusalBudget, type RefusalLike } from '../../server/src/strapi/activity/refusal-budget';
import { FIXTURE_MASK } from '../harness/masking';

test('networks: /48 (IPv6) and /24 (IPv4); IPv4-mapped IPv6 is IPv4', () => {
  assert.equal(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:1:ffff:ffff:ffff:ffff:ffff'));
  assert.equal(networkOf('2001:db8:1:2::1'), '2001:db8:1::/48');
  assert.notEqual(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:2:2::1'));
  assert.equal(networkOf('10.1.2.3'), '10.1.2.0/24');
  assert.equal(networkOf('::ffff:10.1.2.99'), '10.1.2.0/24');
  assert.equal(networkOf(null), '');
  assert.equal(networkOf('not-an-ip'), 'not-an-ip');
});

function budget() {
  let clock = 1_000_000;
  const refusals = createRefusalBudget<RefusalLike>({ now: () => clock, windowMs: REFUSAL_REPEAT_MS, rowsPerWindow: REFUSAL_ROWS_PER_WINDOW, memoLimit: 10_000 });
  return { refusals, advance: (ms: number) => (clock += ms) };
}

test('unlisted peers: one fold per network whatever the reason, keeping the count, the reasons and the latest attempt', () => {
  const { refusals } = budget();
  for (let host = 1; host <= 60; host++) assert.equal(refusals.admit({ reason: 'assertion-malformed', peer: `10.1.2.${host}` }, false).admission, 'folded');
  refusals.admit({ reason: 'assertion-signature', peer: '10.1.2.200', identity: 'admin@corp.example' }, false);
  const { folds, suppressed } = refusals.drain();
  assert.equal(folds.length, 1);
  assert.equal(suppressed, null);
  assert.equal(folds[0].network, '10.1.2.0/24');
  assert.equal(folds[0].count, 61);
  assert.deepEqual(folds[0].reasons, { 'assertion-malformed': 60, 'assertion-signature': 1 });
  assert.deepEqual(folds[0].latest, { reason: 'assertion-signature', peer: '10.1.2.200', identity: 'admin@corp.example' });
});

test('one IPv6 host (a /64 of one /48) is one fold', () => {
  const { refusals } = budget();
  for (let i = 1; i <= 100; i++) refusals.admit({ reason: 'untrusted-peer', peer: `2001:db8:0:7::${i.toString(16)}` }, false);
  const { folds } = refusals.drain();
  assert.equal(folds.length, 1);
  assert.equal(folds[0].count, 100);
});

test('past REFUSAL_ROWS_PER_WINDOW networks the refusals are counted, with the latest; a new window starts afresh', () => {
  const { refusals, advance } = budget();
  for (let net = 0; net < 250; net++) refusals.admit({ reason: 'untrusted-peer', peer: `10.0.${net}.2` }, false);
  refusals.admit({ reason: 'assertion-signature', peer: '10.9.9.9', identity: 'root@corp.example' }, false);
  assert.equal(refusals.drainIfEnded(), null, 'the window has not ended');
  advance(REFUSAL_REPEAT_MS);
  const ended = refusals.drainIfEnded();
  assert.ok(ended);
  assert.equal(ended.folds.length, REFUSAL_ROWS_PER_WINDOW);
  assert.equal(ended.suppressed?.count, 250 - REFUSAL_ROWS_PER_WINDOW + 1);
  assert.equal(ended.suppressed?.networks, 250 - REFUSAL_ROWS_PER_WINDOW + 1);
  assert.equal(ended.suppressed?.latest.identity, 'root@corp.example');
  assert.equal(refusals.admit({ reason: 'untrusted-peer', peer: '10.0.0.2' }, false).admission, 'folded');
  assert.equal(refusals.drain().folds.length, 1);
});

test('listed proxies: a row each, never capped by unlisted traffic; only exact repeats within the window fold', () => {
  const { refusals, advance } = budget();
  for (let net = 0; net < 250; net++) refusals.admit({ reason: 'untrusted-peer', peer: `127.0.${net}.2` }, false);
  assert.equal(refusals.admit({ reason: 'blocked-user', peer: '127.0.0.1', identity: 'jane@corp.example' }, true).admission, 'row');
  assert.equal(refusals.admit({ reason: 'blocked-user', peer: '127.0.0.1', identity: 'jane@corp.example' }, true).admission, 'repeat');
  for (let i = 0; i < 2 * REFUSAL_ROWS_PER_WINDOW; i++) {
    assert.equal(refusals.admit({ reason: 'unknown-user', peer: '127.0.0.1', identity: `person${i}@corp.example` }, true).admission, 'row');
  }
  advance(REFUSAL_REPEAT_MS);
  assert.equal(refusals.admit({ reason: 'blocked-user', peer: '127.0.0.1', identity: 'jane@corp.example' }, true).admission, 'row');
});

test('hints: e-mail addresses and quoted identities are masked, other quoted words are kept', () => {
  const hint = FIXTURE_MASK.hint(
    '"jane.doe@corp.example" asserts the e-mail john.smith@corp.example, whose admin account (user 3) is linked to the identity "jsmith"; delete the old row (source "header", subject "jsmith")',
    'jane.doe@corp.example',
  );
  for (const secret of ['jane.doe', 'john.smith', 'jsmith"']) assert.ok(!hint.includes(secret), hint);
  assert.match(hint, /ja\*+@corp\.example/);
  assert.match(hint, /jo\*+@corp\.example/);
  assert.match(hint, /source "header"/);
});
