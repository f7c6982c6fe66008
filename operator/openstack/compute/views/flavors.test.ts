import { describe, expect, it } from 'vitest';
import { flavorName, flavorView } from './flavors.js';
import { flavor } from '../test/objects.js';

const small = flavor(
  { name: 'm1-small', uid: 'f-1' },
  { displayName: 'm1.small', vcpus: 1, ramMiB: 2048, diskGiB: 20 },
);

describe('flavor views', () => {
  it('name a flavor by its display name, else its object name', () => {
    expect(flavorName(small)).toBe('m1.small');
    expect(flavorName(flavor({ name: 'm1-tiny' }, { vcpus: 1, ramMiB: 512, diskGiB: 1 }))).toBe('m1-tiny');
  });

  it('show id, name and links in a summary', () => {
    expect(flavorView(small, 'https://cloud', false)).toEqual({
      id: 'f-1',
      name: 'm1.small',
      links: [
        { rel: 'self', href: 'https://cloud/compute/v2.1/flavors/f-1' },
        { rel: 'bookmark', href: 'https://cloud/compute/flavors/f-1' },
      ],
    });
  });

  it('show sizes in the detail, no swap as the empty string as Nova does', () => {
    expect(flavorView(small, 'https://cloud', true)).toMatchObject({
      ram: 2048,
      disk: 20,
      vcpus: 1,
      swap: '',
      'OS-FLV-EXT-DATA:ephemeral': 0,
      'OS-FLV-DISABLED:disabled': false,
      rxtx_factor: 1,
      'os-flavor-access:is_public': true,
    });
    const swapped = flavor(
      { name: 'swapped', uid: 'f-2' },
      { vcpus: 1, ramMiB: 512, diskGiB: 1, swapMiB: 512 },
    );
    expect(flavorView(swapped, '', true)).toMatchObject({ swap: 512 });
  });
});
