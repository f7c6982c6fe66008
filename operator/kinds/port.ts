// Port — a Neutron port: a virtual NIC's place on a network, with its MAC, fixed IPs and
// security groups. Becomes a reserved Kube-OVN IP (address and MAC on the subnet) that an
// Instance NIC binds to; routers and floating IPs attach to ports too.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  description,
  displayName,
  immutable,
  ipAddress,
  localName,
  MAC_ADDRESS,
  sharedRef,
  tags,
  withRules,
} from './meta.js';
import { immutableOnceSet, neutronState, stateColumn } from './network.js';

/** A MAC address; unicast, since it names one NIC. */
export function macAddress(description: string) {
  return withRules(z.string().max(17).regex(MAC_ADDRESS).describe(description), [
    {
      rule: "self.size() != 17 || self.substring(1, 2).lowerAscii() in ['0', '2', '4', '6', '8', 'a', 'c', 'e']",
      message:
        'must be a unicast MAC address (the lowest bit of the first octet clear), e.g. fa:16:3e:00:00:01',
    },
  ]);
}

/** A requested address on a subnet: by subnet (any free address), by address, or both. */
export const fixedIP = withRules(
  z.object({
    subnet: localName(
      'Name of a Subnet of the network, in the network’s namespace; omit to pick the subnet containing ipAddress.',
    ).optional(),
    ipAddress: ipAddress('The address to reserve; omit for any free address of subnet.').optional(),
  }),
  [
    {
      rule: 'has(self.subnet) || has(self.ipAddress)',
      message: 'a fixed IP needs a subnet, an ipAddress, or both',
      reason: 'FieldValueRequired',
    },
  ],
  'A fixed IP: an address on one of the network’s subnets.',
);

export const allowedAddressPair = z
  .object({
    ipAddress: withRules(
      z
        .string()
        .max(49)
        .describe('An address (10.0.0.5) or CIDR (10.0.0.0/24) the port may also send from, e.g. a VIP.'),
      [
        {
          rule: 'isIP(self) || (isCIDR(self) && cidr(self).masked() == cidr(self))',
          message: 'must be an IP address or a CIDR without host bits',
        },
      ],
    ),
    macAddress: macAddress('MAC address allowed with ipAddress; omit for the port’s own MAC.').optional(),
  })
  .describe('An address pair the port may send from besides its own (allowed_address_pairs).');

export const portSpec = withRules(
  z.object({
    displayName,
    description,
    network: withRules(
      sharedRef('network').describe(
        'The Network the port is on: a network in this namespace, or a shared one in stratus-public. Immutable.',
      ),
      [immutable('network')],
    ),
    adminStateUp: z
      .boolean()
      .default(true)
      .describe('admin_state_up: false takes the port administratively down (it stops forwarding).'),
    macAddress: macAddress(
      'MAC address of the port; omit to have one allocated (see status.macAddress). Immutable once set.',
    ).optional(),
    fixedIPs: z
      .array(fixedIP)
      .max(16)
      .optional()
      .describe(
        'Addresses to reserve. Omit for one address from the network’s IPv4 subnet and one from each IPv6 SLAAC subnet, as Neutron does.',
      ),
    securityGroups: z.array(localName('Name of a SecurityGroup in this namespace.')).max(32).optional().meta({
      description:
        'SecurityGroups applied to the port. Omit for the project’s default group; an empty list means none.',
      'x-kubernetes-list-type': 'set',
    }),
    portSecurityEnabled: z
      .boolean()
      .optional()
      .describe(
        'port_security_enabled: apply security groups and anti-spoofing. Omit to inherit the network’s setting; false requires no securityGroups and no allowedAddressPairs.',
      ),
    allowedAddressPairs: z
      .array(allowedAddressPair)
      .max(10)
      .optional()
      .describe('Extra address/MAC pairs the port may send from (at most 10), e.g. for a VRRP VIP.'),
    vnicType: z
      .enum(['normal', 'direct'])
      .default('normal')
      .describe(
        'binding:vnic_type: normal is a virtio NIC on the overlay (KubeVirt bridge binding); direct is an SR-IOV virtual function.',
      ),
    tags,
  }),
  [
    immutableOnceSet('macAddress'),
    {
      rule: '!has(self.portSecurityEnabled) || self.portSecurityEnabled || ((!has(self.securityGroups) || size(self.securityGroups) == 0) && (!has(self.allowedAddressPairs) || size(self.allowedAddressPairs) == 0))',
      message:
        'a port without port security can have neither securityGroups nor allowedAddressPairs; set securityGroups: [] and remove allowedAddressPairs',
      fieldPath: '.portSecurityEnabled',
    },
    {
      rule: '!has(self.fixedIPs) || self.fixedIPs.all(a, !has(a.ipAddress) || self.fixedIPs.exists_one(b, has(b.ipAddress) && b.ipAddress == a.ipAddress))',
      message: 'each ipAddress may appear only once in fixedIPs',
      fieldPath: '.fixedIPs',
    },
  ],
  'Desired state of the port. network and macAddress are immutable.',
);

export const observedFixedIP = z
  .object({
    subnet: z.string().max(63).describe('Name of the Subnet the address is on.'),
    ipAddress: z.string().max(45).describe('The address.'),
  })
  .describe('An address the port holds.');

export const portStatus = z
  .object({
    ...baseStatus,
    state: neutronState(['ACTIVE', 'DOWN', 'BUILD', 'ERROR'] as const, 'port'),
    macAddress: z.string().max(17).optional().describe('The MAC address in effect.'),
    fixedIPs: z.array(observedFixedIP).max(16).optional().describe('The addresses the port holds.'),
    device: z
      .object({
        kind: z
          .enum(['Instance', 'Router'])
          .describe(
            'Kind of the object using the port (Neutron device_owner compute:* or network:router_*).',
          ),
        name: z.string().max(63).describe('Name of that object, in this namespace (Neutron device_id).'),
      })
      .optional()
      .describe('The Instance or Router the port is attached to; absent when the port is free.'),
    kubeOvnIPs: z
      .array(z.string().max(253))
      .max(16)
      .optional()
      .describe('Names of the Kube-OVN IP reservations holding the port’s addresses and MAC.'),
  })
  .describe('Observed state of the port.');

export const Port = defineKind({
  kind: 'Port',
  plural: 'ports',
  singular: 'port',
  shortNames: ['prt'],
  scope: 'Namespaced',
  openstack: 'Neutron port',
  description:
    'Port is a virtual NIC’s place on a Network (MAC address, fixed IPs, security groups), like a Neutron port. Instances, routers and floating IPs attach to ports.',
  spec: portSpec,
  status: portStatus,
  printerColumns: [
    column('Network', 'string', '.spec.network.name', 'Network of the port'),
    column('Fixed-IPs', 'string', '.status.fixedIPs[*].ipAddress', 'Addresses the port holds'),
    wideColumn('MAC', 'string', '.status.macAddress', 'MAC address'),
    column('Device', 'string', '.status.device.name', 'Instance or router using it'),
    stateColumn,
  ],
});

export type PortObject = KindObject<typeof Port>;
