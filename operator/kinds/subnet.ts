// Subnet — a Neutron subnet: an IPv4 or IPv6 address block on a Network, with its gateway,
// allocation pools, DHCP, DNS servers and host routes. Becomes a Kube-OVN Subnet (logical
// switch CIDR, gateway, excluded IPs, DHCP options) in the network's Vpc.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  cidr,
  description,
  displayName,
  immutable,
  ipAddress,
  localName,
  tags,
  withRules,
} from './meta.js';
import { backendName, immutableOnceSet, stateColumn } from './network.js';

/** CEL: the 32-bit value of a dotted-quad IPv4 address held in string field `field`. */
function ipv4Value(field: string): string {
  const octet = (i: number) => `int(${field}.split('.')[${i}])`;
  return `(${octet(0)} * 16777216 + ${octet(1)} * 65536 + ${octet(2)} * 256 + ${octet(3)})`;
}

export const allocationPool = withRules(
  z.object({
    start: ipAddress('First address of the pool (inclusive).'),
    end: ipAddress('Last address of the pool (inclusive).'),
  }),
  [
    {
      rule: '!isIP(self.start) || !isIP(self.end) || ip(self.start).family() == ip(self.end).family()',
      message: 'start and end of an allocation pool must be of the same IP family',
    },
    {
      rule: `!isIP(self.start) || !isIP(self.end) || ip(self.start).family() != 4 || ip(self.end).family() != 4 || ${ipv4Value('self.start')} <= ${ipv4Value('self.end')}`,
      message: 'start of an allocation pool must not be after its end',
    },
  ],
  'A range of addresses the subnet hands out to ports (both ends inside the cidr).',
);

export const hostRoute = z
  .object({
    destination: cidr('Destination CIDR of the route, of the subnet’s IP family.'),
    nexthop: ipAddress('Next-hop address, of the subnet’s IP family.'),
  })
  .describe('A static route DHCP pushes to instances on the subnet.');

const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'] as const;
const EUI64_MODES = "['slaac', 'dhcpv6-stateless']";

export const subnetSpec = withRules(
  z.object({
    displayName,
    description,
    network: withRules(
      localName('Name of the Network this subnet belongs to, in the same namespace. Immutable.'),
      [immutable('network')],
    ),
    ipVersion: withRules(
      z
        .int()
        .refine((v) => v === 4 || v === 6, 'must be 4 or 6')
        .default(4)
        .meta({ enum: [4, 6], description: 'IP version of the subnet: 4 or 6; must match cidr. Immutable.' }),
      [immutable('ipVersion')],
    ),
    cidr: withRules(
      cidr(
        'Address block of the subnet in canonical CIDR form, e.g. 10.0.0.0/24 or fd00:10::/64. Immutable.',
      ),
      [immutable('cidr')],
    ),
    gatewayIP: ipAddress(
      'gateway_ip: address of the gateway (the router interface) inside cidr. Omit for the first host address of cidr; see disableGateway for none.',
    ).optional(),
    disableGateway: z
      .boolean()
      .default(false)
      .describe('No gateway on this subnet (Neutron gateway_ip: null); excludes gatewayIP.'),
    allocationPools: z
      .array(allocationPool)
      .max(16)
      .optional()
      .describe(
        'Ranges of addresses handed out to ports; inside cidr and not containing the gateway. Omit for all of cidr except the gateway.',
      ),
    enableDHCP: z
      .boolean()
      .default(true)
      .describe('enable_dhcp: serve addresses, routes and DNS servers to instances by DHCP.'),
    dnsNameservers: z
      .array(ipAddress('Address of a DNS server, of the subnet’s IP family.'))
      .max(5)
      .optional()
      .meta({
        description: 'DNS servers DHCP hands to instances, in order of preference (at most 5).',
        'x-kubernetes-list-type': 'set',
      }),
    hostRoutes: z
      .array(hostRoute)
      .max(20)
      .optional()
      .describe('Static routes DHCP pushes to instances (at most 20).'),
    ipv6AddressMode: z
      .enum(IPV6_MODES)
      .optional()
      .describe(
        'ipv6_address_mode, IPv6 only: how instances get addresses (slaac, dhcpv6-stateful, dhcpv6-stateless). Immutable once set.',
      ),
    ipv6RAMode: z
      .enum(IPV6_MODES)
      .optional()
      .describe(
        'ipv6_ra_mode, IPv6 only: what router advertisements announce; when both modes are set they must be equal. Immutable once set.',
      ),
    tags,
  }),
  [
    {
      rule: '!isCIDR(self.cidr) || cidr(self.cidr).ip().family() == self.ipVersion',
      message: 'ipVersion must match the IP family of cidr (4 for an IPv4 CIDR, 6 for an IPv6 one)',
      fieldPath: '.ipVersion',
    },
    {
      rule: '!has(self.gatewayIP) || !isIP(self.gatewayIP) || !isCIDR(self.cidr) || cidr(self.cidr).containsIP(self.gatewayIP)',
      message: 'gatewayIP must be an address inside cidr',
      fieldPath: '.gatewayIP',
    },
    {
      // `!(a == b)`, not `a != b`: the apiserver cannot bound the cost of != on IP values.
      rule: '!has(self.gatewayIP) || !isIP(self.gatewayIP) || !isCIDR(self.cidr) || !(ip(self.gatewayIP) == cidr(self.cidr).ip())',
      message: 'gatewayIP must not be the network address of cidr; use a host address such as the first one',
      fieldPath: '.gatewayIP',
    },
    {
      rule: '!(self.disableGateway && has(self.gatewayIP))',
      message: 'gatewayIP and disableGateway are mutually exclusive',
      fieldPath: '.gatewayIP',
      reason: 'FieldValueForbidden',
    },
    {
      rule: '!has(self.allocationPools) || !isCIDR(self.cidr) || self.allocationPools.all(p, !isIP(p.start) || !isIP(p.end) || (cidr(self.cidr).containsIP(p.start) && cidr(self.cidr).containsIP(p.end)))',
      message: 'every allocation pool must lie inside cidr',
      fieldPath: '.allocationPools',
    },
    {
      rule: '!has(self.dnsNameservers) || self.dnsNameservers.all(s, !isIP(s) || ip(s).family() == self.ipVersion)',
      message: 'dnsNameservers must be addresses of the subnet’s IP family (ipVersion)',
      fieldPath: '.dnsNameservers',
    },
    {
      rule: '!has(self.hostRoutes) || self.hostRoutes.all(r, (!isCIDR(r.destination) || cidr(r.destination).ip().family() == self.ipVersion) && (!isIP(r.nexthop) || ip(r.nexthop).family() == self.ipVersion))',
      message: 'hostRoutes destinations and next hops must be of the subnet’s IP family (ipVersion)',
      fieldPath: '.hostRoutes',
    },
    {
      rule: 'self.ipVersion == 6 || (!has(self.ipv6AddressMode) && !has(self.ipv6RAMode))',
      message: 'ipv6AddressMode and ipv6RAMode are only allowed on IPv6 subnets (ipVersion 6)',
      fieldPath: '.ipv6AddressMode',
      reason: 'FieldValueForbidden',
    },
    {
      rule: '!has(self.ipv6AddressMode) || !has(self.ipv6RAMode) || self.ipv6AddressMode == self.ipv6RAMode',
      message: 'when both ipv6AddressMode and ipv6RAMode are set they must be the same',
      fieldPath: '.ipv6RAMode',
    },
    {
      rule: `self.ipVersion != 6 || !isCIDR(self.cidr) || !((has(self.ipv6AddressMode) && self.ipv6AddressMode in ${EUI64_MODES}) || (has(self.ipv6RAMode) && self.ipv6RAMode in ${EUI64_MODES})) || cidr(self.cidr).prefixLength() == 64`,
      message: 'slaac and dhcpv6-stateless need a /64 cidr (addresses are EUI-64)',
      fieldPath: '.cidr',
    },
    {
      rule: 'self.enableDHCP || (!has(self.ipv6AddressMode) && !has(self.ipv6RAMode))',
      message: 'ipv6AddressMode and ipv6RAMode cannot be set when enableDHCP is false',
      fieldPath: '.enableDHCP',
    },
    immutableOnceSet('ipv6AddressMode'),
    immutableOnceSet('ipv6RAMode'),
  ],
  'Desired state of the subnet. network, ipVersion, cidr and the IPv6 modes are immutable.',
);

export const subnetStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(['ACTIVE', 'BUILD', 'ERROR'])
      .optional()
      .describe(
        'Whether the subnet is in force: ACTIVE, BUILD or ERROR. Shown by the Status column (Neutron subnets have no status; kubectl only).',
      ),
    gatewayIP: z
      .string()
      .max(45)
      .optional()
      .describe('The gateway address in effect; empty when there is none.'),
    usedIPs: z.number().min(0).optional().describe('Addresses in use (ports, gateway, DHCP).'),
    availableIPs: z.number().min(0).optional().describe('Addresses still free in the allocation pools.'),
    kubeOvnSubnet: backendName('Name of the cluster-scoped Kube-OVN Subnet this subnet became.'),
  })
  .describe('Observed state of the subnet.');

export const Subnet = defineKind({
  kind: 'Subnet',
  plural: 'subnets',
  singular: 'subnet',
  shortNames: ['sn'],
  scope: 'Namespaced',
  openstack: 'Neutron subnet',
  description:
    'Subnet is an IPv4 or IPv6 address block on a Network, with gateway, allocation pools, DHCP, DNS servers and host routes, like a Neutron subnet.',
  spec: subnetSpec,
  status: subnetStatus,
  printerColumns: [
    column('Network', 'string', '.spec.network', 'Network of the subnet'),
    column('CIDR', 'string', '.spec.cidr', 'Address block'),
    column('Gateway', 'string', '.status.gatewayIP', 'Gateway address in effect'),
    wideColumn('Used', 'number', '.status.usedIPs', 'Addresses in use'),
    wideColumn('Available', 'number', '.status.availableIPs', 'Free addresses'),
    stateColumn,
  ],
});

export type SubnetObject = KindObject<typeof Subnet>;
