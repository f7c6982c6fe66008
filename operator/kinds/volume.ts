// Volume — a Cinder volume: a block device an instance can attach. Becomes a
// PersistentVolumeClaim (Block mode) on Rook-Ceph RBD, through a CDI DataVolume when it is
// filled from an image, a snapshot or another volume.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  description,
  displayName,
  immutable,
  localName,
  metadataMap,
  sharedRef,
  withRules,
} from './meta.js';

/** Cinder's volume statuses, spelled as Cinder spells them. */
export const VOLUME_STATES = [
  'creating',
  'available',
  'reserved',
  'attaching',
  'detaching',
  'in-use',
  'maintenance',
  'deleting',
  'awaiting-transfer',
  'error',
  'error_deleting',
  'backing-up',
  'restoring-backup',
  'error_backing-up',
  'error_restoring',
  'error_extending',
  'downloading',
  'uploading',
  'retyping',
  'extending',
] as const;

/** Immutable once set, including being set or unset later: a rule on the parent object. */
function immutableOnceSet(field: string, what: string) {
  return {
    rule: `has(oldSelf.${field}) == has(self.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
    message: `${what} is immutable; create a new volume instead`,
    fieldPath: `.${field}`,
  };
}

export const volumeSource = withRules(
  z
    .object({
      image: sharedRef('image').optional(),
      snapshot: localName('Name of a Snapshot in this namespace to restore.').optional(),
      volume: localName('Name of a Volume in this namespace to clone.').optional(),
    })
    .describe(
      'What the volume starts with: exactly one of image, snapshot or volume. Omit source for a blank volume. Immutable.',
    ),
  [
    {
      rule: '[has(self.image), has(self.snapshot), has(self.volume)].filter(x, x).size() == 1',
      message: 'source takes exactly one of image, snapshot or volume',
    },
  ],
);

export const volumeSpec = withRules(
  z
    .object({
      displayName,
      description,
      sizeGiB: withRules(
        z
          .int()
          .min(1)
          .max(1_048_576)
          .describe(
            'Size in GiB. It can only grow (a Cinder extend); when restoring a snapshot or cloning, at least the size of the source.',
          ),
        [
          {
            rule: 'self >= oldSelf',
            message:
              'sizeGiB can only grow: volumes are extended, never shrunk; create a new volume to get a smaller one',
          },
        ],
      ),
      volumeType: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/)
        .optional()
        .describe(
          'Cinder volume type, which selects the StorageClass; the cluster default type when omitted. Immutable once set (retyping is not supported).',
        ),
      source: volumeSource.optional(),
      multiattach: withRules(
        z
          .boolean()
          .default(false)
          .describe(
            'Whether several instances may attach the volume at once (a ReadWriteMany block volume).',
          ),
        [immutable('multiattach')],
      ),
      bootable: z
        .boolean()
        .optional()
        .describe(
          'Whether instances may boot from the volume. Defaults to true for volumes created from an image, false otherwise.',
        ),
      availabilityZone: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe(
          'Availability zone to create the volume in; the default zone when omitted. Immutable once set.',
        ),
      metadata: metadataMap,
    })
    .describe('Desired state of the volume.'),
  [
    immutableOnceSet('source', 'source'),
    immutableOnceSet('volumeType', 'volumeType'),
    immutableOnceSet('availabilityZone', 'availabilityZone'),
  ],
);

export const volumeAttachment = z
  .object({
    instance: z.string().max(63).describe('Name of the Instance the volume is attached to.'),
    attachmentId: z
      .string()
      .max(64)
      .optional()
      .describe('Stable ID of this attachment (Cinder attachment_id).'),
    device: z.string().max(255).optional().describe('Device name inside the instance, e.g. /dev/vdb.'),
    hostName: z.string().max(253).optional().describe('Node the instance runs on.'),
    attachedAt: z.string().meta({ format: 'date-time' }).optional().describe('When the volume was attached.'),
  })
  .describe('An attachment of the volume to an instance.');

export const volumeStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(VOLUME_STATES)
      .optional()
      .describe('Cinder status of the volume, e.g. creating, available, in-use, extending or error.'),
    sizeGiB: z.int().min(0).optional().describe('Size in GiB the storage actually provides.'),
    volumeType: z.string().max(255).optional().describe('Volume type in effect.'),
    availabilityZone: z.string().max(255).optional().describe('Availability zone the volume is in.'),
    bootable: z.boolean().optional().describe('Whether instances may boot from the volume.'),
    encrypted: z.boolean().optional().describe('Whether the volume is encrypted (always false today).'),
    attachments: z
      .array(volumeAttachment)
      .max(64)
      .optional()
      .meta({
        description: 'Instances the volume is attached to.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['instance'],
      }),
    persistentVolumeClaim: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the PersistentVolumeClaim that holds the data, in this namespace.'),
    dataVolume: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the CDI DataVolume that filled the volume from its source, if any.'),
  })
  .describe('Observed state of the volume.');

export const Volume = defineKind({
  kind: 'Volume',
  plural: 'volumes',
  singular: 'volume',
  shortNames: ['vol'],
  scope: 'Namespaced',
  openstack: 'Cinder volume',
  description:
    'Volume is a block device that instances attach, like a Cinder volume: blank, or created from an image, a snapshot or another volume. It can grow but never shrink.',
  spec: volumeSpec,
  status: volumeStatus,
  printerColumns: [
    column('Size', 'integer', '.spec.sizeGiB', 'Size in GiB'),
    column('Type', 'string', '.status.volumeType', 'Volume type in effect'),
    column('Status', 'string', '.status.state', 'Cinder status'),
    column('Attached-To', 'string', '.status.attachments[*].instance', 'Instances the volume is attached to'),
    wideColumn('Bootable', 'boolean', '.status.bootable', 'Whether instances may boot from it'),
  ],
});

export type VolumeObject = KindObject<typeof Volume>;
