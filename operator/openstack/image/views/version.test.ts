import { describe, expect, it } from 'vitest';
import { imageVersions } from './version.js';

describe('the image versions', () => {
  it('lists v2.5 as current and the earlier v2 versions as supported, all at /image/v2/', () => {
    const versions = imageVersions('https://cloud');
    expect(versions.map((v) => [v.id, v.status])).toEqual([
      ['v2.5', 'CURRENT'],
      ['v2.4', 'SUPPORTED'],
      ['v2.3', 'SUPPORTED'],
      ['v2.2', 'SUPPORTED'],
      ['v2.1', 'SUPPORTED'],
      ['v2.0', 'SUPPORTED'],
    ]);
    expect(versions[0]!.links).toEqual([{ rel: 'self', href: 'https://cloud/image/v2/' }]);
  });
});
