import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Port, portSpec } from './port.js';

describe('Port', () => {
  it('parses a port with a fixed IP and security groups, defaults applied', () => {
    expect(
      portSpec.parse({
        network: { name: 'private' },
        fixedIPs: [{ subnet: 'private-v4', ipAddress: '10.0.0.20' }],
        securityGroups: ['web'],
      }),
    ).toEqual({
      network: { name: 'private' },
      fixedIPs: [{ subnet: 'private-v4', ipAddress: '10.0.0.20' }],
      securityGroups: ['web'],
      adminStateUp: true,
      vnicType: 'normal',
    });
  });

  it('keeps "no securityGroups" (project default) apart from an empty list (none); refuses bad MACs', () => {
    expect(portSpec.parse({ network: { name: 'private' } }).securityGroups).toBeUndefined();
    expect(portSpec.parse({ network: { name: 'private' }, securityGroups: [] }).securityGroups).toEqual([]);
    expect(portSpec.safeParse({ network: { name: 'private' }, macAddress: 'fa:16:3e:00:00' }).success).toBe(
      false,
    );
    expect(
      portSpec.safeParse({
        network: { name: 'public', namespace: 'stratus-public' },
        macAddress: 'fa:16:3e:00:00:01',
      }).success,
    ).toBe(true);
  });

  it('renders CEL rules: immutable network and MAC, unicast MAC, fixed IP shape, port security', () => {
    const { crd, version } = render(Port);
    expect(crd.spec.names.shortNames).toEqual(['prt']);
    expect(rules(version, 'spec.network')).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec.macAddress')[0]).toContain('lowerAscii()');
    expect(rules(version, 'spec.fixedIPs.[]')).toEqual(['has(self.subnet) || has(self.ipAddress)']);
    expect(rules(version, 'spec.allowedAddressPairs.[].ipAddress')[0]).toContain(
      'isIP(self) || (isCIDR(self)',
    );
    const spec = rules(version, 'spec');
    expect(spec[0]).toContain('has(oldSelf.macAddress) == has(self.macAddress)');
    expect(spec.some((r) => r.includes('self.portSecurityEnabled ||'))).toBe(true);
    expect(field(version, 'status.device.kind').enum).toEqual(['Instance', 'Router']);
    expect(columns(version).slice(0, 5)).toEqual(['Network', 'Fixed-IPs', 'MAC', 'Device', 'Status']);
  });
});
