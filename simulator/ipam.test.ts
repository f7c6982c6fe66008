import { describe, expect, it } from 'vitest';
import {
  addressingOf,
  addressOf,
  allocate,
  canonicalAddress,
  defaultGateway,
  isMac,
  macFor,
  parseCidrBlock,
  protocolOf,
  usage,
} from './ipam.js';

describe('addresses as Kube-OVN spells them (parsing itself: operator/domain/address.test.ts)', () => {
  it('allows surrounding spaces in comma lists and reads nothing else as an address', () => {
    expect(addressOf(' 10.0.0.7 ')).toEqual({ version: 4, value: 0x0a000007n });
    expect(canonicalAddress(' FD00:0:0:0:0:0:0:0005')).toBe('fd00::5');
    expect(canonicalAddress('10.0.0.256')).toBeUndefined();
    expect(addressOf('banana')).toBeUndefined();
  });
});

describe('CIDR blocks', () => {
  it('parses dual stack and normalizes host bits', () => {
    const cidrs = parseCidrBlock('10.0.0.9/24, fd00::1/64')!;
    expect(cidrs.map((c) => [c.version, c.prefix])).toEqual([
      [4, 24],
      [6, 64],
    ]);
    expect(defaultGateway(cidrs)).toBe('10.0.0.1,fd00::1');
    expect(protocolOf(cidrs)).toBe('Dual');
  });

  it('refuses bad blocks', () => {
    expect(parseCidrBlock('10.0.0.0/33')).toBeUndefined();
    expect(parseCidrBlock('10.0.0.0/24,10.1.0.0/24')).toBeUndefined();
    expect(parseCidrBlock('')).toBeUndefined();
    expect(parseCidrBlock('banana')).toBeUndefined();
  });
});

describe('allocate', () => {
  const dual = addressingOf({ cidrBlock: '10.0.0.0/24,fd00::/64', excludeIps: ['10.0.0.2..10.0.0.10'] })!;

  it('gives the lowest free address of each family, skipping gateway and excludes', () => {
    expect(allocate(dual, new Set())).toEqual({ ok: true, addresses: ['10.0.0.11', 'fd00::2'] });
    expect(allocate(dual, new Set(['10.0.0.11', '10.0.0.12', 'fd00::2']))).toEqual({
      ok: true,
      addresses: ['10.0.0.13', 'fd00::3'],
    });
  });

  it('honours a requested address, even inside excludeIps', () => {
    expect(allocate(dual, new Set(), '10.0.0.5,fd00::abc')).toEqual({
      ok: true,
      addresses: ['10.0.0.5', 'fd00::abc'],
    });
    // Only one family requested: the other is allocated.
    expect(allocate(dual, new Set(), 'fd00::0abc')).toEqual({
      ok: true,
      addresses: ['10.0.0.11', 'fd00::abc'],
    });
  });

  it('refuses a requested address that is taken, the gateway, or outside the subnet', () => {
    expect(allocate(dual, new Set(['10.0.0.50']), '10.0.0.50')).toMatchObject({
      ok: false,
      reason: 'Conflict',
    });
    expect(allocate(dual, new Set(), '10.0.0.1')).toMatchObject({ ok: false, reason: 'Conflict' });
    expect(allocate(dual, new Set(), '10.0.1.1')).toMatchObject({ ok: false, reason: 'OutOfRange' });
    expect(allocate(dual, new Set(), '10.0.0.255')).toMatchObject({ ok: false, reason: 'OutOfRange' });
    expect(allocate(dual, new Set(), 'nonsense')).toMatchObject({ ok: false, reason: 'Invalid' });
    const v4 = addressingOf({ cidrBlock: '10.0.0.0/24' })!;
    expect(allocate(v4, new Set(), 'fd00::1')).toMatchObject({ ok: false, reason: 'OutOfRange' });
  });

  it('reports exhaustion', () => {
    const tiny = addressingOf({ cidrBlock: '10.0.0.0/30' })!; // .1 gateway, .2 usable
    expect(allocate(tiny, new Set())).toEqual({ ok: true, addresses: ['10.0.0.2'] });
    expect(allocate(tiny, new Set(['10.0.0.2']))).toMatchObject({ ok: false, reason: 'Exhausted' });
  });

  it('honours an explicit gateway', () => {
    const s = addressingOf({ cidrBlock: '192.168.0.0/24', gateway: '192.168.0.254' })!;
    expect(allocate(s, new Set())).toEqual({ ok: true, addresses: ['192.168.0.1'] });
  });
});

describe('usage', () => {
  it('counts using and available addresses per family', () => {
    const s = addressingOf({ cidrBlock: '10.0.0.0/24', excludeIps: ['10.0.0.1', '10.0.0.2..10.0.0.10'] })!;
    const u = usage(s, ['10.0.0.11', '10.0.0.12', '10.0.0.40', '10.1.0.1']);
    // 254 usable - 10 excluded - 3 in use
    expect(u.v4).toEqual({
      available: 241,
      using: 3,
      availableRange: '10.0.0.13-10.0.0.39,10.0.0.41-10.0.0.254',
      usingRange: '10.0.0.11-10.0.0.12,10.0.0.40',
    });
    expect(u.v6.available).toBe(0);
  });

  it('does not count a static address inside excludeIps twice', () => {
    const s = addressingOf({ cidrBlock: '10.0.0.0/29', excludeIps: ['10.0.0.1..10.0.0.3'] })!;
    // usable .1-.6; excluded .1-.3; .2 statically used
    expect(usage(s, ['10.0.0.2']).v4).toMatchObject({ available: 3, using: 1 });
  });

  it('counts a /64 approximately', () => {
    const s = addressingOf({ cidrBlock: 'fd00::/64' })!;
    expect(usage(s, []).v6.available).toBeCloseTo(2 ** 64 - 2, -5);
  });
});

describe('MACs', () => {
  it('are stable per seed and well formed', () => {
    expect(macFor('vm1.ns.net.ns.ovn')).toBe(macFor('vm1.ns.net.ns.ovn'));
    expect(macFor('a')).not.toBe(macFor('b'));
    expect(isMac(macFor('x'))).toBe(true);
    expect(macFor('x').startsWith('00:00:00:')).toBe(true);
    expect(isMac('00:00:00:zz:00:00')).toBe(false);
  });
});
