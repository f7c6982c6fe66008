// Neutron subnets: Subnet objects on a network of the caller's project.
import { canonicalCidr, parseCidr } from '../../domain/address.js';
import type { Subnet } from '../../kinds/subnet.js';
import { toDnsLabel } from '../common.js';
import type { ScopedSession } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import type { SpecInput, SpecPatch } from '../framework/objects.js';
import { checkProject, crudRoutes } from './crud.js';
import type { NeutronEnv } from './env.js';
import { subnetCreate, subnetUpdate, type SubnetCreate, type SubnetUpdate } from './schemas.js';
import { subnetView } from './views.js';

/** The spec of a new subnet on the network (object) named `network`. */
export function subnetSpec(body: SubnetCreate, network: string): SpecInput<typeof Subnet> {
  const cidr = parseCidr(body.cidr);
  if (!cidr) {
    throw badRequest(
      `Invalid input for cidr. Reason: '${body.cidr}' is not a valid IP subnet.`,
      'HTTPBadRequest',
    );
  }
  return {
    network,
    ipVersion: body.ip_version ?? cidr.version,
    // Neutron accepts host bits and stores the network address; so do we.
    cidr: canonicalCidr(body.cidr),
    ...(body.name !== undefined ? { displayName: body.name } : {}),
    ...(body.description ? { description: body.description } : {}),
    ...(body.gateway_ip === null ? { disableGateway: true } : {}),
    ...(body.gateway_ip ? { gatewayIP: body.gateway_ip } : {}),
    ...(body.enable_dhcp !== undefined ? { enableDHCP: body.enable_dhcp } : {}),
    ...(body.allocation_pools?.length ? { allocationPools: body.allocation_pools } : {}),
    ...(body.dns_nameservers?.length ? { dnsNameservers: body.dns_nameservers } : {}),
    ...(body.host_routes?.length ? { hostRoutes: body.host_routes } : {}),
    ...(body.ipv6_address_mode ? { ipv6AddressMode: body.ipv6_address_mode } : {}),
    ...(body.ipv6_ra_mode ? { ipv6RAMode: body.ipv6_ra_mode } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  };
}

/** A list emptied in an update removes the field (Neutron's [] is "none"). */
const emptied = <T>(list: T[]): T[] | null => (list.length ? list : null);

export function subnetPatch(body: SubnetUpdate): SpecPatch<typeof Subnet> {
  const patch: SpecPatch<typeof Subnet> = {};
  if (body.name !== undefined) patch.displayName = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.gateway_ip === null) Object.assign(patch, { disableGateway: true, gatewayIP: null });
  else if (body.gateway_ip !== undefined)
    Object.assign(patch, { disableGateway: false, gatewayIP: body.gateway_ip });
  if (body.enable_dhcp !== undefined) patch.enableDHCP = body.enable_dhcp;
  if (body.allocation_pools !== undefined) patch.allocationPools = emptied(body.allocation_pools);
  if (body.dns_nameservers !== undefined) patch.dnsNameservers = emptied(body.dns_nameservers);
  if (body.host_routes !== undefined) patch.hostRoutes = emptied(body.host_routes);
  return patch;
}

/** The caller's own network a subnet goes on: 404 when not visible, 403 when shared. */
async function ownNetwork(env: NeutronEnv, session: ScopedSession, id: string): Promise<string> {
  const network = await env.networks.find(session, id).catch(() => {
    throw notFound(`Network ${id} could not be found.`, 'NetworkNotFound');
  });
  if (network.metadata.namespace !== session.namespace) {
    throw forbidden(`Only admins may add subnets to network ${id}.`);
  }
  return network.metadata.name!;
}

export const subnetRoutes = crudRoutes({
  singular: 'subnet',
  collection: 'subnets',
  objects: (env) => env.subnets,
  view: subnetView,
  create: {
    schema: subnetCreate,
    errors: [404],
    spec: async (env, session, { subnet }) => {
      checkProject(session, subnet);
      const network = await ownNetwork(env, session, subnet.network_id);
      return { spec: subnetSpec(subnet, network), name: toDnsLabel(subnet.name, `${network}-subnet`) };
    },
  },
  update: { schema: subnetUpdate, spec: ({ subnet }) => subnetPatch(subnet) },
});
