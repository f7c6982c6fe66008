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
