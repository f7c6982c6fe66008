import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Subnet, subnetSpec } from './subnet.js';

describe('Subnet', () => {
  it('parses an IPv4 subnet with defaults applied', () => {
    expect(subnetSpec.parse({ network: 'private', cidr: '10.0.0.0/24', gatewayIP: '10.0.0.1' })).toEqual({
      network: 'private',
      ipVersion: 4,
      cidr: '10.0.0.0/24',
      gatewayIP: '10.0.0.1',
      disableGateway: false,
      enableDHCP: true,
    });
  });

  it('parses a SLAAC IPv6 subnet; refuses ipVersion 5, unknown IPv6 modes and a sixth DNS server', () => {
    const v6 = subnetSpec.parse({
      network: 'private',
      ipVersion: 6,
      cidr: 'fd00:10::/64',
      ipv6AddressMode: 'slaac',
    });
    expect(v6.ipVersion).toBe(6);
    expect(subnetSpec.safeParse({ network: 'private', ipVersion: 5, cidr: '10.0.0.0/24' }).success).toBe(
      false,
    );
    expect(subnetSpec.safeParse({ network: 'p', cidr: 'fd00::/64', ipv6RAMode: 'dhcpv6' }).success).toBe(
      false,
    );
    const dns = ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'];
    expect(subnetSpec.safeParse({ network: 'p', cidr: '10.0.0.0/24', dnsNameservers: dns }).success).toBe(
      false,
    );
  });

  it('renders CEL rules for CIDR family, gateway, pools, IPv6 modes and immutability', () => {
    const { crd, version } = render(Subnet);
    expect(crd.spec.names.shortNames).toEqual(['sn']);
    for (const path of ['spec.network', 'spec.ipVersion'])
      expect(rules(version, path)).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec.cidr')).toEqual([
      'isCIDR(self)',
      '!isCIDR(self) || cidr(self).masked() == cidr(self)',
      'self == oldSelf',
    ]);
    expect(field(version, 'spec.ipVersion')).toMatchObject({ type: 'integer', enum: [4, 6], default: 4 });
    const spec = rules(version, 'spec');
    expect(spec).toContain('!isCIDR(self.cidr) || cidr(self.cidr).ip().family() == self.ipVersion');
    expect(spec.some((r) => r.includes('cidr(self.cidr).containsIP(self.gatewayIP)'))).toBe(true);
    expect(spec.some((r) => r.includes('cidr(self.cidr).containsIP(p.start)'))).toBe(true);
    expect(spec.some((r) => r.includes('prefixLength() == 64'))).toBe(true);
    expect(spec.some((r) => r.startsWith('has(oldSelf.ipv6AddressMode)'))).toBe(true);
    // The cost estimator cannot bound != on IP values; rules compare with !(a == b) instead.
    expect(spec.filter((r) => /ip\([^)]*\)\s*!=/.test(r))).toEqual([]);
    expect(rules(version, 'spec.allocationPools.[]')[1]).toContain("split('.')");
    expect(field(version, 'spec.dnsNameservers')['x-kubernetes-list-type']).toBe('set');
    expect(columns(version).slice(0, 4)).toEqual(['Network', 'CIDR', 'Gateway', 'Used']);
  });
});
