// Keystone's version document: clients discover v3 at /identity (300, a list) and at
// /identity/v3 (200, the one version).
export const IDENTITY_VERSION = 'v3.14';

export function identityVersion(base: string) {
  return {
    id: IDENTITY_VERSION,
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}
