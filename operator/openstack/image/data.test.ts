import { describe, expect, it } from 'vitest';
import { imageSpec, type ImageObject } from '../../kinds/image.js';
import { uploadedPatch, uploadProblem } from './data.js';

const image = (spec: Record<string, unknown>, annotations?: Record<string, string>): ImageObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Image',
  metadata: { name: 'i', namespace: 'demo', uid: 'uid-i', ...(annotations ? { annotations } : {}) },
  spec: imageSpec.parse(spec),
});

describe('image data', () => {
  it('is taken once, by an image with a disk format', () => {
    expect(uploadProblem(image({ diskFormat: 'raw' }))).toBeUndefined();
    expect(uploadProblem(image({}))?.status).toBe(400);
    expect(uploadProblem(image({ diskFormat: 'raw', source: { url: 'http://x/y' } }))?.status).toBe(409);
    const uploaded = uploadProblem(image({ diskFormat: 'raw' }, { 'stratus.dev/upload-size': '1' }));
    expect(uploaded?.status).toBe(409);
    expect(uploaded?.message).toBe('Image status transition from saving to saving is not allowed');
  });

  it('points the import at the staged upload and records its size and digests', () => {
    const staged = { name: 'n', size: 3, md5: 'm', sha512: 's' };
    expect(uploadedPatch(staged, 'http://api/image-data/n')).toEqual({
      metadata: {
        annotations: {
          'stratus.dev/upload-size': '3',
          'stratus.dev/upload-md5': 'm',
          'stratus.dev/upload-sha512': 's',
        },
      },
      spec: { source: { url: 'http://api/image-data/n' } },
    });
  });
});
