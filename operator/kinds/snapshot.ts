// Snapshot — a Cinder snapshot: a point-in-time copy of a volume, from which new volumes
// can be created. Becomes a CSI VolumeSnapshot (a Ceph RBD snapshot).
import { z } from 'zod';
import { defineKind, type KindObject, column } from './kind.js';
import {
  baseStatus,
  description,
  displayName,
  immutable,
  localName,
  metadataMap,
  withRules,
} from './meta.js';

/** Cinder's snapshot statuses, spelled as Cinder spells them. */
export const SNAPSHOT_STATES = [
  'creating',
  'available',
  'deleting',
  'error',
  'error_deleting',
  'restoring',
  'unmanaging',
  'backing-up',
] as const;

export const snapshotSpec = z
  .object({
    displayName,
    description,
    volume: withRules(localName('Name of the Volume in this namespace to snapshot. Immutable.'), [
      immutable('volume'),
    ]),
    force: withRules(
      z
        .boolean()
        .default(false)
        .describe(
          'Snapshot the volume even while it is attached to an instance (Cinder force); the snapshot is then crash-consistent. Only read at creation, so immutable.',
        ),
      [immutable('force')],
    ),
    metadata: metadataMap,
  })
  .describe('Desired state of the snapshot.');

export const snapshotStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(SNAPSHOT_STATES)
      .optional()
      .describe('Cinder status of the snapshot, e.g. creating, available or error.'),
    sizeGiB: z.int().min(0).optional().describe('Size in GiB of the volume when it was snapshotted.'),
    volumeSnapshot: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the CSI VolumeSnapshot that holds the snapshot, in this namespace.'),
    readyToUse: z
      .boolean()
      .optional()
      .describe('Whether the snapshot is complete, so volumes can be created from it.'),
    createdAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe('When the storage took the snapshot.'),
    progressPercent: z
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('How far the snapshot has got, in percent (Cinder progress).'),
  })
  .describe('Observed state of the snapshot.');

export const Snapshot = defineKind({
  kind: 'Snapshot',
  plural: 'snapshots',
  singular: 'snapshot',
  shortNames: ['snap'],
  scope: 'Namespaced',
  openstack: 'Cinder snapshot',
  description:
    'Snapshot is a point-in-time copy of a volume, like a Cinder snapshot; create a Volume with source.snapshot to restore it.',
  spec: snapshotSpec,
  status: snapshotStatus,
  printerColumns: [
    column('Volume', 'string', '.spec.volume', 'Volume snapshotted'),
    column('Size', 'integer', '.status.sizeGiB', 'Size in GiB'),
    column('Status', 'string', '.status.state', 'Cinder status'),
  ],
});

export type SnapshotObject = KindObject<typeof Snapshot>;
