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

import { Router, routerSpec } from './router.js';

describe('Router', () => {
  it('parses a router with an external gateway and an interface, defaults applied', () => {
    expect(
      routerSpec.parse({
        externalGateway: { network: { name: 'public', namespace: 'stratus-public' } },
        interfaces: [{ subnet: 'private-v4' }],
      }),
    ).toEqual({
      adminStateUp: true,
      externalGateway: { network: { name: 'public', namespace: 'stratus-public' }, enableSNAT: true },
      interfaces: [{ subnet: 'private-v4' }],
    });
  });

  it('parses a router without gateway, with routes; refuses a bad route destination type', () => {
    expect(
      routerSpec.parse({ routes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.5' }] }).routes,
    ).toHaveLength(1);
    expect(routerSpec.safeParse({ routes: [{ destination: 42, nexthop: '10.0.0.5' }] }).success).toBe(false);
  });

  it('renders CEL rules: interface is a subnet or a port, unique interfaces, route families', () => {
    const { crd, version } = render(Router);
    expect(crd.spec.names.shortNames).toEqual(['rtr']);
    expect(rules(version, 'spec.interfaces.[]')).toEqual(['has(self.subnet) != has(self.port)']);
    expect(rules(version, 'spec.interfaces')[0]).toContain('exists_one');
    expect(rules(version, 'spec.routes.[]')[0]).toContain(
      'cidr(self.destination).ip().family() == ip(self.nexthop).family()',
    );
    expect(rules(version, 'spec.routes.[].destination')).toHaveLength(2);
    expect(field(version, 'spec.externalGateway.enableSNAT').default).toBe(true);
    expect(field(version, 'status.state').enum).toEqual(['ACTIVE', 'BUILD', 'DOWN', 'ERROR']);
    expect(columns(version).slice(0, 4)).toEqual(['External-Network', 'External-IP', 'Subnets', 'Status']);
  });
});
