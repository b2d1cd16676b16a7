// Which IP addresses the server may fetch a speech from: public unicast addresses only, so that an address given to
// "add a speech" cannot reach this machine, its private network or a cloud metadata service; special-purpose ranges
// only as far as URL_FETCH_ALLOW_PRIVATE allows them. Ranges as classified by ipaddr.js (IANA's special-purpose
// registries).

import ipaddr from 'ipaddr.js';

/** Special-purpose addresses that may be fetched anyway: none, every one, or those in some ranges (CIDR). */
export type PrivateAddressAllowance = { kind: 'none' } | { kind: 'all' } | { kind: 'ranges'; ranges: readonly string[] };

/** IPv6's global unicast block (2000::/3): every IPv6 address outside it is special-purpose. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** What each special range is, in words. */
const RANGE_WORDS: Readonly<Record<string, string>> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  uniqueLocal: 'a private network address',
  linkLocal: 'a link-local address (such as a cloud metadata service)',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
};

/** An address as ipaddr.js reads it, an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it is. */
function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

/** The special range an address is in (`loopback`, `private`…), or null for a public unicast address. */
function specialRangeOf(ip: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const range = ip.range();
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return null;
}

function isAllowed(ip: ipaddr.IPv4 | ipaddr.IPv6, allowance: PrivateAddressAllowance): boolean {
  if (allowance.kind === 'all') return true;
  if (allowance.kind === 'none') return false;
  return allowance.ranges.some((range) => {
    const [network, bits] = ipaddr.parseCIDR(range);
    return network.kind() === ip.kind() && ip.match(network, bits);
  });
}

/**
 * Why `address` (an IP address) may not be fetched, in words (`a private network address`), or null when it may:
 * a public unicast address, or a special-purpose one that `allowance` allows. An address that cannot be read is
 * refused.
 */
export function addressRefusal(address: string, allowance: PrivateAddressAllowance): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = parsed(address);
  } catch {
    return 'not an IP address';
  }
  const range = specialRangeOf(ip);
  if (range === null || isAllowed(ip, allowance)) return null;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

/**
 * Reads `URL_FETCH_ALLOW_PRIVATE`: `false` (none), `true` (all), or addresses and ranges separated by commas
 * (`127.0.0.1, 10.20.0.0/16, fd00::/8`); an address alone is its own range.
 * @throws Error naming the entry that is neither.
 */
export function parseAllowance(raw: string): PrivateAddressAllowance {
  const value = raw.trim().toLowerCase();
  if (['', 'false', '0', 'no', 'off'].includes(value)) return { kind: 'none' };
  if (['true', '1', 'yes', 'on'].includes(value)) return { kind: 'all' };
  const ranges = value.split(/[\s,]+/).filter((item) => item !== '').map((item) => {
    if (ipaddr.isValidCIDR(item)) {
      const [network, bits] = ipaddr.parseCIDR(item);
      return `${network.toString()}/${bits}`;
    }
    if (ipaddr.isValid(item)) {
      const ip = parsed(item);
      return `${ip.toString()}/${ip.kind() === 'ipv4' ? 32 : 128}`;
    }
    throw new Error(`"${item}" is neither an IP address nor a range such as 10.0.0.0/8`);
  });
  return { kind: 'ranges', ranges };
}
