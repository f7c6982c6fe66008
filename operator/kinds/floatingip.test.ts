import { describe, expect, it } from 'vitest';
import { columns, render, rules } from './crd-testing.js';
import { FloatingIP, floatingIPSpec } from './floatingip.js';

describe('FloatingIP', () => {
  it('parses a floating IP associated with an instance', () => {
    const spec = { network: { name: 'public', namespace: 'stratus-public' }, instance: 'web-1' };
    expect(floatingIPSpec.parse(spec)).toEqual(spec);
  });

  it('parses an unassociated one and one on a port with a fixed address; refuses a non-string address', () => {
    expect(
      floatingIPSpec.parse({ network: { name: 'public', namespace: 'stratus-public' } }).port,
    ).toBeUndefined();
    const onPort = { network: { name: 'public' }, port: 'web-1-port', fixedIPAddress: '10.0.0.20' };
    expect(floatingIPSpec.parse(onPort)).toEqual(onPort);
    expect(floatingIPSpec.safeParse({ network: { name: 'public' }, floatingIPAddress: 7 }).success).toBe(
      false,
    );
  });

  it('renders CEL rules: port xor instance, fixed IP needs a target, IPv4 only, create-only address', () => {
    const { crd, version } = render(FloatingIP);
    expect(crd.spec.names.shortNames).toEqual(['fip']);
    const spec = rules(version, 'spec');
    expect(spec).toContain('!(has(self.port) && has(self.instance))');
    expect(spec).toContain('!has(self.fixedIPAddress) || has(self.port) || has(self.instance)');
    expect(spec.some((r) => r.startsWith('has(oldSelf.floatingIPAddress)'))).toBe(true);
    expect(rules(version, 'spec.network')).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec.floatingIPAddress')).toContain('!isIP(self) || ip(self).family() == 4');
    expect(rules(version, 'spec.fixedIPAddress')).toContain('!isIP(self) || ip(self).family() == 4');
    expect(columns(version).slice(0, 5)).toEqual(['Floating-IP', 'Fixed-IP', 'Instance', 'Port', 'Status']);
  });
});
