// FloatingIP — a Neutron floating IP: a public IPv4 address from an external network,
// mapped 1:1 (DNAT/SNAT) to a fixed IP of a port. Becomes a Kube-OVN IptablesEIP on the
// router's VpcNatGateway plus an IptablesFIPRule.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  description,
  displayName,
  immutable,
  ipAddress,
  localName,
  sharedRef,
  tags,
  withRules,
} from './meta.js';
import { backendName, immutableOnceSet, neutronState, stateColumn } from './network.js';

/** Floating IPs and the fixed IPs they map to are IPv4 in Neutron. */
function ipv4Address(description: string) {
  return withRules(ipAddress(description), [
    {
      rule: '!isIP(self) || ip(self).family() == 4',
      message: 'must be an IPv4 address (floating IPs are IPv4)',
    },
  ]);
}

export const floatingIPSpec = withRules(
  z.object({
    displayName,
    description,
    network: withRules(
      sharedRef('external network').describe(
        'floating_network_id: the external Network to allocate from, normally in the shared namespace stratus-public (namespace: stratus-public). Immutable.',
      ),
      [immutable('network')],
    ),
    subnet: localName(
      'subnet_id: the Subnet of the external network (in its namespace) to allocate from; omit for any. Immutable once set.',
    ).optional(),
    floatingIPAddress: ipv4Address(
      'floating_ip_address: a specific address to allocate (admin-only, as in Neutron); omit for any free one. Immutable once set.',
    ).optional(),
    port: localName(
      'Associate with this Port (in this namespace), as Neutron does (port_id). Excludes instance.',
    ).optional(),
    instance: localName(
      'Associate with the port of this Instance (in this namespace) — the port on a network the router’s external gateway reaches. Excludes port.',
    ).optional(),
    fixedIPAddress: ipv4Address(
      'fixed_ip_address: which IPv4 address of the port (or instance) to map to, when it has several; needs port or instance.',
    ).optional(),
    tags,
  }),
  [
    {
      rule: '!(has(self.port) && has(self.instance))',
      message: 'port and instance are mutually exclusive; name the port, or the instance whose port to use',
      fieldPath: '.instance',
      reason: 'FieldValueForbidden',
    },
    {
      rule: '!has(self.fixedIPAddress) || has(self.port) || has(self.instance)',
      message: 'fixedIPAddress needs a port or an instance to associate with',
      fieldPath: '.fixedIPAddress',
      reason: 'FieldValueForbidden',
    },
    immutableOnceSet('subnet'),
    immutableOnceSet('floatingIPAddress'),
  ],
  'Desired state of the floating IP. Omit port and instance for an unassociated address; set one of them to associate it.',
);

export const floatingIPStatus = z
  .object({
    ...baseStatus,
    state: neutronState(['ACTIVE', 'DOWN', 'ERROR'] as const, 'floating IP'),
    floatingIPAddress: z.string().max(45).optional().describe('The allocated public address.'),
    fixedIPAddress: z
      .string()
      .max(45)
      .optional()
      .describe('The fixed address it is mapped to, when associated.'),
    port: z.string().max(63).optional().describe('Name of the Port it is associated with.'),
    instance: z.string().max(63).optional().describe('Name of the Instance using that port, if any.'),
    router: z.string().max(63).optional().describe('Name of the Router that performs the NAT (router_id).'),
    eip: backendName('Name of the Kube-OVN IptablesEIP holding the address.'),
    fipRule: backendName('Name of the Kube-OVN IptablesFIPRule mapping it to the fixed address.'),
  })
  .describe('Observed state of the floating IP.');

export const FloatingIP = defineKind({
  kind: 'FloatingIP',
  plural: 'floatingips',
  singular: 'floatingip',
  shortNames: ['fip'],
  scope: 'Namespaced',
  openstack: 'Neutron floating IP',
  description:
    'FloatingIP is a public IPv4 address from an external network, mapped to a fixed IP of a port (or of an instance’s port), like a Neutron floating IP.',
  spec: floatingIPSpec,
  status: floatingIPStatus,
  printerColumns: [
    column('Floating-IP', 'string', '.status.floatingIPAddress', 'Allocated public address'),
    column('Fixed-IP', 'string', '.status.fixedIPAddress', 'Mapped fixed address'),
    column('Instance', 'string', '.status.instance', 'Associated instance'),
    wideColumn('Port', 'string', '.status.port', 'Associated port'),
    stateColumn,
  ],
});

export type FloatingIPObject = KindObject<typeof FloatingIP>;
