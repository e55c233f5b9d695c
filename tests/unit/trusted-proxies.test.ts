import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isTrustedPeer,
  parsePeerAddress,
  parseTrustedProxies,
  type TrustedProxies,
} from '../../server/src/pipeline/trusted-proxies';

const rangesOf = (proxies: TrustedProxies): string[] =>
  proxies.ranges.map(([address, bits]) => `${address.kind()} ${address.toString()}/${bits}`);

const refused = (entries: string[], pattern: RegExp): void => {
  assert.throws(() => parseTrustedProxies(entries), (error: unknown) => {
    assert.ok(error instanceof TypeError, `expected a TypeError for ${JSON.stringify(entries)}`);
    assert.match(error.message, pattern);
    return true;
  });
};

// --- accepted entries -------------------------------------------------------

test('a bare IPv4 address means /32', () => {
  const proxies = parseTrustedProxies(['10.1.2.3']);
  assert.deepEqual(rangesOf(proxies), ['ipv4 10.1.2.3/32']);
  assert.equal(isTrustedPeer(proxies, '10.1.2.3'), true);
  assert.equal(isTrustedPeer(proxies, '10.1.2.4'), false);
  assert.equal(isTrustedPeer(proxies, '10.1.2.2'), false);
});

test('a bare IPv6 address means /128', () => {
  const proxies = parseTrustedProxies(['2001:db8::5']);
  assert.deepEqual(rangesOf(proxies), ['ipv6 2001:db8::5/128']);
  assert.equal(isTrustedPeer(proxies, '2001:db8::5'), true);
  assert.equal(isTrustedPeer(proxies, '2001:db8:0:0:0:0:0:5'), true);
  assert.equal(isTrustedPeer(proxies, '2001:db8::6'), false);
});

test('CIDR ranges match their members only', () => {
  const proxies = parseTrustedProxies(['10.0.0.0/8', '192.168.1.0/24', 'fd12:3456::/32']);
  assert.deepEqual(rangesOf(proxies), ['ipv4 10.0.0.0/8', 'ipv4 192.168.1.0/24', 'ipv6 fd12:3456::/32']);
  assert.equal(isTrustedPeer(proxies, '10.255.255.255'), true);
  assert.equal(isTrustedPeer(proxies, '11.0.0.0'), false);
  assert.equal(isTrustedPeer(proxies, '192.168.1.200'), true);
  assert.equal(isTrustedPeer(proxies, '192.168.2.1'), false);
  assert.equal(isTrustedPeer(proxies, 'fd12:3456::1'), true);
  assert.equal(isTrustedPeer(proxies, 'fd12:3457::1'), false);
  assert.equal(isTrustedPeer(proxies, 'fe80::1'), false);
});

test('the default list (loopback v4 and v6) parses and keeps the entries verbatim', () => {
  const proxies = parseTrustedProxies(['127.0.0.1/32', '::1/128']);
  assert.deepEqual(proxies.entries, ['127.0.0.1/32', '::1/128']);
  assert.deepEqual(rangesOf(proxies), ['ipv4 127.0.0.1/32', 'ipv6 ::1/128']);
  assert.equal(isTrustedPeer(proxies, '127.0.0.1'), true);
  assert.equal(isTrustedPeer(proxies, '::1'), true);
});

test('entries are copied: mutating the input list afterwards changes nothing', () => {
  const list = ['127.0.0.1'];
  const proxies = parseTrustedProxies(list);
  list.push('0.0.0.0/1');
  assert.deepEqual(proxies.entries, ['127.0.0.1']);
  assert.equal(proxies.ranges.length, 1);
});

test('an IPv4-mapped IPv6 entry is unwrapped to IPv4', () => {
  const proxies = parseTrustedProxies(['::ffff:127.0.0.1']);
  assert.deepEqual(rangesOf(proxies), ['ipv4 127.0.0.1/32']);
  assert.equal(isTrustedPeer(proxies, '127.0.0.1'), true);
  assert.equal(isTrustedPeer(proxies, '::ffff:127.0.0.1'), true);
  assert.equal(isTrustedPeer(proxies, '127.0.0.2'), false);
});

test('an IPv4-mapped IPv6 range keeps its mask relative to IPv4 (/104 → /8)', () => {
  const proxies = parseTrustedProxies(['::ffff:10.0.0.0/104']);
  assert.deepEqual(rangesOf(proxies), ['ipv4 10.0.0.0/8']);
  assert.equal(isTrustedPeer(proxies, '10.9.9.9'), true);
  assert.equal(isTrustedPeer(proxies, '11.0.0.1'), false);
});

// --- refused entries --------------------------------------------------------

test('an empty list is refused', () => {
  refused([], /is empty/);
});

test('"*" is refused', () => {
  refused(['*'], /would trust every client/);
  refused(['127.0.0.1/32', '*'], /"\*" would trust every client/);
});

test('the catch-alls 0.0.0.0/0 and ::/0 are refused', () => {
  refused(['0.0.0.0/0'], /would trust every client/);
  refused(['::/0'], /would trust every client/);
  refused(['10.0.0.0/0'], /./); // /0 with host bits is both a catch-all and malformed
});

test(
  'an IPv4-mapped catch-all (::ffff:0:0/96, i.e. all of IPv4) is refused',
  
  () => {
    refused(['::ffff:0:0/96'], /would trust every client/);
    refused(['::ffff:0.0.0.0/96'], /would trust every client/);
  },
);

test('shorthand, octal and hexadecimal IPv4 forms are refused', () => {
  refused(['127.1'], /not a dotted-quad IPv4 address/);
  refused(['0177.0.0.1'], /not a dotted-quad IPv4 address/);
  refused(['0x7f.0.0.1'], /not a dotted-quad IPv4 address/);
  refused(['127.000.000.001'], /not a dotted-quad IPv4 address/);
  refused(['2130706433'], /not a dotted-quad IPv4 address/);
  refused(['0x7f000001'], /not a dotted-quad IPv4 address/);
  refused(['127.0.0.1.'], /not a dotted-quad IPv4 address/);
  refused(['256.0.0.1'], /not a dotted-quad IPv4 address/);
});

test(
  'octal and hexadecimal quads are refused inside IPv4-mapped IPv6 entries too',
  
  () => {
    refused(['::ffff:0177.0.0.1'], /./);
    refused(['::ffff:0x7f.0.0.1'], /./);
    refused(['::ffff:127.000.0.1'], /./);
  },
);

test('host bits set outside the mask are refused, with the corrected range suggested', () => {
  refused(['10.0.0.1/8'], /host bits set outside its \/8 mask \(did you mean "10\.0\.0\.0\/8"\?\)/);
  refused(['192.168.1.1/24'], /did you mean "192\.168\.1\.0\/24"/);
  refused(['fd00::1/32'], /host bits set outside its \/32 mask \(did you mean "fd00::\/32"\?\)/);
  refused(['::ffff:10.0.0.1/104'], /did you mean "10\.0\.0\.0\/8"/);
});

test('an IPv6 zone index is refused', () => {
  refused(['fe80::1%eth0'], /zone index/);
  refused(['fe80::%1/64'], /zone index/);
});

test('invalid prefix lengths are refused', () => {
  refused(['10.0.0.0/33'], /invalid prefix length \(0-32 expected\)/);
  refused(['::1/129'], /invalid prefix length \(0-128 expected\)/);
  refused(['127.0.0.1/032'], /invalid prefix length/);
  refused(['127.0.0.1/'], /invalid prefix length/);
  refused(['127.0.0.1/-1'], /invalid prefix length/);
  refused(['127.0.0.1/+32'], /invalid prefix length/);
  refused(['127.0.0.1/32/32'], /invalid prefix length/);
  refused(['127.0.0.1/ 32'], /invalid prefix length/);
});

test('an IPv4-mapped entry with a prefix shorter than /96 is refused', () => {
  refused(['::ffff:0:0/95'], /shorter than \/96/);
});

test('empty, padded and garbage entries are refused', () => {
  refused([''], /non-empty address/);
  refused([' 127.0.0.1'], /without spaces/);
  refused(['127.0.0.1 '], /without spaces/);
  refused(['localhost'], /not a dotted-quad/);
  refused(['::g'], /not a valid IPv6 address/);
  refused(['1:2:3:4:5:6:7:8:9'], /not a valid IPv6 address/);
  refused(['127.0.0.1/32', 'proxy.internal'], /"proxy\.internal"/);
});

test('a non-string entry is refused with a TypeError', () => {
  assert.throws(() => parseTrustedProxies([42 as unknown as string]), TypeError);
  assert.throws(() => parseTrustedProxies([null as unknown as string]), TypeError);
});

// --- peers ------------------------------------------------------------------

test('an IPv4-mapped IPv6 peer matches a plain IPv4 range', () => {
  const proxies = parseTrustedProxies(['127.0.0.1/32']);
  assert.equal(isTrustedPeer(proxies, '::ffff:127.0.0.1'), true);
  assert.equal(isTrustedPeer(proxies, '::ffff:7f00:1'), true);
  assert.equal(isTrustedPeer(proxies, '::ffff:127.0.0.2'), false);
});

test('127.0.0.2 does not match 127.0.0.1/32', () => {
  const proxies = parseTrustedProxies(['127.0.0.1/32']);
  assert.equal(isTrustedPeer(proxies, '127.0.0.2'), false);
  assert.equal(isTrustedPeer(proxies, '127.0.0.1'), true);
});

test('a missing or garbage peer address is never trusted', () => {
  const proxies = parseTrustedProxies(['127.0.0.1/32', '::1/128']);
  for (const peer of [undefined, '', 'not-an-ip', '999.1.1.1', '127.0.0.1 ', ' 127.0.0.1', 'localhost', '::g']) {
    assert.equal(isTrustedPeer(proxies, peer), false, `peer ${JSON.stringify(peer)} must not be trusted`);
    assert.equal(parsePeerAddress(peer), null, `peer ${JSON.stringify(peer)} must not parse`);
  }
});

test('an IPv6 peer never matches an IPv4 range, and vice versa', () => {
  const v4 = parseTrustedProxies(['127.0.0.1/32', '10.0.0.0/8']);
  assert.equal(isTrustedPeer(v4, '::1'), false);
  assert.equal(isTrustedPeer(v4, '::7f00:1'), false); // IPv4-compatible, not mapped
  assert.equal(isTrustedPeer(v4, 'a00::1'), false);
  const v6 = parseTrustedProxies(['::1/128', '::/32']);
  assert.equal(isTrustedPeer(v6, '127.0.0.1'), false);
  assert.equal(isTrustedPeer(v6, '0.0.0.1'), false);
});

test('parsePeerAddress unwraps IPv4-mapped peers and keeps others as they are', () => {
  assert.equal(parsePeerAddress('::ffff:10.0.0.7')?.kind(), 'ipv4');
  assert.equal(parsePeerAddress('::ffff:10.0.0.7')?.toString(), '10.0.0.7');
  assert.equal(parsePeerAddress('10.0.0.7')?.toString(), '10.0.0.7');
  assert.equal(parsePeerAddress('::1')?.kind(), 'ipv6');
  assert.equal(parsePeerAddress('2001:db8::1')?.toString(), '2001:db8::1');
});

test('the peer is matched against every entry of the list', () => {
  const proxies = parseTrustedProxies(['10.0.0.1', '10.0.0.2', '2001:db8::1']);
  assert.equal(isTrustedPeer(proxies, '10.0.0.1'), true);
  assert.equal(isTrustedPeer(proxies, '10.0.0.2'), true);
  assert.equal(isTrustedPeer(proxies, '2001:db8::1'), true);
  assert.equal(isTrustedPeer(proxies, '10.0.0.3'), false);
});

// --- T23: ranges wider than any proxy fleet ---------------------------------

test('catch-all trust in halves is refused: 0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1 (T23)', () => {
  refused(['0.0.0.0/1', '128.0.0.0/1'], /entry "0\.0\.0\.0\/1" is wider than \/8 \(IPv4\)/);
  refused(['128.0.0.0/1'], /wider than \/8/);
  refused(['::/1', '8000::/1'], /entry "::\/1" is wider than \/32 \(IPv6\)/);
  refused(['8000::/1'], /wider than \/32/);
});

test('IPv4 prefixes shorter than /8 and IPv6 prefixes shorter than /32 are refused; /8 and /32 are accepted', () => {
  for (const bits of [1, 2, 4, 7]) refused([`0.0.0.0/${bits}`], /wider than \/8/);
  refused(['10.0.0.0/7'], /wider than \/8/);
  for (const bits of [1, 8, 16, 31]) refused([`2000::/${bits}`], /wider than \/32/);
  refused(['fd00::/8'], /wider than \/32/);
  assert.deepEqual(rangesOf(parseTrustedProxies(['10.0.0.0/8', '2001:db8::/32'])), ['ipv4 10.0.0.0/8', 'ipv6 2001:db8::/32']);
});

test('the IPv4 bound applies to IPv4-mapped IPv6 entries after unwrapping (/103 = IPv4 /7)', () => {
  refused(['::ffff:0.0.0.0/97'], /wider than \/8 \(IPv4\)/);
  refused(['::ffff:10.0.0.0/103'], /wider than \/8 \(IPv4\)/);
  assert.deepEqual(rangesOf(parseTrustedProxies(['::ffff:10.0.0.0/104'])), ['ipv4 10.0.0.0/8']);
});

test('a list whose entries together cover more than sixteen /8 (IPv4) or /32 (IPv6) networks is refused (T23, attack pass)', () => {
  const everyEight = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`).filter((entry) => entry !== '0.0.0.0/8');
  assert.throws(() => parseTrustedProxies(everyEight), /together covers more IPv4 addresses than 16 \/8 networks/);
  assert.throws(() => parseTrustedProxies(Array.from({ length: 17 }, (_, i) => `${i + 1}.0.0.0/8`)), /together covers/);
  assert.throws(() => parseTrustedProxies(Array.from({ length: 17 }, (_, i) => `2001:${(i + 1).toString(16)}::/32`)), /IPv6/);
  // Real fleets stay well inside: the private ranges plus a CDN's published ranges.
  const fleet = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '173.245.48.0/20', '103.21.244.0/22', '2400:cb00::/32', '2606:4700::/32', 'fd00:1234::/48'];
  assert.equal(parseTrustedProxies(fleet).ranges.length, fleet.length);
  assert.equal(parseTrustedProxies(Array.from({ length: 16 }, (_, i) => `${i + 1}.0.0.0/8`)).ranges.length, 16);
});
