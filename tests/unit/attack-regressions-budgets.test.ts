/**
 * The pure budget logic behind the attack-pass regressions (F1, F2), with an
 * injected clock; against Strapi: tests/integration/attack-regressions-budgets.test.ts.
 *
 * - F1: one IPv6 /56 (256 /64s) is one network, not enough to fill the
 *   refusal cap; refusals of an identity a verified signature established
 *   (vouched) get rows of their own past a full cap, exact repeats folded.
 * - F2: the unknown-kid fetch budget is per peer network under a shared
 *   ceiling; reserved requesters (listed proxies, proven peers) have an
 *   allowance per network of their own; a cached-only lookup never spends it
 *   (more in attack-regressions-reserve.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KeysUnavailable } from '../../server/src/signed-assertions/assertion-refusals';
import {
  RESERVED_KID_FETCHES_PER_NETWORK,
  UNKNOWN_KID_COOLDOWN_MS,
  UNKNOWN_KID_FETCHES,
  UNKNOWN_KID_FETCHES_PER_NETWORK,
  UnknownKids,
  type KeyRequester,
} from '../../server/src/signed-assertions/unknown-kids';
import { networkOf } from '../../server/src/pipeline/peer-network';
import { REFUSAL_REPEAT_MS, REFUSAL_ROWS_PER_WINDOW } from '../../server/src/strapi/activity/activity-log';
import { createRefusalBudget, type RefusalLike } from '../../server/src/strapi/activity/refusal-budget';

function clock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

function refusalBudget() {
  const { now, advance } = clock();
  return { refusals: createRefusalBudget<RefusalLike>({ now, windowMs: REFUSAL_REPEAT_MS, rowsPerWindow: REFUSAL_ROWS_PER_WINDOW, memoLimit: 10_000 }), advance };
}

test('F1: IPv6 folds by /48: the 256 /64s of one /56 are one network, two /48s are two; IPv4 stays /24, mapped IPv4 unwrapped', () => {
  const { refusals } = refusalBudget();
  for (let sub = 0; sub < 256; sub++) {
    assert.equal(refusals.admit({ reason: 'assertion-malformed', peer: `2001:db8:7:${(0x4200 + sub).toString(16)}::1` }, false).admission, 'folded');
  }
  const { folds, suppressed } = refusals.drain();
  assert.equal(folds.length, 1);
  assert.equal(folds[0].network, '2001:db8:7::/48');
  assert.equal(folds[0].count, 256);
  assert.equal(suppressed, null, 'one home connection does not fill the cap');
  assert.notEqual(networkOf('2001:db8:7::1'), networkOf('2001:db8:8::1'));
  assert.equal(networkOf('::ffff:192.0.2.77'), '192.0.2.0/24');
  assert.equal(networkOf('192.0.2.77'), '192.0.2.0/24');
});

test('F1: with the cap filled by untrusted networks, a vouched refusal gets its own row; its exact repeat folds; a new identity is a row again, a new peer folds into the identity\'s row (R2-3)', () => {
  const { refusals, advance } = refusalBudget();
  for (let net = 0; net < REFUSAL_ROWS_PER_WINDOW + 5; net++) refusals.admit({ reason: 'assertion-malformed', peer: `10.0.${net}.1` }, false);
  assert.equal(refusals.admit({ reason: 'assertion-malformed', peer: '10.9.0.1' }, false).admission, 'suppressed', 'the cap is full');
  const signed = { reason: 'blocked-user', peer: '10.9.0.1', identity: 'jane@corp.example' };
  assert.equal(refusals.admit(signed, true).admission, 'row');
  assert.equal(refusals.admit(signed, true).admission, 'repeat');
  assert.equal(refusals.admit({ ...signed, identity: 'john@corp.example' }, true).admission, 'row');
  assert.equal(refusals.admit({ ...signed, peer: '10.9.0.2' }, true).admission, 'folded', 'the same identity and reason from another peer: one fold per window (R2-3)');
  assert.equal(refusals.admit({ reason: 'assertion-malformed', peer: '10.9.0.3' }, false).admission, 'suppressed', 'untrusted traffic still cannot spend rows');
  advance(REFUSAL_REPEAT_MS);
  assert.equal(refusals.admit(signed, true).admission, 'row', 'a repeat after the window is a row again');
});

const untrusted = (network: string): KeyRequester => ({ network, reserved: false });
const reserved = (network: string): KeyRequester => ({ network, reserved: true });
const spent = (error: unknown) => error instanceof KeysUnavailable;

/** Spends until refused; how many went through. */
function spendAll(kids: UnknownKids, requester: KeyRequester, tries = 100): number {
  let granted = 0;
  for (let i = 0; i < tries; i++) {
    try {
      kids.spend(requester);
      granted++;
    } catch (error) {
      assert.ok(spent(error));
    }
  }
  return granted;
}

test('F2: one network gets UNKNOWN_KID_FETCHES_PER_NETWORK fetches, refilled over UNKNOWN_KID_COOLDOWN_MS', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  assert.equal(spendAll(kids, untrusted('203.0.113.0/24')), UNKNOWN_KID_FETCHES_PER_NETWORK);
  assert.throws(() => kids.spend(untrusted('203.0.113.0/24')), /network 203\.0\.113\.0\/24/);
  advance(UNKNOWN_KID_COOLDOWN_MS);
  assert.equal(spendAll(kids, untrusted('203.0.113.0/24')), UNKNOWN_KID_FETCHES_PER_NETWORK);
});

test('F2: many networks together get the shared ceiling, no more; a reserved requester still fetches from its own allowance, per-network limited', () => {
  const { now } = clock();
  const kids = new UnknownKids(now);
  let granted = 0;
  for (let net = 0; net < 50; net++) granted += spendAll(kids, untrusted(`198.51.${net}.0/24`), 3);
  assert.equal(granted, UNKNOWN_KID_FETCHES, 'the shared ceiling protects the key server');
  assert.throws(() => kids.spend(untrusted('198.51.200.0/24')), /budget refills/);
  assert.equal(spendAll(kids, reserved('192.0.2.0/24')), RESERVED_KID_FETCHES_PER_NETWORK, 'the proven ALB node fetches the new key');
});

test("F2: an untrusted neighbour in a reserved requester's network does not spend its allowance", () => {
  const { now } = clock();
  const kids = new UnknownKids(now);
  assert.equal(spendAll(kids, untrusted('192.0.2.0/24')), UNKNOWN_KID_FETCHES_PER_NETWORK);
  assert.doesNotThrow(() => kids.spend(reserved('192.0.2.0/24')));
});

test('F2: a cached-only lookup ("Check this connection") never spends the budget', () => {
  const { now } = clock();
  const kids = new UnknownKids(now);
  for (let i = 0; i < 50; i++) assert.throws(() => kids.spend({ network: '192.0.2.0/24', reserved: true, cachedOnly: true }), /not cached/);
  assert.equal(spendAll(kids, untrusted('192.0.2.0/24')), UNKNOWN_KID_FETCHES_PER_NETWORK);
});

test('F2: the per-kid negative cache still holds for every requester', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  const kid = randomUUID();
  kids.miss(kid);
  assert.equal(kids.recentlyMissed(kid), true);
  advance(UNKNOWN_KID_COOLDOWN_MS);
  assert.equal(kids.recentlyMissed(kid), false);
});
