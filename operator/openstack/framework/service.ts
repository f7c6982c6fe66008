// An OpenStack service as the framework knows it: where it is mounted, how it is named in
// the catalog, how its errors look, its version documents, its microversions and its
// route table. The registry (../services.ts) lists them; from it come the mounting
// (../app.ts), the catalog (../catalog.ts) and the route reference (docs/openstack-api.md).
import type { ApiDeps } from '../context.js';
import type { Service as ErrorFormat } from '../errors.js';
import type { MicroversionPolicy } from './microversion.js';
import type { RouteTable } from './route.js';

/** The catalog types: the four served today, and Cinder's next. */
export type ServiceType = 'identity' | 'compute' | 'image' | 'network' | 'volume';

/** A version document, served to anyone (clients discover versions before they log in). */
export interface VersionDocument {
  /** Paths below the prefix, e.g. ['/'] or ['/v2.1', '/v2.1/']. */
  paths: readonly string[];
  /** 200, or 300 (Multiple Choices) where the service answers so at its root. */
  status: number;
  summary: string;
  document(base: string): unknown;
}

export interface ServiceDefinition<Env = unknown> {
  /** The catalog type. */
  type: ServiceType;
  /** The catalog name: keystone, nova, glance, neutron. */
  name: string;
  /** For the reference: `Neutron v2.0`. */
  title: string;
  /** Path prefix on the listener, e.g. `/network`. */
  prefix: string;
  /** What follows the prefix in the catalog URL (Nova's `/v2.1`). */
  endpointSuffix: string;
  /** Whose error bodies (errors.ts). */
  errorFormat: ErrorFormat;
  /** A service-specific copy of the request id header (Nova: x-compute-request-id). */
  requestIdHeader?: string;
  microversions?: MicroversionPolicy;
  versions: readonly VersionDocument[];
  /** Builds what the handlers share, once per process (lookups, object round trips). */
  wire(deps: ApiDeps): Env;
  /** The ordered route table. */
  routes: RouteTable<Env>;
}

/**
 * Declare a service. Its env type is checked against its routes here and erased after, so
 * the registry can hold services of different envs (each route only ever receives the env
 * its own service wired).
 */
export function defineService<Env>(service: ServiceDefinition<Env>): ServiceDefinition {
  return service;
}

/** The service a request path belongs to, by prefix. */
export function serviceAt<S extends { prefix: string }>(services: readonly S[], path: string): S | undefined {
  return services.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
}
