// The Keystone service catalog: every service of the registry (services.ts) on the one
// listener under its path prefix, with public, internal and admin endpoints (all the same
// URL: one listener) in one region.
// The URLs follow devstack's layout, which clients are most used to: identity and the
// Neutron and Glance endpoints unversioned (clients discover the version from the document
// at the prefix), Nova's with its version.
import { createHash } from 'node:crypto';
import type { ServiceDefinition } from './framework/service.js';
import { SERVICES } from './services.js';

export const INTERFACES = ['public', 'internal', 'admin'] as const;

/** A stable 32-hex-digit id (Keystone's id shape) for a catalog entry. */
export const stableId = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 32);

export interface CatalogEndpoint {
  id: string;
  interface: (typeof INTERFACES)[number];
  region: string;
  region_id: string;
  url: string;
}

export interface CatalogEntry {
  id: string;
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

/** The base URL without a trailing slash. */
export const trimUrl = (url: string): string => url.replace(/\/+$/, '');

export function serviceUrl(
  baseUrl: string,
  service: Pick<ServiceDefinition, 'prefix' | 'endpointSuffix'>,
): string {
  return `${trimUrl(baseUrl)}${service.prefix}${service.endpointSuffix}`;
}

export function catalog(
  baseUrl: string,
  region: string,
  services: readonly ServiceDefinition[] = SERVICES,
): CatalogEntry[] {
  return services.map((service) => ({
    id: stableId(`service:${service.type}`),
    type: service.type,
    name: service.name,
    endpoints: INTERFACES.map((iface) => ({
      id: stableId(`endpoint:${service.type}:${iface}:${region}`),
      interface: iface,
      region,
      region_id: region,
      url: serviceUrl(baseUrl, service),
    })),
  }));
}
