// Nova v2.1 as a service of the registry: flavors, keypairs, servers and their actions,
// limits, over Flavor, KeyPair, Instance and Project objects. The routes in Nova's order
// (first match wins: `/servers/detail` before `/servers/:id`).
import { defineService } from '../framework/service.js';
import { wireNova } from './env.js';
import { flavorRoutes } from './flavors.js';
import { keyPairRoutes } from './keypairs.js';
import { limitRoutes } from './limits.js';
import { novaMicroversions } from './microversion.js';
import { serverActionRoute } from './server-actions.js';
import { serverRoutes } from './servers.js';
import { computeVersion } from './views/versions.js';

export const computeService = defineService({
  type: 'compute',
  name: 'nova',
  title: 'Nova (compute) v2.1',
  prefix: '/compute',
  endpointSuffix: '/v2.1',
  errorFormat: 'compute',
  requestIdHeader: 'x-compute-request-id',
  microversions: novaMicroversions,
  versions: [
    {
      paths: ['/'],
      status: 200,
      summary: 'The versions of the API (v2.1 only)',
      document: (base) => ({ versions: [computeVersion(base)] }),
    },
    {
      paths: ['/v2.1', '/v2.1/'],
      status: 200,
      summary: 'The v2.1 version document',
      document: (base) => ({ version: computeVersion(base) }),
    },
  ],
  wire: wireNova,
  routes: [...flavorRoutes, ...keyPairRoutes, ...serverRoutes, serverActionRoute, ...limitRoutes],
});
