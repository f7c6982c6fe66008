// The service registry: every OpenStack service the listener serves, in catalog order.
// Mounting (app.ts), the catalog (catalog.ts) and the route reference
// (hack/openstack-reference.ts → docs/openstack-api.md) all come from this list; a new
// service (Cinder's `volume` next) is one more entry.
import { computeService } from './compute/service.js';
import type { ServiceDefinition } from './framework/service.js';
import { identityService } from './identity/service.js';
import { imageService } from './image/service.js';
import { networkService } from './network/service.js';

export const SERVICES: readonly ServiceDefinition[] = [
  identityService,
  computeService,
  imageService,
  networkService,
];
