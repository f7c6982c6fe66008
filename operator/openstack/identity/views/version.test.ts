import { describe, expect, it } from 'vitest';
import { identityVersion } from './version.js';

describe('the identity version document', () => {
  it('names v3.14, stable, with its self link under the base URL', () => {
    expect(identityVersion('https://cloud.example.com')).toEqual({
      id: 'v3.14',
      status: 'stable',
      updated: '2020-04-07T00:00:00Z',
      links: [{ rel: 'self', href: 'https://cloud.example.com/identity/v3/' }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
    });
  });
});
