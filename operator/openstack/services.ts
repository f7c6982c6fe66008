// The service registry: every OpenStack service the listener serves, in catalog order.
// Mounting (app.ts), the catalog (catalog.ts) and the route reference
// (hack/openstack-reference.ts → docs/openstack-api.md) all come from this list; a new
// service (Cinder's `volume` next) is one more entry.
//
// Keystone, Nova and Glance are still express routers (`legacy`) until their route tables
// exist; their definitions here then give way to their own modules' (identity/service.ts,
// compute/service.ts, image/service.ts).
import { computeRouter } from './compute.js';
import { defineService, type ServiceDefinition } from './framework/service.js';
import { identityRouter } from './identity.js';
import { imageRouter } from './image.js';
import { networkService } from './network/service.js';

const legacy = { versions: [], routes: [], wire: () => undefined } as const;

export const identityService = defineService({
  type: 'identity',
  name: 'keystone',
  title: 'Keystone (identity) v3',
  prefix: '/identity',
  endpointSuffix: '',
  errorFormat: 'identity',
  ...legacy,
  legacy: identityRouter,
});

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

export const imageService = defineService({
  type: 'image',
  name: 'glance',
  title: 'Glance (image) v2',
  prefix: '/image',
  endpointSuffix: '',
  errorFormat: 'image',
  ...legacy,
  legacy: imageRouter,
});

export const SERVICES: readonly ServiceDefinition[] = [
  identityService,
  computeService,
  imageService,
  networkService,
];
