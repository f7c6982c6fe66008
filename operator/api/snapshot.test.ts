import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';
import { Snapshot, snapshotSpec } from './snapshot.js';

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

describe('Snapshot', () => {
  it('parses a snapshot with defaults applied', () => {
    expect(snapshotSpec.parse({ volume: 'data' })).toEqual({ volume: 'data', force: false });
    expect(snapshotSpec.safeParse({}).success).toBe(false);
    expect(snapshotSpec.safeParse({ volume: 'Not_A_Name' }).success).toBe(false);
  });

  it('renders a CRD with an immutable volume and Cinder states', () => {
    const { crd, version } = render(Snapshot);
    expect(crd.spec.names.shortNames).toEqual(['snap']);
    expect(at(version, 'spec').required).toEqual(['volume']);
    expect(rules(version, 'spec.volume')).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec.force')).toEqual(['self == oldSelf']);
    expect(at(version, 'status.state').enum).toEqual([
      'creating',
      'available',
      'deleting',
      'error',
      'error_deleting',
      'restoring',
      'unmanaging',
      'backing-up',
    ]);
    expect(columns(version).slice(0, 3)).toEqual(['Volume', 'Size', 'Status']);
  });
});
