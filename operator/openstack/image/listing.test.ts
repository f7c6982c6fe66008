import { describe, expect, it } from 'vitest';
import { ApiFault } from '../errors.js';
import { listImages } from './listing.js';
import { imageSpec, type ImageObject } from '../../kinds/image.js';
import { imageView, type ImageView } from './views/image.js';

/** An image's view; `created` orders them (a longer id is newer). */
function view(id: string, spec: Record<string, unknown> = {}): ImageView {
  const image: ImageObject = {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Image',
    metadata: {
      name: id,
      namespace: 'p',
      uid: id,
      creationTimestamp: new Date(Date.UTC(2026, 0, id.length)),
    },
    spec: imageSpec.parse({ diskFormat: 'raw', ...spec }),
  };
  return imageView(image, { projectId: () => undefined });
}

const ids = (body: { images: ImageView[] }) => body.images.map((i) => i.id);

describe('listing images', () => {
  const images = [
    view('a'),
    view('bb', { tags: ['x', 'y'], protected: true }),
    view('ccc', { visibility: 'community' }),
    view('dddd', { hidden: true }),
  ];

  it('lists newest first, leaving community and hidden images out unless asked for', () => {
    expect(ids(listImages(images, {}))).toEqual(['bb', 'a']);
    expect(ids(listImages(images, { visibility: 'all' }))).toEqual(['ccc', 'bb', 'a']);
    expect(ids(listImages(images, { visibility: 'community' }))).toEqual(['ccc']);
    expect(ids(listImages(images, { os_hidden: 'true' }))).toEqual(['dddd']);
  });

  it('filters by attributes, protection and every tag asked for, and sorts as asked', () => {
    expect(ids(listImages(images, { name: 'a' }))).toEqual(['a']);
    expect(ids(listImages(images, { protected: 'true' }))).toEqual(['bb']);
    expect(ids(listImages(images, { tag: ['x', 'y'] }))).toEqual(['bb']);
    expect(ids(listImages(images, { tag: ['x', 'z'] }))).toEqual([]);
    expect(ids(listImages(images, { sort_key: 'name', sort_dir: 'asc' }))).toEqual(['a', 'bb']);
  });

  it('pages by limit and marker with a next link carrying the query', () => {
    const first = listImages(images, { limit: '1', visibility: 'all' });
    expect(ids(first)).toEqual(['ccc']);
    expect(first.next).toBe('/v2/images?limit=1&visibility=all&marker=ccc');
    expect(first).toMatchObject({ first: '/v2/images', schema: '/v2/schemas/images' });
    const last = listImages(images, { limit: '1', visibility: 'all', marker: 'bb' });
    expect(ids(last)).toEqual(['a']);
    expect(last).not.toHaveProperty('next');
    expect(() => listImages(images, { marker: 'nope' })).toThrow(ApiFault);
  });
});
