// Network — a Neutron network: an isolated layer-2 segment of a project. Tenant networks
// become a Kube-OVN logical switch in the project Vpc plus a NetworkAttachmentDefinition
// that instance NICs attach to; external networks (router:external) live in the shared
// namespace stratus-public and give routers their gateway and floating IPs.
//
// This module also holds the small fragments the other Neutron kinds (Subnet, Router,
// Port, FloatingIP, SecurityGroup) share.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { baseStatus, type CelRule, description, displayName, immutable, tags, withRules } from './meta.js';

// ---- Fragments shared by the Neutron kinds -------------------------------------------

/**
 * A rule for the object holding an optional field: once the object exists the field can
 * be neither added, removed nor changed (Neutron's create-only attributes).
 */
export function immutableOnceSet(field: string, what: string = field): CelRule {
  return {
    rule: `has(oldSelf.${field}) == has(self.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
    message: `${what} can only be set when the object is created and is immutable afterwards; create a new object instead`,
    fieldPath: `.${field}`,
  };
}

/** OpenStack-style state of a Neutron object, as the API reports it in `status`. */
export function neutronState<const T extends readonly [string, ...string[]]>(states: T, what: string) {
  return z
    .enum(states)
    .optional()
    .describe(`Neutron status of the ${what}: ${states.join(', ')}. Shown by the Status column.`);
}

/** Name of an object the operator created in a backend engine (Kube-OVN, Multus). */
export function backendName(description: string) {
  return z.string().max(253).optional().describe(description);
}

export const stateColumn = column('Status', 'string', '.status.state', 'Neutron status');

// ---- Network ---------------------------------------------------------------------------

export const providerNetwork = withRules(
  z.object({
    networkType: z
      .enum(['geneve', 'flat', 'vlan'])
      .describe(
        'provider:network_type. geneve is a Kube-OVN overlay (the default for tenant networks); flat and vlan map the network onto a physical (underlay) network, as external networks do.',
      ),
    physicalNetwork: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .describe(
        'provider:physical_network: the Kube-OVN ProviderNetwork (host interface mapping) of a flat or vlan network.',
      ),
    segmentationId: z
      .int()
      .min(1)
      .max(16_777_215)
      .optional()
      .describe(
        'provider:segmentation_id: the VLAN ID (1-4094) of a vlan network; omit to let the operator choose.',
      ),
  }),
  [
    {
      rule: "self.networkType == 'geneve' || has(self.physicalNetwork)",
      message: 'physicalNetwork is required for flat and vlan networks',
      fieldPath: '.physicalNetwork',
      reason: 'FieldValueRequired',
    },
    {
      rule: "self.networkType != 'flat' || !has(self.segmentationId)",
      message: 'segmentationId is not allowed on a flat network; use networkType vlan',
      fieldPath: '.segmentationId',
      reason: 'FieldValueForbidden',
    },
    {
      rule: "self.networkType != 'vlan' || !has(self.segmentationId) || self.segmentationId <= 4094",
      message: 'segmentationId of a vlan network must be a VLAN ID between 1 and 4094',
      fieldPath: '.segmentationId',
    },
  ],
  'Provider attributes (provider:network_type, provider:physical_network, provider:segmentation_id). Admin-only, as in Neutron; omit for an ordinary tenant overlay network. Immutable once set.',
);

export const networkSpec = withRules(
  z.object({
    displayName,
    description,
    adminStateUp: z
      .boolean()
      .default(true)
      .describe('admin_state_up: false takes the network administratively down (its ports stop forwarding).'),
    shared: z
      .boolean()
      .default(false)
      .describe(
        'Whether every project may attach ports to this network. Only networks in the shared namespace stratus-public can be shared (admin-only, enforced by the admission webhook).',
      ),
    external: withRules(
      z
        .boolean()
        .default(false)
        .describe(
          'router:external: an external (provider) network that routers use as their gateway and floating IPs are allocated from. External networks live in the shared namespace stratus-public (admin-only). Immutable.',
        ),
      [immutable('external')],
    ),
    mtu: z
      .int()
      .min(68)
      .max(9000)
      .optional()
      .describe(
        'Maximum transmission unit in bytes (68-9000; at least 1280 when the network has IPv6 subnets). Omit for the largest the overlay allows.',
      ),
    portSecurityEnabled: z
      .boolean()
      .default(true)
      .describe(
        'port_security_enabled: the default for new ports on this network; ports with port security apply security groups and anti-spoofing.',
      ),
    provider: providerNetwork.optional(),
    tags,
  }),
  [immutableOnceSet('provider')],
  'Desired state of the network. external and provider are immutable.',
);

export const networkStatus = z
  .object({
    ...baseStatus,
    state: neutronState(['ACTIVE', 'DOWN', 'BUILD', 'ERROR'] as const, 'network'),
    subnets: z
      .array(z.string().max(63))
      .max(64)
      .optional()
      .describe('Names of the Subnets on this network (in this namespace).'),
    mtu: z.int().min(0).max(65_535).optional().describe('The MTU in effect, in bytes.'),
    vpc: backendName('Kube-OVN Vpc the network is part of (the project Vpc; none for external networks).'),
    networkAttachmentDefinition: backendName(
      'Name of the Multus NetworkAttachmentDefinition (in this namespace) that instance NICs on this network use.',
    ),
  })
  .describe('Observed state of the network.');

export const Network = defineKind({
  kind: 'Network',
  plural: 'networks',
  singular: 'network',
  shortNames: ['net'],
  scope: 'Namespaced',
  openstack: 'Neutron network',
  description:
    'Network is an isolated layer-2 network of a project, like a Neutron network; add Subnets to give it addresses. External networks (external: true) live in the shared namespace stratus-public and provide router gateways and floating IPs.',
  spec: networkSpec,
  status: networkStatus,
  printerColumns: [
    column('External', 'boolean', '.spec.external', 'router:external'),
    column('Shared', 'boolean', '.spec.shared', 'Usable by every project'),
    column('Subnets', 'string', '.status.subnets', 'Subnets on the network'),
    wideColumn('MTU', 'integer', '.status.mtu', 'MTU in effect'),
    stateColumn,
  ],
});

export type NetworkObject = KindObject<typeof Network>;
