import { describe, expect, it } from 'vitest';
import {
  blocksOverlap,
  canonicalCidr,
  canonicalIP,
  cidrContains,
  cidrsOverlap,
  excludedRanges,
  firstHost,
  formatIP,
  hostRange,
  netmask,
  parseCidr,
  parseIP,
} from './address.js';

describe('addresses', () => {
  it('prints IPv6 as Go does: lower case, the longest zero run (first of equals) as ::, never a single zero', () => {
    expect(canonicalIP('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(canonicalIP('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIP('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIP('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIP('FD00:0:0:0:0:0:0:0005')).toBe('fd00::5');
    expect(canonicalIP('::')).toBe('::');
    expect(canonicalIP('::1')).toBe('::1');
    expect(canonicalIP('::ffff:10.0.0.1')).toBe('::ffff:a00:1'); // an embedded IPv4 tail
    expect(canonicalIP('10.000.0.1')).toBe('10.000.0.1'); // not an address: left alone
    expect(parseIP('1::2::3')).toBeUndefined();
    expect(parseIP('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIP('256.0.0.1')).toBeUndefined();
  });

  it('reads CIDRs, their membership, netmasks and first hosts', () => {
    expect(canonicalCidr('FD00:10:0:0::/64')).toBe('fd00:10::/64');
    expect(cidrContains('10.0.0.0/24', '10.0.0.77')).toBe(true);
    expect(cidrContains('10.0.0.0/24', '10.0.1.1')).toBe(false);
    expect(cidrContains('fd00:10::/64', 'fd00:10::5')).toBe(true);
    expect(cidrContains('10.0.0.0/24', 'fd00:10::5')).toBe(false);
    expect(netmask(parseCidr('10.0.0.0/24')!)).toBe('255.255.255.0');
    expect(netmask(parseCidr('fd00:10::/64')!)).toBe('ffff:ffff:ffff:ffff::');
    expect(firstHost(parseCidr('192.168.5.0/26')!)).toBe('192.168.5.1');
    expect(firstHost(parseCidr('fd00:10::/64')!)).toBe('fd00:10::1');
  });
});

describe('parsing and printing (what the simulated Kube-OVN IPAM relies on)', () => {
  it('parses and prints IPv4, refusing leading zeros and short forms', () => {
    expect(canonicalIP('10.0.0.7')).toBe('10.0.0.7');
    expect(parseIP('10.0.0.256')).toBeUndefined();
    expect(parseIP('10.0.0')).toBeUndefined();
    expect(parseIP('010.0.0.1')).toBeUndefined();
  });

  it('round-trips', () => {
    for (const text of ['192.168.1.1', '0.0.0.0', 'fe80::1', '1:2:3:4:5:6:7:8', 'fd00:10:16::a']) {
      const ip = parseIP(text)!;
      expect(formatIP(ip.version, ip.value)).toBe(text);
    }
  });

  it('normalizes host bits and knows the host range of a block', () => {
    expect(canonicalCidr('10.0.0.9/24')).toBe('10.0.0.0/24');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('banana')).toBeUndefined();
    const [first, last] = hostRange(parseCidr('10.0.0.0/30')!);
    expect([formatIP(4, first), formatIP(4, last)]).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(hostRange(parseCidr('10.0.0.0/31')!)).toEqual([
      parseIP('10.0.0.0')!.value,
      parseIP('10.0.0.1')!.value,
    ]);
  });
});

describe("membership and overlap (the webhooks' subnet and fixed-IP rules)", () => {
  it.each([
    ['10.0.0.0/24', '10.0.0.255', true],
    ['10.0.0.0/24', '10.0.1.0', false],
    ['fd00:10::/64', 'fd00:10::1', true],
    ['fd00:10::/64', '10.0.0.1', false],
    ['not-a-cidr', '10.0.0.1', false],
  ])('knows which addresses a CIDR holds: %s holds %s is %s', (cidr, ip, holds) => {
    expect(cidrContains(cidr, ip)).toBe(holds);
  });

  it('detects overlapping CIDRs in either direction, and only within a family', () => {
    const overlapping = [
      ['10.0.0.0/24', '10.0.0.128/25'],
      ['10.0.0.128/25', '10.0.0.0/16'],
      ['fd00:10::/64', 'fd00:10::/48'],
    ];
    const apart = [
      ['10.0.0.0/25', '10.0.0.128/25'],
      ['10.0.0.0/8', 'fd00::/8'],
      ['fd00:10::/64', 'fd00:11::/64'],
      ['10.0.0.0/24', 'banana'],
    ];
    for (const [a, b] of overlapping) expect(cidrsOverlap(a!, b!), `${a} ~ ${b}`).toBe(true);
    for (const [a, b] of apart) expect(cidrsOverlap(a!, b!), `${a} ~ ${b}`).toBe(false);
  });

  it('compares parsed blocks the same way', () => {
    expect(blocksOverlap(parseCidr('10.1.0.0/16')!, parseCidr('10.1.200.0/24')!)).toBe(true);
    expect(blocksOverlap(parseCidr('10.1.0.0/16')!, parseCidr('10.2.0.0/16')!)).toBe(false);
  });
});

describe('excludedRanges (Neutron allocation pools → Kube-OVN excludeIps)', () => {
  it('excludes only the gateway when there are no pools', () => {
    expect(excludedRanges('10.0.0.0/24', [], ['10.0.0.1'])).toEqual(['10.0.0.1']);
  });

  it('excludes everything outside the pools, as maximal ranges sorted like Go strings', () => {
    expect(
      excludedRanges(
        '10.0.0.0/24',
        [
          { start: '10.0.0.100', end: '10.0.0.150' },
          { start: '10.0.0.20', end: '10.0.0.29' },
        ],
        ['10.0.0.1'],
      ),
    ).toEqual(['10.0.0.1..10.0.0.19', '10.0.0.151..10.0.0.254', '10.0.0.30..10.0.0.99']);
  });

  it('merges the gateway into an adjacent range so Kube-OVN has nothing to reformat', () => {
    expect(excludedRanges('10.0.0.0/24', [{ start: '10.0.0.3', end: '10.0.0.254' }], ['10.0.0.1'])).toEqual([
      '10.0.0.1..10.0.0.2',
    ]);
  });

  it('works for IPv6 blocks', () => {
    expect(
      excludedRanges(
        'fd00:10::/64',
        [{ start: 'fd00:10::100', end: 'fd00:10::ffff:ffff:ffff:ffff' }],
        ['fd00:10::1'],
      ),
    ).toEqual(['fd00:10::1..fd00:10::ff']);
  });

  it('ignores pools of the other family and clips pools to the host range', () => {
    expect(
      excludedRanges(
        '10.0.0.0/30',
        [
          { start: '10.0.0.0', end: '10.0.0.3' },
          { start: 'fd00::1', end: 'fd00::2' },
        ],
        [],
      ),
    ).toEqual([]);
  });
});
