import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Volume, volumeSpec } from './volume.js';

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
    const specRules = field(version, 'spec')['x-kubernetes-validations'] ?? [];
    expect(specRules.map((r) => r.fieldPath)).toEqual(['.source', '.volumeType', '.availabilityZone']);
    expect(field(version, 'status.state').enum).toContain('in-use');
    expect(field(version, 'status.state').enum).toContain('error_extending');
    expect(field(version, 'status.attachments')['x-kubernetes-list-map-keys']).toEqual(['instance']);
    expect(columns(version).slice(0, 4)).toEqual(['Size', 'Type', 'Status', 'Attached-To']);
  });
});
