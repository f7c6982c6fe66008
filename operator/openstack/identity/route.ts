// The route declaration, typed for Keystone's env. Its own module: env.ts reaches the
// registry through the catalog, and the route modules must not wait on that cycle.
import { routeFor } from '../framework/route.js';
import type { IdentityEnv } from './env.js';

export const route = routeFor<IdentityEnv>();
