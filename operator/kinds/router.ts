// Router — a Neutron router: routes between a project's subnets and, through its external
// gateway, to an external network with SNAT. Becomes routing and policy in the project's
// Kube-OVN Vpc, plus a VpcNatGateway (with an IptablesEIP and SNAT rules) for the gateway.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  cidr,
  description,
  displayName,
  ipAddress,
  localName,
  sharedRef,
  tags,
  withRules,
} from './meta.js';
import { backendName, neutronState, stateColumn } from './network.js';
import { fixedIP, observedFixedIP } from './port.js';

export const externalGateway = z
  .object({
    network: sharedRef('external network').describe(
      'The external Network of the gateway, normally in the shared namespace stratus-public (namespace: stratus-public).',
    ),
    enableSNAT: z
      .boolean()
      .default(true)
      .describe(
        'enable_snat: instances without a floating IP reach the outside through the gateway address (source NAT). Turning it off is admin-only, as in Neutron.',
      ),
    externalFixedIPs: z
      .array(fixedIP)
      .max(4)
      .optional()
      .describe(
        'Addresses to take on the external network (subnets named in the network’s namespace); omit for one allocated address. Admin-only, as in Neutron.',
      ),
  })
  .describe('external_gateway_info: the router’s uplink to an external network.');

export const routerInterface = withRules(
  z.object({
    subnet: localName(
      'Attach to this Subnet (in this namespace): the router takes the subnet’s gatewayIP.',
    ).optional(),
    port: localName('Attach through this Port (in this namespace), taking its fixed IPs.').optional(),
  }),
  [
    {
      rule: 'has(self.subnet) != has(self.port)',
      message: 'an interface names exactly one of subnet or port',
    },
  ],
  'A router interface (add_router_interface): on a subnet, or through a port.',
);

export const route = withRules(
  z.object({
    destination: cidr('Destination CIDR.'),
    nexthop: ipAddress('Next-hop address, reachable through one of the router’s interfaces.'),
  }),
  [
    {
      rule: '!isCIDR(self.destination) || !isIP(self.nexthop) || cidr(self.destination).ip().family() == ip(self.nexthop).family()',
      message: 'destination and nexthop must be of the same IP family',
      fieldPath: '.nexthop',
    },
  ],
  'A static route (extraroute).',
);

export const routerSpec = z
  .object({
    displayName,
    description,
    adminStateUp: z
      .boolean()
      .default(true)
      .describe('admin_state_up: false takes the router administratively down (it stops forwarding).'),
    externalGateway: externalGateway.optional(),
    interfaces: withRules(
      z
        .array(routerInterface)
        .max(32)
        .optional()
        .describe(
          'The router’s interfaces on tenant subnets (what `openstack router add subnet|port` adds).',
        ),
      [
        {
          rule: 'self.all(a, has(a.subnet) ? self.exists_one(b, has(b.subnet) && b.subnet == a.subnet) : self.exists_one(b, has(b.port) && b.port == a.port))',
          message: 'each subnet and each port may appear only once in interfaces',
        },
      ],
    ),
    routes: z.array(route).max(30).optional().describe('Static routes (extraroute), at most 30.'),
    tags,
  })
  .describe('Desired state of the router.');

export const routerInterfaceStatus = z
  .object({
    subnet: z.string().max(63).describe('Name of the Subnet the interface is on.'),
    port: z
      .string()
      .max(63)
      .optional()
      .describe('Name of the Port the interface uses, when attached by port.'),
    ipAddress: z.string().max(45).optional().describe('Address of the router on the subnet.'),
  })
  .describe('An interface of the router as attached.');

export const routerStatus = z
  .object({
    ...baseStatus,
    state: neutronState(['ACTIVE', 'BUILD', 'DOWN', 'ERROR'] as const, 'router'),
    externalGatewayIPs: z
      .array(observedFixedIP)
      .max(4)
      .optional()
      .describe('Addresses the router holds on the external network (subnets there are in stratus-public).'),
    interfaces: z.array(routerInterfaceStatus).max(32).optional().describe('Interfaces as attached.'),
    vpc: backendName('Kube-OVN Vpc the router programs (the project Vpc).'),
    vpcNatGateway: backendName('Kube-OVN VpcNatGateway that implements the external gateway.'),
  })
  .describe('Observed state of the router.');

export const Router = defineKind({
  kind: 'Router',
  plural: 'routers',
  singular: 'router',
  shortNames: ['rtr'],
  scope: 'Namespaced',
  openstack: 'Neutron router',
  description:
    'Router routes between a project’s subnets and, through its external gateway, to an external network with SNAT, like a Neutron router.',
  spec: routerSpec,
  status: routerStatus,
  printerColumns: [
    column(
      'External-Network',
      'string',
      '.spec.externalGateway.network.name',
      'External network of the gateway',
    ),
    column(
      'External-IP',
      'string',
      '.status.externalGatewayIPs[*].ipAddress',
      'Gateway addresses on the external network',
    ),
    wideColumn('Subnets', 'string', '.status.interfaces[*].subnet', 'Subnets with an interface'),
    stateColumn,
  ],
});

export type RouterObject = KindObject<typeof Router>;
