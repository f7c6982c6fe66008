import { describe, expect, it } from 'vitest';
import { celRules, columns, field, render } from './crd-testing.js';
import { Image, imageSpec } from './image.js';

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
    expect(celRules(version, 'spec.source')[0]?.rule).toBe('has(self.url) != has(self.upload)');
    expect(celRules(version, 'spec.source.url')[0]?.rule).toContain("['http', 'https']");
    expect(field(version, 'spec.source.upload').type).toBe('object');
    expect(celRules(version, 'spec.source.expectedChecksum')[0]?.rule).toContain('size(self.value) == 64');
    expect(celRules(version, 'spec.properties')[0]?.rule).toContain("'disk_format'");
    expect(field(version, 'spec.properties').maxProperties).toBe(128);
    expect(celRules(version, 'spec').map((r) => r.fieldPath)).toEqual([
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
