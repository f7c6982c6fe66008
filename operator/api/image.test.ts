import { describe, expect, it } from 'vitest';
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';
import { Image, imageSpec } from './image.js';

/** The parts of a rendered CRD these tests read. */
interface Schema {
  type?: string;
  properties: Record<string, Schema>;
  items: Schema;
  required?: string[];
  enum?: unknown[];
  maxProperties?: number;
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
  'x-kubernetes-list-map-keys'?: string[];
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

/** The schema at a dotted path from the root, `[]` for list items, e.g. `spec.networks.[].port`. */
function field(version: Version, path: string): Schema {
  return path.split('.').reduce<Schema>((node, key) => {
    const child = key === '[]' ? node.items : node.properties[key];
    if (!child) throw new Error(`no field ${path}`);
    return child;
  }, version.schema.openAPIV3Schema);
}

/** The CEL rules of the field at a path. */
function rules(version: Version, path: string): { rule: string; message: string; fieldPath?: string }[] {
  return field(version, path)['x-kubernetes-validations'] ?? [];
}

/** The names of the printer columns. */
function columns(version: Version): string[] {
  return version.additionalPrinterColumns.map((c) => c.name);
}

describe('Image', () => {
  it('parses a URL import with defaults applied', () => {
    const url = 'https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img';
    expect(imageSpec.parse({ source: { url }, diskFormat: 'qcow2' })).toEqual({
      source: { url },
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'private',
      protected: false,
      hidden: false,
      deactivated: false,
      minDiskGiB: 0,
      minRamMiB: 0,
    });
  });

  it('parses a registered image with no data yet, and an upload; refuses unknown formats', () => {
    expect(imageSpec.parse({}).source).toBeUndefined();
    const upload = imageSpec.parse({ source: { upload: {} }, diskFormat: 'raw', visibility: 'shared' });
    expect(upload.source?.upload).toEqual({});
    expect(imageSpec.safeParse({ diskFormat: 'qcow3' }).success).toBe(false);
    expect(imageSpec.safeParse({ visibility: 'everyone' }).success).toBe(false);
  });

  it('renders CEL rules: one source, http(s) only, immutable source and formats, reserved properties', () => {
    const { crd, version } = render(Image);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.shortNames).toEqual(['img']);
    expect(rules(version, 'spec.source')[0]?.rule).toBe('has(self.url) != has(self.upload)');
    expect(rules(version, 'spec.source.url')[0]?.rule).toContain("['http', 'https']");
    expect(field(version, 'spec.source.upload').type).toBe('object');
    expect(rules(version, 'spec.source.expectedChecksum')[0]?.rule).toContain('size(self.value) == 64');
    expect(rules(version, 'spec.properties')[0]?.rule).toContain("'disk_format'");
    expect(field(version, 'spec.properties').maxProperties).toBe(128);
    expect(rules(version, 'spec').map((r) => r.fieldPath)).toEqual([
      '.diskFormat',
      '.source',
      '.diskFormat',
      '.containerFormat',
    ]);
    expect(field(version, 'status.state').enum).toEqual(
      expect.arrayContaining(['queued', 'saving', 'active', 'killed', 'deleted', 'deactivated', 'importing']),
    );
    expect(Object.keys(field(version, 'status').properties)).toEqual(
      expect.arrayContaining(['conditions', 'observedGeneration', 'osHashValue', 'pvc', 'dataSource']),
    );
    expect(columns(version).slice(0, 4)).toEqual(['Status', 'Format', 'Visibility', 'Size']);
  });
});
