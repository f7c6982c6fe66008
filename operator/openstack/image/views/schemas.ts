// Glance's /v2/schemas/image and /v2/schemas/images, reduced to what clients read: the
// openstack CLI and glanceclient fetch them to know which attributes are core and which are
// custom properties.
import { CONTAINER_FORMATS, DISK_FORMATS } from '../../../kinds/image.js';

const UUID = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';

/** In Glance's own order (not the kind's), as its schema document lists them. */
const STATUSES = [
  'queued',
  'saving',
  'active',
  'killed',
  'deleted',
  'uploading',
  'importing',
  'pending_delete',
  'deactivated',
];

export function imageSchema() {
  const str = { type: ['null', 'string'] };
  return {
    name: 'image',
    additionalProperties: { type: 'string' },
    properties: {
      id: { type: 'string', pattern: UUID },
      name: { ...str, maxLength: 255 },
      status: { type: 'string', enum: STATUSES, readOnly: true },
      visibility: { type: 'string', enum: ['community', 'public', 'private', 'shared'] },
      protected: { type: 'boolean' },
      os_hidden: { type: 'boolean' },
      checksum: { ...str, readOnly: true },
      os_hash_algo: { ...str, readOnly: true },
      os_hash_value: { ...str, readOnly: true },
      owner: { ...str },
      size: { type: ['null', 'integer'], readOnly: true },
      virtual_size: { type: ['null', 'integer'], readOnly: true },
      container_format: { type: ['null', 'string'], enum: [null, ...CONTAINER_FORMATS] },
      disk_format: { type: ['null', 'string'], enum: [null, ...DISK_FORMATS] },
      created_at: { type: 'string', readOnly: true },
      updated_at: { type: 'string', readOnly: true },
      tags: { type: 'array', items: { type: 'string', maxLength: 255 } },
      min_ram: { type: 'integer' },
      min_disk: { type: 'integer' },
      self: { type: 'string', readOnly: true },
      file: { type: 'string', readOnly: true },
      schema: { type: 'string', readOnly: true },
    },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function imagesSchema() {
  return {
    name: 'images',
    properties: {
      images: { type: 'array', items: imageSchema() },
      schema: { type: 'string' },
      first: { type: 'string' },
      next: { type: 'string' },
    },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}
