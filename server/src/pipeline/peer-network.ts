import ipaddr from 'ipaddr.js';

/** The prefix one sender controls: an IPv4 /24, an IPv6 /48 (a home connection is often given a /56 or a /48, not one /64). */
export const IPV4_NETWORK_BITS = 24;
export const IPV6_NETWORK_BITS = 48;

/**
 * The network a peer sends from: /24 for IPv4, /48 for IPv6, IPv4-mapped
 * IPv6 unwrapped to IPv4. Not an address: the text itself (an empty string
 * for none).
 */
export function networkOf(peer: string | null | undefined): string {
  if (!peer || !ipaddr.isValid(peer)) return peer ?? '';
  const parsed = ipaddr.process(peer);
  const bits = parsed.kind() === 'ipv4' ? IPV4_NETWORK_BITS : IPV6_NETWORK_BITS;
  const bytes = parsed.toByteArray().map((byte, i) => (i * 8 >= bits ? 0 : byte));
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`;
}
