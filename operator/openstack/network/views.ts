// Neutron's views of Network and Subnet objects: pure functions of the object and a small
// lookup of what the object only names (its project, its subnets, its network), so they are
// unit-tested with literal objects (views.test.ts).
import { canonicalCidr, formatIP, hostRange, parseCidr, parseIP } from '../../domain/address.js';
import { subnetGateway } from '../../domain/subnet.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import { isoSeconds, updatedAt } from '../common.js';

/** What a view needs besides the object itself. */
export interface NeutronLookup {
  /** The Keystone id of the project owning a namespace (the namespace itself if unknown). */
  projectId(namespace: string): string;
  /** The ids of the subnets on a network. */
  subnetIds(network: NetworkObject): string[];
  /** The id of the network `name` in `namespace`, if known. */
  networkId(namespace: string, name: string): string | undefined;
}

type NeutronObject = NetworkObject | SubnetObject;

/** What every Neutron resource shows first: its id, names and project. */
function identification(o: NeutronObject, lookup: NeutronLookup) {
  const project = lookup.projectId(o.metadata.namespace!);
  return {
    id: o.metadata.uid!,
    name: o.spec.displayName ?? o.metadata.name!,
    description: o.spec.description ?? '',
    tenant_id: project,
    project_id: project,
  };
}

/** Neutron's standard attributes: tags, timestamps and the revision. */
function standardAttributes(o: NeutronObject) {
  return {
    tags: o.spec.tags ?? [],
    created_at: isoSeconds(o.metadata.creationTimestamp),
    updated_at: updatedAt(o),
    revision_number: o.metadata.generation ?? 1,
  };
}

export function networkView(n: NetworkObject, lookup: NeutronLookup) {
  return {
    ...identification(n, lookup),
    admin_state_up: n.spec.adminStateUp,
    status: n.status?.state ?? 'BUILD',
    subnets: lookup.subnetIds(n),
    shared: n.spec.shared,
    'router:external': n.spec.external,
    mtu: n.status?.mtu ?? n.spec.mtu ?? 1442,
    port_security_enabled: n.spec.portSecurityEnabled,
    availability_zone_hints: [],
    availability_zones: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    is_default: false,
    ...standardAttributes(n),
    ...(n.spec.provider
      ? {
          'provider:network_type': n.spec.provider.networkType,
          'provider:physical_network': n.spec.provider.physicalNetwork ?? null,
          'provider:segmentation_id': n.spec.provider.segmentationId ?? null,
        }
      : {}),
  };
}

/** Neutron's default pools: the host addresses of the CIDR without the gateway. */
export function defaultPools(
  cidrText: string,
  gateway: string | undefined,
): Array<{ start: string; end: string }> {
  const cidr = parseCidr(cidrText);
  if (!cidr) return [];
  const [low, high] = hostRange(cidr);
  const gw = gateway ? parseIP(gateway)?.value : undefined;
  const ranges: Array<[bigint, bigint]> = [];
  if (gw === undefined || gw < low || gw > high) ranges.push([low, high]);
  else {
    if (gw > low) ranges.push([low, gw - 1n]);
    if (gw < high) ranges.push([gw + 1n, high]);
  }
  return ranges.map(([s, e]) => ({ start: formatIP(cidr.version, s), end: formatIP(cidr.version, e) }));
}

export function subnetView(s: SubnetObject, lookup: NeutronLookup) {
  const gateway = subnetGateway(s) ?? null;
  return {
    ...identification(s, lookup),
    network_id: lookup.networkId(s.metadata.namespace!, s.spec.network) ?? s.spec.network,
    ip_version: s.spec.ipVersion,
    cidr: canonicalCidr(s.spec.cidr),
    gateway_ip: gateway,
    enable_dhcp: s.spec.enableDHCP,
    allocation_pools: s.spec.allocationPools ?? defaultPools(s.spec.cidr, gateway ?? undefined),
    dns_nameservers: s.spec.dnsNameservers ?? [],
    host_routes: s.spec.hostRoutes ?? [],
    ipv6_address_mode: s.spec.ipv6AddressMode ?? null,
    ipv6_ra_mode: s.spec.ipv6RAMode ?? null,
    subnetpool_id: null,
    service_types: [],
    segment_id: null,
    ...standardAttributes(s),
  };
}
