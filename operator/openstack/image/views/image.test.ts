import { describe, expect, it } from 'vitest';
import { imageSpec, type ImageObject } from '../../../kinds/image.js';
import { imageStatus, imageView } from './image.js';

const image = (
  spec: Record<string, unknown>,
  extra: { annotations?: Record<string, string>; status?: ImageObject['status'] } = {},
): ImageObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Image',
  metadata: {
    name: 'cirros',
    namespace: 'demo',
    uid: 'uid-cirros',
    creationTimestamp: new Date('2026-01-02T03:04:05Z'),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  },
  spec: imageSpec.parse(spec),
  ...(extra.status ? { status: extra.status } : {}),
});

const lookup = { projectId: (ns: string) => (ns === 'demo' ? 'uid-demo' : undefined) };

describe('the image view', () => {
  it('shows a registered image: queued, its owner project, properties beside the attributes', () => {
    const view = imageView(
      image({ displayName: 'CirrOS', diskFormat: 'qcow2', properties: { os_distro: 'cirros' }, tags: ['t'] }),
      lookup,
    );
    expect(view).toEqual({
      os_distro: 'cirros',
      id: 'uid-cirros',
      name: 'CirrOS',
      status: 'queued',
      visibility: 'private',
      protected: false,
      os_hidden: false,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      owner: 'uid-demo',
      size: null,
      virtual_size: null,
      min_ram: 0,
      min_disk: 0,
      disk_format: 'qcow2',
      container_format: 'bare',
      created_at: '2026-01-02T03:04:05Z',
      updated_at: '2026-01-02T03:04:05Z',
      tags: ['t'],
      self: '/v2/images/uid-cirros',
      file: '/v2/images/uid-cirros/file',
      schema: '/v2/schemas/image',
    });
  });

  it('reports an upload being imported as saving, with the uploaded size and digests', () => {
    const uploaded = image(
      { diskFormat: 'raw', source: { url: 'http://api/image-data/x' } },
      {
        annotations: {
          'stratus.dev/upload-size': '42',
          'stratus.dev/upload-md5': 'md5hex',
          'stratus.dev/upload-sha512': 'sha512hex',
        },
      },
    );
    expect(imageStatus(uploaded)).toBe('saving');
    expect(imageView(uploaded, lookup)).toMatchObject({
      status: 'saving',
      size: 42,
      checksum: 'md5hex',
      os_hash_algo: 'sha512',
      os_hash_value: 'sha512hex',
    });
  });

  it('prefers what the import observed, and names an unknown owner by its namespace', () => {
    const active = image(
      { diskFormat: 'raw', description: 'd' },
      { status: { state: 'active', sizeBytes: 7, virtualSizeBytes: 9, checksum: 'c', osHashValue: 'h' } },
    );
    const view = imageView(active, { projectId: () => undefined });
    expect(view).toMatchObject({
      status: 'active',
      size: 7,
      virtual_size: 9,
      checksum: 'c',
      os_hash_value: 'h',
      owner: 'demo',
      description: 'd',
    });
    expect(imageView(image({}), lookup).container_format).toBeNull();
  });
});
