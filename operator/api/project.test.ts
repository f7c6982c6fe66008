import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';
import { Project, projectSpec } from './project.js';

/** The parts of a rendered CRD these tests read. */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minimum?: number;
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  items?: Schema;
}
interface Version {
  additionalPrinterColumns: { name: string }[];
  schema: { openAPIV3Schema: Schema };
}
interface Crd {
  spec: { scope: string; names: { shortNames: string[] }; versions: Version[] };
}

function render(kind: KindDefinition): { crd: Crd; version: Version } {
  const crd = renderCrd(kind) as unknown as Crd;
  const version = crd.spec.versions[0];
  if (!version) throw new Error('no version');
  return { crd, version };
}

/** The schema at a dotted path from the root, e.g. `spec.quota` (`[]` steps into items). */
function at(version: Version, path: string): Schema {
  let node: Schema | undefined = version.schema.openAPIV3Schema;
  for (const key of path ? path.split('.') : []) {
    node = key === '[]' ? node?.items : node?.properties?.[key];
  }
  if (!node) throw new Error(`no field ${path}`);
  return node;
}

/** The CEL rules on the schema at a path. */
function rules(version: Version, path: string): string[] {
  return (at(version, path)['x-kubernetes-validations'] ?? []).map((r) => r.rule);
}

function columns(version: Version): string[] {
  return version.additionalPrinterColumns.map((c) => c.name);
}

describe('Project', () => {
  it('applies the OpenStack defaults to an empty spec', () => {
    const spec = projectSpec.parse({});
    expect(spec.enabled).toBe(true);
    expect(spec.domain).toBe('Default');
    expect(spec.quota).toEqual({
      instances: 10,
      cores: 20,
      ramMiB: 51_200,
      keyPairs: 100,
      volumes: 10,
      snapshots: 10,
      volumeGiB: 1_000,
      perVolumeGiB: -1,
      networks: 100,
      subnets: 100,
      ports: 500,
      routers: 10,
      floatingIPs: 50,
      securityGroups: 10,
      securityGroupRules: 100,
    });
  });

  it('keeps given quotas and defaults the rest; -1 is unlimited, below is refused', () => {
    const spec = projectSpec.parse({ quota: { instances: -1, cores: 8 } });
    expect(spec.quota.instances).toBe(-1);
    expect(spec.quota.cores).toBe(8);
    expect(spec.quota.routers).toBe(10);
    expect(projectSpec.safeParse({ quota: { instances: -2 } }).success).toBe(false);
  });

  it('defaults member kinds to User and accepts only the three roles', () => {
    const spec = projectSpec.parse({ members: [{ name: 'bob', role: 'admin' }] });
    expect(spec.members?.[0]).toEqual({ kind: 'User', name: 'bob', role: 'admin' });
    expect(projectSpec.safeParse({ members: [{ name: 'bob', role: 'owner' }] }).success).toBe(false);
  });

  it('renders a cluster-scoped CRD with name rules, immutable domain and list-map members', () => {
    const { crd, version } = render(Project);
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names.shortNames).toEqual(['proj']);
    const nameRules = rules(version, '').join('\n');
    expect(nameRules).toContain("self.metadata.name.startsWith('kube-')");
    expect(nameRules).toContain("self.metadata.name.startsWith('stratus-')");
    expect(nameRules).toContain("self.metadata.name in ['default']");
    expect(nameRules).toContain('self.metadata.name.size() <= 63');
    expect(rules(version, 'spec.domain')).toEqual(['self == oldSelf']);
    expect(at(version, 'spec.quota').default).toEqual({});
    expect(at(version, 'spec.quota.instances')).toMatchObject({ default: 10, minimum: -1 });
    expect(at(version, 'spec.members')['x-kubernetes-list-map-keys']).toEqual(['kind', 'name']);
    expect(at(version, 'status.usage.instances').type).toBe('integer');
    expect(columns(version)).toEqual([
      'Display-Name',
      'Enabled',
      'Namespace',
      'Domain',
      'VPC',
      'Ready',
      'Reason',
      'Age',
    ]);
  });
});
