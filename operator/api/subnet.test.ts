import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';

interface Rule {
  rule: string;
  message: string;
  fieldPath?: string;
}
interface Schema {
  type?: string;
  properties: Record<string, Schema>;
  items: Schema;
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-validations'?: Rule[];
  'x-kubernetes-list-type'?: string;
}
interface Version {
  additionalPrinterColumns: { name: string; jsonPath: string }[];
  schema: { openAPIV3Schema: Schema };
}
interface Crd {
  spec: { scope: string; names: { shortNames: string[]; categories: string[] }; versions: Version[] };
}

/** The rendered CRD's only version. */
function render(kind: KindDefinition): { crd: Crd; version: Version } {
  const crd = renderCrd(kind) as unknown as Crd;
  const version = crd.spec.versions[0];
  if (!version) throw new Error('no version');
  return { crd, version };
}

/** The schema at a dotted path from the root, `[]` for list items, e.g. `spec.rules.[]`. */
function field(version: Version, path: string): Schema {
  return path.split('.').reduce<Schema>((node, key) => {
    const child = key === '[]' ? node.items : node.properties[key];
    if (!child) throw new Error(`no field ${path}`);
    return child;
  }, version.schema.openAPIV3Schema);
}

/** The CEL rule texts of the field at a path. */
function rules(version: Version, path: string): string[] {
  return (field(version, path)['x-kubernetes-validations'] ?? []).map((r) => r.rule);
}

function columns(version: Version): string[] {
  return version.additionalPrinterColumns.map((c) => c.name);
}

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
