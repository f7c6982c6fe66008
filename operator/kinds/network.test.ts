import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Network, immutableOnceSet, networkSpec } from './network.js';

describe('Network', () => {
  it('parses a tenant network with defaults applied', () => {
    expect(networkSpec.parse({ displayName: 'private', mtu: 1400 })).toEqual({
      displayName: 'private',
      mtu: 1400,
      adminStateUp: true,
      shared: false,
      external: false,
      portSecurityEnabled: true,
    });
  });

  it('parses an external flat provider network; refuses an out-of-range MTU and unknown network types', () => {
    const spec = networkSpec.parse({
      external: true,
      shared: true,
      provider: { networkType: 'flat', physicalNetwork: 'physnet1' },
    });
    expect(spec.provider).toEqual({ networkType: 'flat', physicalNetwork: 'physnet1' });
    expect(networkSpec.safeParse({ mtu: 60 }).success).toBe(false);
    expect(networkSpec.safeParse({ mtu: 9001 }).success).toBe(false);
    expect(networkSpec.safeParse({ provider: { networkType: 'vxlan' } }).success).toBe(false);
  });

  it('builds create-only rules for optional fields', () => {
    const rule = immutableOnceSet('macAddress');
    expect(rule.rule).toBe(
      'has(oldSelf.macAddress) == has(self.macAddress) && (!has(self.macAddress) || self.macAddress == oldSelf.macAddress)',
    );
    expect(rule.fieldPath).toBe('.macAddress');
  });

  it('renders a CRD: external immutable, provider create-only and checked, Status column', () => {
    const { crd, version } = render(Network);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.shortNames).toEqual(['net']);
    expect(crd.spec.names.categories).toEqual(['stratus']);
    expect(rules(version, 'spec.external')).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec')[0]).toContain('has(oldSelf.provider) == has(self.provider)');
    expect(rules(version, 'spec.provider')).toHaveLength(3);
    expect(field(version, 'spec.provider.networkType').enum).toEqual(['geneve', 'flat', 'vlan']);
    expect(field(version, 'status.state').enum).toEqual(['ACTIVE', 'DOWN', 'BUILD', 'ERROR']);
    expect(Object.keys(field(version, 'status').properties)).toEqual(
      expect.arrayContaining([
        'conditions',
        'observedGeneration',
        'subnets',
        'mtu',
        'networkAttachmentDefinition',
      ]),
    );
    expect(columns(version)).toEqual([
      'External',
      'Shared',
      'Subnets',
      'MTU',
      'Status',
      'Ready',
      'Reason',
      'Age',
    ]);
  });
});
