import ipaddr from 'ipaddr.js';

/**
 * The set of peers allowed to assert an identity (T1–T3).
 *
 * Entries are CIDR ranges or bare addresses (a bare IPv4 address means /32, a
 * bare IPv6 address /128). Parsing is strict on purpose: `127.1`, octal or
 * hexadecimal quads, zone indexes, host bits set outside the mask, `*` and the
 * catch-alls `0.0.0.0/0` / `::/0` are refused, because each of them has meant
 * "trust everybody" in some product's history. So are ranges wider than any
 * proxy fleet needs — IPv4 prefixes shorter than /8, IPv6 prefixes shorter
 * than /32 — because a few of them cover everyone again (`0.0.0.0/1` +
 * `128.0.0.0/1`, T23). IPv4-mapped IPv6 entries (`::ffff:10.0.0.1`) are
 * unwrapped to IPv4 so they match IPv4 peers.
 */
export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface TrustedProxies {
  readonly entries: readonly string[];
  readonly ranges: readonly Range[];
}

const DECIMAL = /^(0|[1-9][0-9]{0,2})$/;

/**
 * The widest range a trustedProxies entry may name. A /8 is already sixteen
 * million IPv4 addresses (all of 10.0.0.0/8); an IPv6 /32 is a whole
 * provider allocation. No proxy fleet needs more, and wider entries are how
 * "trust everyone" sneaks back in halves or quarters.
 */
export const WIDEST_PREFIX = { ipv4: 8, ipv6: 32 } as const;

/**
 * And the most the whole list may cover, per family: sixteen of the widest
 * entries (a sixteenth of IPv4). Otherwise 256 entries of /8 would trust
 * every IPv4 client again, one allowed piece at a time.
 */
export const WIDEST_LIST = 16;

export function parseTrustedProxies(list: readonly string[]): TrustedProxies {
  if (list.length === 0) {
    throw new TypeError('is empty: list the address of your reverse proxy, e.g. ["127.0.0.1/32"]');
  }
  const ranges = list.map(parseEntry);
  assertListIsNarrow(ranges);
  return { entries: [...list], ranges };
}

/** Sums what the entries cover (overlaps counted twice: an upper bound) against WIDEST_LIST widest entries. */
function assertListIsNarrow(ranges: readonly Range[]): void {
  for (const kind of ['ipv4', 'ipv6'] as const) {
    const bits = kind === 'ipv4' ? 32 : 128;
    const covered = ranges
      .filter(([address]) => address.kind() === kind)
      .reduce((sum, [, prefix]) => sum + (1n << BigInt(bits - prefix)), 0n);
    const limit = BigInt(WIDEST_LIST) << BigInt(bits - WIDEST_PREFIX[kind]);
    if (covered > limit) {
      throw new TypeError(
        `together covers more ${kind === 'ipv4' ? 'IPv4' : 'IPv6'} addresses than ${WIDEST_LIST} /${WIDEST_PREFIX[kind]} networks, ` +
          'which no proxy fleet needs and which trusts much of the Internet: list your proxies\' own addresses or subnets',
      );
    }
  }
}

function parseEntry(entry: string): Range {
  const fail = (why: string): never => {
    throw new TypeError(`entry "${entry}" ${why}`);
  };
  if (typeof entry !== 'string' || entry.trim() !== entry || entry === '') {
    fail('must be a non-empty address or CIDR range without spaces');
  }
  if (entry === '*') fail('would trust every client: list your proxy addresses instead');

  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? null : entry.slice(slash + 1);

  let address: ipaddr.IPv4 | ipaddr.IPv6;
  if (addressText.includes(':')) {
    if (addressText.includes('%')) fail('has a zone index, which cannot be matched reliably');
    if (!ipaddr.IPv6.isValid(addressText)) fail('is not a valid IPv6 address');
    const dotted = addressText.lastIndexOf(':');
    if (addressText.includes('.')) {
      // Only the IPv4-mapped form may embed a quad, and the quad must be strict decimal.
      if (!/^::ffff:/i.test(addressText) || !ipaddr.IPv4.isValidFourPartDecimal(addressText.slice(dotted + 1))) {
        fail('embeds an IPv4 address in a form other than "::ffff:a.b.c.d" with decimal parts');
      }
    }
    address = ipaddr.IPv6.parse(addressText);
  } else {
    if (!ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
      fail('is not a dotted-quad IPv4 address (shorthand like "127.1" and octal forms are refused)');
    }
    address = ipaddr.IPv4.parse(addressText);
  }

  const maxBits = address.kind() === 'ipv4' ? 32 : 128;
  let bits = maxBits;
  if (prefixText !== null) {
    if (!DECIMAL.test(prefixText) || Number(prefixText) > maxBits) {
      fail(`has an invalid prefix length (0-${maxBits} expected)`);
    }
    bits = Number(prefixText);
  }
  if (bits === 0) fail('would trust every client: list your proxy addresses instead');

  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (bits < 96) fail('mixes an IPv4-mapped address with a prefix shorter than /96');
    address = (address as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
    if (bits === 0) fail('would trust every client (all of IPv4): list your proxy addresses instead');
  }
  const widest = WIDEST_PREFIX[address.kind()];
  if (bits < widest) {
    fail(
      `is wider than /${widest} (${address.kind() === 'ipv4' ? 'IPv4' : 'IPv6'}): no proxy fleet needs that many addresses, ` +
        'and a few such ranges together trust every client; list your proxies\' addresses or subnets instead',
    );
  }

  const network = ipaddr.parse(networkAddress(address, bits));
  if (network.toString() !== address.toString()) {
    fail(`has host bits set outside its /${bits} mask (did you mean "${network.toString()}/${bits}"?)`);
  }
  return [address, bits];
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  if (address.kind() === 'ipv4') {
    return ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`).toString();
  }
  return ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`).toString();
}

/** Normalises the socket's peer address: IPv4-mapped IPv6 becomes IPv4. */
export function parsePeerAddress(remoteAddress: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!remoteAddress || !ipaddr.isValid(remoteAddress)) return null;
  const parsed = ipaddr.parse(remoteAddress);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}

/**
 * True when the socket peer is one of the trusted proxies. Pass the socket's
 * `remoteAddress` — never `ctx.ip`, `X-Forwarded-For`, `Forwarded` or
 * `X-Real-IP`, which any client can write (T2).
 */
export function isTrustedPeer(proxies: TrustedProxies, remoteAddress: string | undefined): boolean {
  const peer = parsePeerAddress(remoteAddress);
  if (!peer) return false;
  return proxies.ranges.some(([range, bits]) => range.kind() === peer.kind() && peer.match(range, bits));
}
