import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { PROTOCOL_NAMES, SecurityGroup, securityGroupSpec } from './securitygroup.js';

describe('SecurityGroup', () => {
  it('parses rules with defaults applied (stateful, ethertype IPv4)', () => {
    expect(
      securityGroupSpec.parse({
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            portRangeMin: 22,
            portRangeMax: 22,
            remoteIPPrefix: '0.0.0.0/0',
          },
        ],
      }),
    ).toEqual({
      stateful: true,
      rules: [
        {
          direction: 'ingress',
          ethertype: 'IPv4',
          protocol: 'tcp',
          portRangeMin: 22,
          portRangeMax: 22,
          remoteIPPrefix: '0.0.0.0/0',
        },
      ],
    });
  });

  it('accepts protocol names and numbers 0-255; refuses others', () => {
    const rule = (protocol: string) =>
      securityGroupSpec.safeParse({ rules: [{ direction: 'egress', protocol }] });
    for (const p of ['tcp', 'ipv6-icmp', 'any', '0', '6', '58', '255']) expect(rule(p).success, p).toBe(true);
    for (const p of ['http', '256', '06', 'TCP', '-1']) expect(rule(p).success, p).toBe(false);
    expect(PROTOCOL_NAMES).toContain('udplite');
  });

  it('renders the rule checks, and rules as an atomic list with a uniqueness rule', () => {
    const { crd, version } = render(SecurityGroup);
    expect(crd.spec.names.shortNames).toEqual(['sg', 'secgroup']);
    const list = field(version, 'spec.rules');
    // Server-side apply cannot merge a `set` of objects; uniqueness is a CEL rule.
    expect(list['x-kubernetes-list-type']).toBe('atomic');
    expect(rules(version, 'spec.rules')).toContain('self.all(r, self.exists_one(s, s == r))');
    const rule = rules(version, 'spec.rules.[]');
    expect(rule).toHaveLength(8);
    expect(rule.some((r) => r.includes('self.portRangeMin <= self.portRangeMax'))).toBe(true);
    expect(rule.some((r) => r.includes('self.portRangeMin <= 255'))).toBe(true);
    expect(rule).toContain('!(has(self.remoteIPPrefix) && has(self.remoteGroup))');
    expect(rules(version, 'spec.rules.[].remoteIPPrefix')).toHaveLength(2);
    expect(columns(version).slice(0, 4)).toEqual(['Rules', 'Stateful', 'Description', 'Status']);
  });
});
