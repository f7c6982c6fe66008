// Flavor — a Nova flavor: the size of an instance. Cluster-scoped and read by every tenant;
// becomes a KubeVirt VirtualMachineClusterInstancetype.
import { z } from 'zod';
import { defineKind, type KindObject, column } from './kind.js';
import { baseStatus, description, displayName, immutable, withRules } from './meta.js';

export const flavorSpec = z
  .object({
    displayName,
    description,
    vcpus: withRules(z.int().min(1).max(512).describe('Number of virtual CPUs.'), [immutable('vcpus')]),
    ramMiB: withRules(z.int().min(64).max(16_777_216).describe('Memory in MiB.'), [immutable('ramMiB')]),
    diskGiB: withRules(
      z
        .int()
        .min(0)
        .max(65_536)
        .describe('Root disk size in GiB; 0 means the size of the image (Nova semantics).'),
      [immutable('diskGiB')],
    ),
    ephemeralGiB: withRules(
      z.int().min(0).max(65_536).default(0).describe('Size of an extra ephemeral disk in GiB; 0 for none.'),
      [immutable('ephemeralGiB')],
    ),
    swapMiB: withRules(z.int().min(0).max(1_048_576).default(0).describe('Swap disk in MiB; 0 for none.'), [
      immutable('swapMiB'),
    ]),
    isPublic: z.boolean().default(true).describe('Whether every project may use the flavor.'),
    extraSpecs: z.record(z.string().min(1).max(255), z.string().max(255)).optional().meta({
      description: 'Nova extra specs (for example hw:cpu_policy), passed through to the API.',
      maxProperties: 64,
    }),
  })
  .describe('Desired size of instances of this flavor. Sizes are immutable, as in Nova.');

export const flavorStatus = z
  .object({
    ...baseStatus,
    instancetype: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the VirtualMachineClusterInstancetype this flavor became.'),
  })
  .describe('Observed state of the flavor.');

export const Flavor = defineKind({
  kind: 'Flavor',
  plural: 'flavors',
  singular: 'flavor',
  shortNames: ['flv'],
  scope: 'Cluster',
  openstack: 'Nova flavor',
  description:
    'Flavor is the size of an instance (vCPUs, RAM, disks), like a Nova flavor. Cluster-scoped: every project can use public flavors.',
  spec: flavorSpec,
  status: flavorStatus,
  printerColumns: [
    column('vCPUs', 'integer', '.spec.vcpus', 'Virtual CPUs'),
    column('RAM-MiB', 'integer', '.spec.ramMiB', 'Memory in MiB'),
    column('Disk-GiB', 'integer', '.spec.diskGiB', 'Root disk in GiB'),
    column('Public', 'boolean', '.spec.isPublic', 'Usable by every project'),
  ],
});

export type FlavorObject = KindObject<typeof Flavor>;
