import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';
import { Volume, volumeSpec } from './volume.js';

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

describe('Volume', () => {
  it('parses a blank volume with defaults applied', () => {
    expect(volumeSpec.parse({ sizeGiB: 10 })).toEqual({ sizeGiB: 10, multiattach: false });
  });

  it('parses a volume from a shared image, and refuses size 0', () => {
    const spec = volumeSpec.parse({
      sizeGiB: 1,
      source: { image: { name: 'cirros', namespace: 'stratus-public' } },
    });
    expect(spec.source?.image?.namespace).toBe('stratus-public');
    expect(volumeSpec.safeParse({ sizeGiB: 0 }).success).toBe(false);
  });

  it('renders CEL rules: only grows, one source, immutable source/type/zone/multiattach', () => {
    const { crd, version } = render(Volume);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(rules(version, 'spec.sizeGiB')).toEqual(['self >= oldSelf']);
    expect(rules(version, 'spec.source')[0]).toContain('.size() == 1');
    expect(rules(version, 'spec.multiattach')).toEqual(['self == oldSelf']);
    const specRules = at(version, 'spec')['x-kubernetes-validations'] ?? [];
    expect(specRules.map((r) => r.fieldPath)).toEqual(['.source', '.volumeType', '.availabilityZone']);
    expect(at(version, 'status.state').enum).toContain('in-use');
    expect(at(version, 'status.state').enum).toContain('error_extending');
    expect(at(version, 'status.attachments')['x-kubernetes-list-map-keys']).toEqual(['instance']);
    expect(columns(version).slice(0, 4)).toEqual(['Size', 'Type', 'Status', 'Attached-To']);
  });
});
