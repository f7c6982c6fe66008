// Neutron request bodies (zod). What they become is typed by the kinds' own input types
// (SpecInput / SpecPatch of Network and Subnet), in networks.ts and subnets.ts.
import { z } from 'zod';

const name = z.string().max(255).optional();
const description = z.string().max(1024).optional();
const projectField = z.string().max(255).optional();
const tagsField = z.array(z.string().min(1).max(255)).max(64).optional();

const networkAttributes = {
  name,
  description,
  admin_state_up: z.boolean().optional(),
  shared: z.boolean().optional(),
  mtu: z.int().min(68).max(9000).optional(),
  port_security_enabled: z.boolean().optional(),
};

export const networkCreate = z.strictObject({
  network: z.strictObject({
    ...networkAttributes,
    'router:external': z.boolean().optional(),
    tenant_id: projectField,
    project_id: projectField,
    availability_zone_hints: z.array(z.string()).max(0, 'availability zones are not supported').optional(),
    'provider:network_type': z.enum(['geneve', 'flat', 'vlan']).optional(),
    'provider:physical_network': z.string().min(1).max(63).optional(),
    'provider:segmentation_id': z.int().min(1).max(16_777_215).optional(),
    tags: tagsField,
  }),
});

export const networkUpdate = z.strictObject({ network: z.strictObject(networkAttributes) });

const pool = z.strictObject({ start: z.string().max(45), end: z.string().max(45) });
const route = z.strictObject({ destination: z.string().max(49), nexthop: z.string().max(45) });
const ipv6Mode = z.enum(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']).nullable().optional();

const subnetAttributes = {
  name,
  description,
  gateway_ip: z.string().max(45).nullable().optional(),
  enable_dhcp: z.boolean().optional(),
  allocation_pools: z.array(pool).max(16).optional(),
  dns_nameservers: z.array(z.string().max(45)).max(5).optional(),
  host_routes: z.array(route).max(20).optional(),
};

export const subnetCreate = z.strictObject({
  subnet: z.strictObject({
    network_id: z.string().min(1).max(255),
    cidr: z.string().min(1).max(49),
    ip_version: z.union([z.literal(4), z.literal(6)]).optional(),
    ...subnetAttributes,
    ipv6_address_mode: ipv6Mode,
    ipv6_ra_mode: ipv6Mode,
    tenant_id: projectField,
    project_id: projectField,
    tags: tagsField,
    service_types: z.array(z.string()).max(0, 'service types are not supported').optional(),
  }),
});

export const subnetUpdate = z.strictObject({ subnet: z.strictObject(subnetAttributes) });

export type NetworkCreate = z.output<typeof networkCreate>['network'];
export type NetworkUpdate = z.output<typeof networkUpdate>['network'];
export type SubnetCreate = z.output<typeof subnetCreate>['subnet'];
export type SubnetUpdate = z.output<typeof subnetUpdate>['subnet'];
