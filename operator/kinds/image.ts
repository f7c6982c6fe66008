// Image — a Glance image: a bootable disk template. Namespaced; public images live in the
// shared namespace stratus-public. Becomes a CDI DataVolume importing into a "golden" PVC
// plus a DataSource that instance root disks are cloned from (Ceph copy-on-write).
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { baseStatus, description, displayName, tags, withRules } from './meta.js';

/** Glance disk formats (images API v2 `disk_format`). */
export const DISK_FORMATS = [
  'ami',
  'ari',
  'aki',
  'vhd',
  'vhdx',
  'vmdk',
  'raw',
  'qcow2',
  'vdi',
  'iso',
  'ploop',
] as const;

/** Glance container formats (images API v2 `container_format`). */
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;

/** Glance image statuses, spelled as Glance spells them. */
export const IMAGE_STATES = [
  'queued',
  'saving',
  'uploading',
  'importing',
  'active',
  'deactivated',
  'killed',
  'deleted',
  'pending_delete',
] as const;

/**
 * Names Glance keeps for its own attributes (and the os_glance_ prefix it reserves): they
 * cannot be custom properties, because the API renders properties beside them.
 */
export const RESERVED_IMAGE_PROPERTIES = [
  'id',
  'name',
  'description',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'owner',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'disk_format',
  'container_format',
  'min_disk',
  'min_ram',
  'tags',
  'created_at',
  'updated_at',
  'direct_url',
  'locations',
  'stores',
  'self',
  'file',
  'schema',
] as const;

/** Hex digest length of each checksum algorithm we verify. */
const DIGEST_LENGTHS = { md5: 32, sha256: 64, sha512: 128 } as const;

export const expectedChecksum = withRules(
  z
    .object({
      algorithm: z
        .enum(['md5', 'sha256', 'sha512'])
        .describe('Hash algorithm of value: md5, sha256 or sha512 (Glance os_hash_algo is sha512).'),
      value: z
        .string()
        .min(32)
        .max(128)
        .regex(/^[0-9a-f]+$/)
        .describe('Expected lowercase hex digest of the image data as downloaded or uploaded.'),
    })
    .describe(
      'Digest the image data must have; the import fails (state killed) when the data does not match.',
    ),
  [
    {
      rule: Object.entries(DIGEST_LENGTHS)
        .map(([algorithm, length]) => `(self.algorithm == '${algorithm}' && size(self.value) == ${length})`)
        .join(' || '),
      message:
        'value must be the hex digest of algorithm: 32 characters for md5, 64 for sha256, 128 for sha512',
      fieldPath: '.value',
    },
  ],
);

export const imageSource = withRules(
  z.object({
    url: withRules(
      z
        .string()
        .min(1)
        .max(2048)
        .describe(
          'Import the image data from this http:// or https:// URL (Glance web-download); the operator downloads it into the golden disk.',
        ),
      [
        {
          rule: "isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",
          message: 'url must be an absolute http:// or https:// URL',
        },
      ],
    ).optional(),
    upload: z
      .object({})
      .optional()
      .describe(
        'The image data is uploaded through the OpenStack API (Glance PUT /v2/images/{id}/file or glance-direct import): the API shim streams the bytes into the golden disk. Set it to {}; it has no fields.',
      ),
    expectedChecksum: expectedChecksum.optional(),
  }),
  [
    {
      rule: 'has(self.url) != has(self.upload)',
      message:
        'set exactly one of source.url (import from a URL) or source.upload (data streamed in by the API)',
    },
  ],
  'Where the image data comes from: exactly one of url or upload. Omit source entirely for a Glance image that is only registered (queued) and gets its data later; once set, source cannot change (Glance accepts image data once).',
);

export const imageSpec = withRules(
  z.object({
    displayName,
    description,
    source: imageSource.optional(),
    diskFormat: z
      .enum(DISK_FORMATS)
      .optional()
      .describe(
        'Format of the disk data (Glance disk_format), e.g. qcow2, raw or iso. Required once source is set; cannot change after that.',
      ),
    containerFormat: z
      .enum(CONTAINER_FORMATS)
      .default('bare')
      .describe(
        'Container format around the disk data (Glance container_format); bare for a plain disk image.',
      ),
    visibility: z
      .enum(['public', 'private', 'shared', 'community'])
      .default('private')
      .describe(
        'Who may see and boot the image, with Glance semantics: private (this project), shared (this project and member projects), community (every project, not listed by default), public (every project; only in the shared namespace stratus-public, created by admins).',
      ),
    protected: z
      .boolean()
      .default(false)
      .describe('When true the image cannot be deleted (Glance protected); set it to false first.'),
    hidden: z
      .boolean()
      .default(false)
      .describe('Hide the image from default image lists (Glance os_hidden); it can still be booted.'),
    deactivated: z
      .boolean()
      .default(false)
      .describe(
        'When true the image is deactivated (Glance deactivate action, state deactivated): it cannot be booted or downloaded until set back to false.',
      ),
    minDiskGiB: z
      .int()
      .min(0)
      .max(65_536)
      .default(0)
      .describe('Smallest root disk in GiB an instance booted from this image needs (Glance min_disk).'),
    minRamMiB: z
      .int()
      .min(0)
      .max(16_777_216)
      .default(0)
      .describe('Least memory in MiB an instance booted from this image needs (Glance min_ram).'),
    tags,
    properties: withRules(
      z.record(z.string().min(1).max(255), z.string().max(4096)).optional().meta({ maxProperties: 128 }),
      [
        {
          rule: `self.all(k, !(k in [${RESERVED_IMAGE_PROPERTIES.map((p) => `'${p}'`).join(', ')}]) && !k.startsWith('os_glance'))`,
          message:
            'properties must not use a name Glance reserves for an image attribute (id, name, status, disk_format, ...) or the os_glance prefix; use the spec field instead',
        },
      ],
      'Glance custom image properties, e.g. os_distro, os_version, architecture, hw_disk_bus, hw_firmware_type (at most 128 entries).',
    ),
  }),
  [
    {
      rule: '!has(self.source) || has(self.diskFormat)',
      message: 'diskFormat is required once source is set (Glance needs disk_format before it takes data)',
      fieldPath: '.diskFormat',
      reason: 'FieldValueRequired',
    },
    {
      rule: '!has(oldSelf.source) || (has(self.source) && self.source == oldSelf.source)',
      message:
        'source is immutable once set (Glance accepts image data only once); create a new image instead',
      fieldPath: '.source',
    },
    {
      rule: '!has(oldSelf.source) || (has(self.diskFormat) && has(oldSelf.diskFormat) && self.diskFormat == oldSelf.diskFormat)',
      message: 'diskFormat is immutable once source is set; create a new image instead',
      fieldPath: '.diskFormat',
    },
    {
      rule: '!has(oldSelf.source) || self.containerFormat == oldSelf.containerFormat',
      message: 'containerFormat is immutable once source is set; create a new image instead',
      fieldPath: '.containerFormat',
    },
  ],
  'Desired image: its data source, formats, visibility and Glance properties.',
);

export const imageStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(IMAGE_STATES)
      .optional()
      .describe(
        'Glance image status: queued (no data yet), saving/uploading/importing (data arriving), active (bootable), deactivated, killed (import failed), deleted, pending_delete.',
      ),
    progress: z.int().min(0).max(100).optional().describe('Import progress in percent while data arrives.'),
    sizeBytes: z.int().min(0).optional().describe('Size of the image data in bytes (Glance size).'),
    virtualSizeBytes: z
      .int()
      .min(0)
      .optional()
      .describe('Virtual size of the disk in bytes, as a guest sees it (Glance virtual_size).'),
    checksum: z
      .string()
      .max(32)
      .optional()
      .describe('MD5 hex digest of the image data (Glance checksum, legacy).'),
    osHashAlgo: z
      .string()
      .max(64)
      .optional()
      .describe('Algorithm of osHashValue (Glance os_hash_algo), sha512.'),
    osHashValue: z
      .string()
      .max(128)
      .optional()
      .describe('Hex digest of the image data with osHashAlgo (Glance os_hash_value).'),
    dataVolume: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the CDI DataVolume importing the image data, in this namespace.'),
    pvc: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the golden PersistentVolumeClaim holding the image, in this namespace.'),
    dataSource: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the CDI DataSource instance root disks are cloned from, in this namespace.'),
    message: z
      .string()
      .max(4096)
      .optional()
      .describe('Why the import failed (state killed), in words a user can act on.'),
  })
  .describe('Observed state of the image, as Glance reports it.');

export const Image = defineKind({
  kind: 'Image',
  plural: 'images',
  singular: 'image',
  shortNames: ['img'],
  scope: 'Namespaced',
  openstack: 'Glance image',
  description:
    'Image is a bootable disk template, like a Glance image: imported from a URL or uploaded through the OpenStack API into a golden disk that instance root disks are cloned from. Public images live in the shared namespace stratus-public.',
  spec: imageSpec,
  status: imageStatus,
  printerColumns: [
    column('Status', 'string', '.status.state', 'Glance image status'),
    column('Format', 'string', '.spec.diskFormat', 'Disk format'),
    column('Visibility', 'string', '.spec.visibility', 'Who may boot it'),
    column('Size', 'integer', '.status.sizeBytes', 'Image data size in bytes'),
    wideColumn('Progress', 'integer', '.status.progress', 'Import progress in percent'),
  ],
});

export type ImageObject = KindObject<typeof Image>;
