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
