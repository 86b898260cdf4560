import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a URL supplied by a tenant may reach: public unicast only (design §4 invariant 9).
 * IPv4: everything except the special-purpose ranges below. IPv6: only global unicast (2000::/3) minus its
 * special-purpose blocks — so loopback, unspecified, IPv4-mapped (::ffff:0:0/96), IPv4-compatible, NAT64
 * (64:ff9b::/96), unique-local (fc00::/7), link-local (fe80::/10) and multicast (ff00::/8) are all refused.
 */
export const REFUSED_IPV4_RANGES: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'unspecified / "this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved, broadcast'],
];

/** Global unicast IPv6 is 2000::/3; inside it these are not public hosts. */
export const REFUSED_IPV6_IN_GLOBAL: readonly (readonly [string, number, string])[] = [
  ['2001::', 23, 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4 (embeds an IPv4 address)'],
  ['3fff::', 20, 'documentation'],
];

const refused4 = new BlockList();
for (const [net, prefix] of REFUSED_IPV4_RANGES) refused4.addSubnet(net, prefix, 'ipv4');
const global6 = new BlockList();
global6.addSubnet('2000::', 3, 'ipv6');
const refused6 = new BlockList();
for (const [net, prefix] of REFUSED_IPV6_IN_GLOBAL) refused6.addSubnet(net, prefix, 'ipv6');

/** True for an IP address (v4 or v6, without brackets) that a tenant-supplied URL may reach. False for a non-IP. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !refused4.check(address, 'ipv4');
  if (family === 6) return global6.check(address, 'ipv6') && !refused6.check(address, 'ipv6');
  return false;
}

/** The IP address a URL's host names literally (brackets of IPv6 removed), or undefined for a host name. */
export function ipLiteralOf(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}
