// Nova's version documents (GET /compute/ and /compute/v2.1). Only 2.1 is implemented, so
// only 2.1 is advertised; a request for a later microversion gets 406 (microversion.ts).
import { MAX_MICROVERSION, MIN_MICROVERSION } from '../microversion.js';

export function computeVersion(base: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: MAX_MICROVERSION,
    min_version: MIN_MICROVERSION,
    updated: '2013-07-23T11:33:21Z',
    links: [
      { rel: 'self', href: `${base}/compute/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}
