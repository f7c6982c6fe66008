// Neutron v2.0 as a service of the registry: networks and subnets (create, list with
// attribute filters, show, update, delete) and discovery (resources, extensions).
import { defineService } from '../framework/service.js';
import { wireNeutron } from './env.js';
import { discoveryRoutes } from './extensions.js';
import { networkRoutes } from './networks.js';
import { subnetRoutes } from './subnets.js';

export const networkService = defineService({
  type: 'network',
  name: 'neutron',
  title: 'Neutron (network) v2.0',
  prefix: '/network',
  endpointSuffix: '',
  errorFormat: 'network',
  versions: [
    {
      paths: ['/'],
      status: 200,
      summary: 'The versions of the API (v2.0)',
      document: (base) => ({
        versions: [
          { id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/network/v2.0/` }] },
        ],
      }),
    },
  ],
  wire: wireNeutron,
  routes: [...discoveryRoutes, ...networkRoutes, ...subnetRoutes],
});
