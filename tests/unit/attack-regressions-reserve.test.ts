/**
 * R2-2 (second attack pass): the reserved key fetches, with an injected clock.
 * An insider with ONE valid token sent it from 12 networks (each became
 * "proven") and drained the one reserve all reserved requesters shared, so the
 * genuine proxy could not fetch the provider's rotated key. Now each reserved
 * network has an allowance of its own, and one subject proves at most
 * PROVEN_PEERS_PER_SUBJECT addresses. Against Strapi:
 * tests/integration/attack-regressions-reserve.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeysUnavailable } from '../../server/src/signed-assertions/assertion-refusals';
import {
  MAX_NEW_KID_FETCHES,
  MAX_RESERVED_NETWORKS,
  RESERVED_KID_FETCHES_PER_NETWORK,
  UNKNOWN_KID_COOLDOWN_MS,
  UNKNOWN_KID_FETCHES,
  UNKNOWN_KID_FETCHES_PER_NETWORK,
  UnknownKids,
  type KeyRequester,
} from '../../server/src/signed-assertions/unknown-kids';
import { MAX_PROVEN_PEERS, PROVEN_PEER_MS, PROVEN_PEERS_PER_SUBJECT, ProvenPeers } from '../../server/src/signed-assertions/proven-peers';
import { networkOf } from '../../server/src/pipeline/peer-network';

function clock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** Spends until refused; how many went through. */
function spendAll(kids: UnknownKids, requester: KeyRequester, tries = 100): number {
  let granted = 0;
  for (let i = 0; i < tries; i++) {
    try {
      kids.spend(requester);
      granted++;
    } catch (error) {
      assert.ok(error instanceof KeysUnavailable, String(error));
    }
  }
  return granted;
}

const untrusted = (network: string): KeyRequester => ({ network, reserved: false });
const proven = (network: string): KeyRequester => ({ network, reserved: true });
const listed = (network: string): KeyRequester => ({ network, reserved: true, listed: true });

test('the bound the key server is promised: 10 + 2 × 32 × 3 = 202 fetches for new kids per 30 s', () => {
  assert.equal(UNKNOWN_KID_FETCHES, 10);
  assert.equal(MAX_RESERVED_NETWORKS, 32);
  assert.equal(RESERVED_KID_FETCHES_PER_NETWORK, 3);
  assert.equal(UNKNOWN_KID_COOLDOWN_MS, 30_000);
  assert.equal(MAX_NEW_KID_FETCHES, 202);
  assert.equal(PROVEN_PEERS_PER_SUBJECT, 2);
});

test('every reserved network has its own allowance: other reserved networks spending theirs leave it whole', () => {
  const { now } = clock();
  const kids = new UnknownKids(now);
  for (let net = 0; net < 12; net++) assert.equal(spendAll(kids, proven(`127.${61 + net}.0.0/24`), RESERVED_KID_FETCHES_PER_NETWORK), RESERVED_KID_FETCHES_PER_NETWORK);
  // The shared ceiling spent too (past their own allowance, reserved networks would draw on it).
  for (let net = 0; net < 50; net++) spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(spendAll(kids, proven('127.0.0.0/24')), RESERVED_KID_FETCHES_PER_NETWORK, 'the genuine proxy (proven) still fetches');
  assert.equal(spendAll(kids, listed('10.0.0.0/24')), RESERVED_KID_FETCHES_PER_NETWORK, 'a listed proxy too');
});

test('a reserved network spends its own allowance, not the shared ceiling; spent, it refills over the cooldown', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  assert.equal(spendAll(kids, proven('192.0.2.0/24'), RESERVED_KID_FETCHES_PER_NETWORK), RESERVED_KID_FETCHES_PER_NETWORK);
  let shared = 0;
  for (let net = 0; net < 50; net++) shared += spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(shared, UNKNOWN_KID_FETCHES, 'the shared ceiling is untouched by reserved fetches');
  assert.throws(() => kids.spend(proven('192.0.2.0/24')), /network 192\.0\.2\.0\/24/);
  advance(UNKNOWN_KID_COOLDOWN_MS);
  // Refilled: its own allowance, then (the shared ceiling refilled too) its network's share of that.
  assert.equal(spendAll(kids, proven('192.0.2.0/24')), RESERVED_KID_FETCHES_PER_NETWORK + UNKNOWN_KID_FETCHES_PER_NETWORK);
});

test('the key server bound holds against any mix of networks: at most MAX_NEW_KID_FETCHES per cooldown, also over time', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  for (let period = 0; period < 4; period++) {
    let granted = 0;
    for (let net = 0; net < 300; net++) {
      granted += spendAll(kids, untrusted(`198.${period}.${net % 256}.0/24`), 5);
      granted += spendAll(kids, proven(`100.${64 + period}.${net % 256}.0/24`), 5);
      granted += spendAll(kids, listed(`10.${period}.${net % 256}.0/24`), 5);
    }
    assert.ok(granted <= MAX_NEW_KID_FETCHES, `period ${period}: ${granted} fetches`);
    if (period === 0) assert.equal(granted, MAX_NEW_KID_FETCHES, 'every place is used at first');
    advance(UNKNOWN_KID_COOLDOWN_MS);
  }
});

test('a place is given up only once its allowance has refilled; with every place refilling, a newcomer is budgeted as unreserved', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  for (let net = 0; net < MAX_RESERVED_NETWORKS; net++) assert.equal(spendAll(kids, proven(`100.64.${net}.0/24`), 1), 1);
  // The 33rd proven network: no place, so the shared ceiling and its per-network limit.
  assert.equal(spendAll(kids, proven('100.65.0.0/24')), UNKNOWN_KID_FETCHES_PER_NETWORK);
  let shared = 0;
  for (let net = 0; net < 50; net++) shared += spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(shared, UNKNOWN_KID_FETCHES - UNKNOWN_KID_FETCHES_PER_NETWORK, "the newcomer's fetches came out of the shared ceiling");
  // Proven places never take listed ones.
  assert.equal(spendAll(kids, listed('10.0.0.0/24')), RESERVED_KID_FETCHES_PER_NETWORK);
  advance(UNKNOWN_KID_COOLDOWN_MS);
  // A place of its own (3), then its network's share of the refilled shared ceiling (3); without a place, 3 in all.
  assert.equal(spendAll(kids, proven('100.66.0.0/24')), RESERVED_KID_FETCHES_PER_NETWORK + UNKNOWN_KID_FETCHES_PER_NETWORK, 'a refilled place is freed');
});

test('ProvenPeers: one subject proves its 2 most recent addresses; another subject keeps an address proven', () => {
  const { now } = clock();
  const peers = new ProvenPeers(now);
  peers.prove('127.0.0.1', 'idp real-sub');
  for (let i = 0; i < 12; i++) peers.prove(`127.${61 + i}.0.2`, 'idp mallory');
  const held = Array.from({ length: 12 }, (_, i) => `127.${61 + i}.0.2`).filter((peer) => peers.isProven(peer));
  assert.deepEqual(held, ['127.71.0.2', '127.72.0.2'], 'the 2 most recent');
  assert.equal(peers.isProven('127.0.0.1'), true);
  // The insider sends their token through the genuine proxy too, then moves on: the proxy stays proven by the other subject.
  peers.prove('127.0.0.1', 'idp mallory');
  peers.prove('127.90.0.2', 'idp mallory');
  peers.prove('127.91.0.2', 'idp mallory');
  assert.equal(peers.isProven('127.0.0.1'), true);
  assert.equal(peers.size, 3);
});

test('ProvenPeers: a proof lasts PROVEN_PEER_MS; proving again renews it; at most MAX_PROVEN_PEERS proofs (least recent forgotten)', () => {
  const { now, advance } = clock();
  const peers = new ProvenPeers(now);
  peers.prove('192.0.2.1', 's1');
  advance(PROVEN_PEER_MS - 1);
  peers.prove('192.0.2.2', 's2');
  assert.equal(peers.isProven('192.0.2.1'), true);
  advance(1);
  assert.equal(peers.isProven('192.0.2.1'), false);
  assert.equal(peers.isProven('192.0.2.2'), true);
  peers.prove('192.0.2.2', 's2');
  advance(PROVEN_PEER_MS - 1);
  assert.equal(peers.isProven('192.0.2.2'), true);
  assert.equal(peers.isProven(null), false);
  peers.prove(undefined, 's3');

  const many = new ProvenPeers(now);
  many.prove('192.0.2.9', 'first');
  for (let i = 0; i < MAX_PROVEN_PEERS; i++) many.prove(`10.${i >> 8}.${i & 255}.1`, `s${i}`);
  assert.equal(many.size, MAX_PROVEN_PEERS);
  assert.equal(many.isProven('192.0.2.9'), false, 'the least recently proven is forgotten');
  assert.equal(many.isProven('10.0.0.1'), true);
});

test('R2-2 as the verifier composes them: an insider with one token from 12 networks, flooding made-up kids, leaves the genuine proxy its fetches', () => {
  const { now, advance } = clock();
  const peers = new ProvenPeers(now);
  const kids = new UnknownKids(now);
  const requester = (peer: string): KeyRequester => ({ network: networkOf(peer), reserved: peers.isProven(peer) });
  peers.prove('127.0.0.1', 'idp real-sub');
  const insider = Array.from({ length: 12 }, (_, i) => `127.${61 + i}.0.2`);
  for (const peer of insider) peers.prove(peer, 'idp mallory');
  let fetched = 0;
  const genuine: number[] = [];
  // Every 300 ms for 35 s: one made-up kid from each of 4 untrusted /24s and from each insider address;
  // the genuine proxy meets a key it does not have every 9 s (a rotation each time: the worst case for it).
  for (let round = 0; round < 117; round++) {
    for (const net of [101, 102, 103, 104]) fetched += spendAll(kids, requester(`127.${net}.${round % 200}.2`), 1);
    for (const peer of insider) fetched += spendAll(kids, requester(peer), 1);
    if (round % 30 === 9) genuine.push(spendAll(kids, requester('127.0.0.1'), 1));
    advance(300);
  }
  assert.deepEqual(genuine, [1, 1, 1, 1], 'every new key the genuine proxy meets is fetched');
  // 35.1 s: shared 10 + refill ≈ 11.7, the insider's 2 proven networks 3 + 3.5 each.
  assert.ok(fetched <= 2 * MAX_NEW_KID_FETCHES, `${fetched} made-up fetches`);
  assert.ok(fetched <= 40, `${fetched} made-up fetches`);
});
