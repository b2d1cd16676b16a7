// Unit tests of which IP addresses may be fetched: public unicast only, special-purpose ranges as allowed by
// URL_FETCH_ALLOW_PRIVATE (none, all, or listed ranges).

import { describe, expect, it } from 'vitest';
import { addressRefusal, parseAllowance } from '../../server/adapters/address-policy.ts';

const NONE = parseAllowance('false');

describe('addressRefusal', () => {
  it.each(['8.8.8.8', '193.5.1.10', '2001:4860:4860::8888', '2a00:1450:4001::200e'])('allows the public address %s', (address) => {
    expect(addressRefusal(address, NONE)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private network'],
    ['172.31.255.255', 'private network'],
    ['192.168.1.1', 'private network'],
    ['169.254.169.254', 'link-local'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.251', 'multicast'],
    ['192.0.2.10', 'special-purpose address (reserved)'],
    ['198.18.0.1', 'special-purpose address (reserved)'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'private network'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a00:1', 'special-purpose address (rfc6052)'],
    ['2002:a00:1::', 'special-purpose address (6to4)'],
    ['2001:db8::1', 'special-purpose address'],
    ['::7f00:1', 'special-purpose address'],
    ['not-an-ip', 'not an IP address'],
  ])('refuses %s as %s', (address, words) => {
    expect(addressRefusal(address, NONE)).toContain(words);
  });

  it('allows special addresses as URL_FETCH_ALLOW_PRIVATE says: all of them, or those in its ranges', () => {
    expect(addressRefusal('10.0.0.1', parseAllowance('true'))).toBeNull();
    const ranges = parseAllowance('127.0.0.1, 10.20.0.0/16 fd00::/8');
    expect(ranges).toEqual({ kind: 'ranges', ranges: ['127.0.0.1/32', '10.20.0.0/16', 'fd00::/8'] });
    expect(addressRefusal('127.0.0.1', ranges)).toBeNull();
    expect(addressRefusal('::ffff:127.0.0.1', ranges)).toBeNull();
    expect(addressRefusal('10.20.3.4', ranges)).toBeNull();
    expect(addressRefusal('fd00::5', ranges)).toBeNull();
    expect(addressRefusal('127.0.0.2', ranges)).toContain('loopback');
    expect(addressRefusal('10.21.0.1', ranges)).toContain('private network');
    expect(addressRefusal('::1', ranges)).toContain('loopback');
  });

  it('reads the setting, naming an entry it cannot read', () => {
    for (const off of ['', 'false', 'off', '0', 'no']) expect(parseAllowance(off)).toEqual({ kind: 'none' });
    for (const on of ['true', 'ON', '1', 'yes']) expect(parseAllowance(on)).toEqual({ kind: 'all' });
    expect(() => parseAllowance('127.0.0.1, intranet.local')).toThrow('"intranet.local" is neither an IP address nor a range');
    expect(() => parseAllowance('10.0.0.0/40')).toThrow('"10.0.0.0/40"');
  });
});
