import { describe, expect, it } from 'vitest';
import { computeVersion } from './versions.js';

describe('compute version document', () => {
  it('advertises 2.1 only, linked under the base URL', () => {
    const version = computeVersion('https://cloud');
    expect(version).toMatchObject({ id: 'v2.1', status: 'CURRENT', version: '2.1', min_version: '2.1' });
    expect(version.links[0]).toEqual({ rel: 'self', href: 'https://cloud/compute/v2.1/' });
    expect(version['media-types'][0]!.type).toBe('application/vnd.openstack.compute+json;version=2.1');
  });
});
