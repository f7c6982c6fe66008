import { describe, expect, it } from 'vitest';
import { imageSpec, type ImageObject } from '../../kinds/image.js';
import { ApiFault } from '../errors.js';
import { createSpec, patchSpec } from './attributes.js';

const image: ImageObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Image',
  metadata: { name: 'i', namespace: 'demo', uid: 'uid-i' },
  spec: imageSpec.parse({ tags: ['old'] }),
};

/** The fault `fn` throws, as status and message. */
function fault(fn: () => unknown): [number, string] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiFault) return [error.status, error.message];
    throw error;
  }
  throw new Error('no fault');
}

describe('creating an image from Glance attributes', () => {
  it('maps attributes onto the spec and custom properties into properties', () => {
    expect(
      createSpec({
        name: 'CirrOS',
        disk_format: 'qcow2',
        container_format: 'bare',
        visibility: 'shared',
        protected: true,
        os_hidden: false,
        min_disk: 1,
        min_ram: 64,
        tags: ['a', 'a', 'b'],
        os_distro: 'cirros',
        description: null,
      }),
    ).toEqual({
      displayName: 'CirrOS',
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'shared',
      protected: true,
      hidden: false,
      minDiskGiB: 1,
      minRamMiB: 64,
      tags: ['a', 'b'],
      properties: { os_distro: 'cirros' },
    });
  });

  it('refuses what is not an object, read-only and reserved names, and bad values', () => {
    expect(fault(() => createSpec([]))).toEqual([400, 'Request body must be a JSON object.']);
    expect(fault(() => createSpec(undefined))[0]).toBe(400);
    expect(fault(() => createSpec({ id: 'x' }))[0]).toBe(403);
    expect(fault(() => createSpec({ status: 'active' }))).toEqual([403, "Attribute 'status' is read-only."]);
    expect(fault(() => createSpec({ os_glance_x: 'y' }))).toEqual([
      403,
      "Attribute 'os_glance_x' is reserved.",
    ]);
    expect(fault(() => createSpec({ name: 'x'.repeat(256) }))).toEqual([
      400,
      'Invalid input for field/attribute name: must be a string of at most 255 characters',
    ]);
    expect(fault(() => createSpec({ min_ram: -1 }))[1]).toMatch(/min_ram: must be a non-negative integer/);
    expect(fault(() => createSpec({ visibility: null }))[1]).toMatch(/visibility: must be public/);
    expect(fault(() => createSpec({ disk_format: 'floppy' }))[1]).toMatch(/disk_format: must be one of ami/);
    expect(fault(() => createSpec({ os_distro: 7 }))[1]).toMatch(/custom properties must be strings/);
    expect(fault(() => createSpec({ ['p'.repeat(256)]: 'v' }))[1]).toMatch(/at most 255 characters/);
  });
});

describe('updating an image by JSON patch', () => {
  it('sets, removes and appends, with JSON-pointer escapes', () => {
    expect(
      patchSpec(image, [
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'add', path: '/hw~1bus', value: 'virtio' },
        { op: 'remove', path: '/description' },
        { op: 'add', path: '/tags/-', value: 'new' },
      ]),
    ).toEqual({
      displayName: 'renamed',
      description: null,
      properties: { 'hw/bus': 'virtio' },
      tags: ['old', 'new'],
    });
    expect(patchSpec(image, [{ op: 'remove', path: '/tags' }])).toEqual({ tags: [] });
    expect(patchSpec(image, [{ op: 'remove', path: '/os_distro' }])).toEqual({
      properties: { os_distro: null },
    });
  });

  it('refuses what is not a patch, unknown operations and bad tags', () => {
    expect(fault(() => patchSpec(image, { op: 'add' }))).toEqual([
      400,
      'Request body must be a JSON array of operation objects.',
    ]);
    expect(fault(() => patchSpec(image, [{ op: 'move', path: '/name' }]))[1]).toMatch(
      /^Invalid operation \[0\]/,
    );
    expect(fault(() => patchSpec(image, [null]))[1]).toMatch(/^Invalid operation \[0\]/);
    expect(fault(() => patchSpec(image, [{ op: 'add', path: '/a/b', value: 'x' }]))[0]).toBe(400);
    expect(fault(() => patchSpec(image, [{ op: 'remove', path: '/tags/-' }]))[1]).toBe(
      'Invalid operation on /tags/-: add a string',
    );
    expect(fault(() => patchSpec(image, [{ op: 'replace', path: '/tags', value: [1] }]))[1]).toMatch(
      /tags: must be a list of strings/,
    );
    expect(fault(() => patchSpec(image, [{ op: 'replace', path: '/size', value: 1 }]))[0]).toBe(403);
  });
});
