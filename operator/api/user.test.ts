import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';
import { User, userSpec } from './user.js';

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

describe('User', () => {
  it('parses a user with defaults applied', () => {
    const spec = userSpec.parse({
      email: 'alice@example.com',
      passwordSecretRef: { namespace: 'stratus-system', name: 'alice-password' },
      projects: [{ project: 'demo', roles: ['member'] }],
    });
    expect(spec.enabled).toBe(true);
    expect(spec.domain).toBe('Default');
    expect(spec.passwordSecretRef?.key).toBe('password');
    expect(spec.loginName).toBeUndefined();
  });

  it('accepts login names that are not object names, and refuses bad emails and roles', () => {
    expect(userSpec.safeParse({ loginName: 'alice@example.com' }).success).toBe(true);
    expect(userSpec.safeParse({ loginName: ' alice' }).success).toBe(false);
    expect(userSpec.safeParse({ email: 'alice-at-example.com' }).success).toBe(false);
    expect(userSpec.safeParse({ projects: [{ project: 'demo', roles: ['owner'] }] }).success).toBe(false);
    expect(userSpec.safeParse({ projects: [{ project: 'demo', roles: [] }] }).success).toBe(false);
  });

  it('renders a cluster-scoped CRD: projects keyed by project, no password field', () => {
    const { crd, version } = render(User);
    expect(crd.spec.scope).toBe('Cluster');
    expect(at(version, 'spec.projects')['x-kubernetes-list-type']).toBe('map');
    expect(at(version, 'spec.projects')['x-kubernetes-list-map-keys']).toEqual(['project']);
    expect(at(version, 'spec.projects.[].roles')['x-kubernetes-list-type']).toBe('set');
    expect(rules(version, 'spec.domain')).toEqual(['self == oldSelf']);
    expect(at(version, 'spec.email').pattern).toBeDefined();
    expect(at(version, 'spec').properties).not.toHaveProperty('password');
    expect(at(version, 'spec.passwordSecretRef').required).toEqual(['namespace', 'name']);
    expect(columns(version)).toContain('Email');
  });
});
