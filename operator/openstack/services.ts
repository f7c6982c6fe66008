// The service registry: every OpenStack service the listener serves, in catalog order.
// Mounting (app.ts), the catalog (catalog.ts) and the route reference
// (hack/openstack-reference.ts → docs/openstack-api.md) all come from this list; a new
// service (Cinder's `volume` next) is one more entry.
//
// Nova is still an express router (`legacy`) until its route table exists; its definition
// here then gives way to its own module's (compute/service.ts), as Keystone's and Glance's
// did (identity/service.ts, image/service.ts).
import { computeRouter } from './compute.js';
import { defineService, type ServiceDefinition } from './framework/service.js';
import { identityService } from './identity/service.js';
import { imageService } from './image/service.js';
import { networkService } from './network/service.js';

const legacy = { versions: [], routes: [], wire: () => undefined } as const;

export const computeService = defineService({
  type: 'compute',
  name: 'nova',
  title: 'Nova (compute) v2.1',
  prefix: '/compute',
  endpointSuffix: '/v2.1',
  errorFormat: 'compute',
  requestIdHeader: 'x-compute-request-id',
  ...legacy,
  legacy: computeRouter,
});

export const SERVICES: readonly ServiceDefinition[] = [
  identityService,
  computeService,
  imageService,
  networkService,
];
