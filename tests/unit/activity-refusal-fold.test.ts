/**
 * How refusal rows are folded and masked before they are written: untrusted
 * peers by network (/24 IPv4, /64 IPv6 — one host can send from a whole /64),
 * trusted proxies by address; a stored hint keeps no e-mail address or quoted
 * identity unmasked. (The recorder itself is tested against Strapi in
 * tests/integration/activity.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskedHint, peerKey } from '../../server/src/strapi/activity/activity-log';

test('untrusted peers fold by /64 (IPv6) and /24 (IPv4); IPv4-mapped IPv6 is IPv4', () => {
  assert.equal(peerKey('2001:db8:1:2::1', 'untrusted-peer'), peerKey('2001:db8:1:2:ffff:ffff:ffff:ffff', 'untrusted-peer'));
  assert.notEqual(peerKey('2001:db8:1:2::1', 'untrusted-peer'), peerKey('2001:db8:1:3::1', 'untrusted-peer'));
  assert.equal(peerKey('10.1.2.3', 'untrusted-peer'), '10.1.2.0/24');
  assert.equal(peerKey('::ffff:10.1.2.99', 'untrusted-peer'), '10.1.2.0/24');
});

test('other refusals keep the peer address itself (a trusted proxy is one address)', () => {
  assert.equal(peerKey('10.1.2.3', 'unknown-user'), '10.1.2.3');
  assert.equal(peerKey(null, 'untrusted-peer'), '');
  assert.equal(peerKey('not-an-ip', 'untrusted-peer'), 'not-an-ip');
});

test('hints: e-mail addresses and quoted identities are masked, other quoted words are kept', () => {
  const hint = maskedHint(
    '"jane.doe@corp.example" asserts the e-mail john.smith@corp.example, whose admin account (user 3) is linked to the identity "jsmith"; delete the old row (source "header", subject "jsmith")',
    'jane.doe@corp.example',
  );
  for (const secret of ['jane.doe', 'john.smith', 'jsmith"']) assert.ok(!hint.includes(secret), hint);
  assert.match(hint, /ja\*+@corp\.example/);
  assert.match(hint, /jo\*+@corp\.example/);
  assert.match(hint, /source "header"/);
});
