// Glance's request bodies. An image is created from a flat object of attributes and custom
// properties, and updated by a JSON patch (application/openstack-images-v2.1-json-patch)
// whose operations each set or remove one attribute; both map attribute by attribute onto
// the Image spec. Each settable attribute has its schema here, with the words of the 400
// a bad value gets.
import { z } from 'zod';
import { CONTAINER_FORMATS, DISK_FORMATS, RESERVED_IMAGE_PROPERTIES, type Image } from '../../kinds/image.js';
import type { KindInput } from '../../kinds/kind.js';

/** The spec a client may send for an Image (defaults not yet applied). */
export type ImageSpecInput = KindInput<typeof Image>['spec'];

/** Spec changes from Glance attributes: null removes a field (or a custom property). */
export type SpecPatch = {
  [K in Exclude<keyof ImageSpecInput, 'properties'>]?: ImageSpecInput[K] | null;
} & { properties?: Record<string, string | null> };

export interface AttributeSchema {
  /** What a bad value gets told, after "Invalid input for field/attribute <name>: ". */
  problem: string;
  /** Set the spec field from `value`; false when the value does not fit. */
  set(spec: SpecPatch, value: unknown): boolean;
}

function attribute<K extends Exclude<keyof SpecPatch, 'properties'>>(
  field: K,
  schema: z.ZodType<SpecPatch[K]>,
  problem: string,
): AttributeSchema {
  return {
    problem,
    set(spec, value) {
      const parsed = schema.safeParse(value);
      if (parsed.success) spec[field] = parsed.data;
      return parsed.success;
    },
  };
}

const flag = z.boolean();
const count = z.number().int().min(0);

/** The Glance attributes a client sets, by Glance name. */
export const ATTRIBUTES: Readonly<Record<string, AttributeSchema>> = {
  name: attribute(
    'displayName',
    z.string().max(255).nullable(),
    'must be a string of at most 255 characters',
  ),
  description: attribute('description', z.string().nullable(), 'must be a string'),
  disk_format: attribute(
    'diskFormat',
    z.enum(DISK_FORMATS).nullable(),
    `must be one of ${DISK_FORMATS.join(', ')}`,
  ),
  container_format: attribute(
    'containerFormat',
    z.enum(CONTAINER_FORMATS).nullable(),
    `must be one of ${CONTAINER_FORMATS.join(', ')}`,
  ),
  visibility: attribute(
    'visibility',
    z.enum(['public', 'private', 'shared', 'community']),
    'must be public, private, shared or community',
  ),
  protected: attribute('protected', flag, 'must be true or false'),
  os_hidden: attribute('hidden', flag, 'must be true or false'),
  min_disk: attribute('minDiskGiB', count, 'must be a non-negative integer'),
  min_ram: attribute('minRamMiB', count, 'must be a non-negative integer'),
  tags: attribute(
    'tags',
    z.array(z.string().max(255)).transform((tags) => [...new Set(tags)]),
    'must be a list of strings',
  ),
};

/** Attributes Glance computes (every reserved name a client cannot set); setting one is 403. */
export const READ_ONLY_ATTRIBUTES: readonly string[] = RESERVED_IMAGE_PROPERTIES.filter(
  (name) => !Object.hasOwn(ATTRIBUTES, name),
);

/** A custom property's value: a string, or null to remove it. */
export const propertyValue = z.string().nullable();

/** POST /v2/images: attributes and custom properties, checked one by one. */
export const createRequest = z.record(z.string(), z.unknown(), {
  error: 'Request body must be a JSON object.',
});

/** `/name`, or `/tags/-` (append one tag); `~1` and `~0` escape `/` and `~` (RFC 6901). */
export const ATTRIBUTE_PATH = /^\/([^/]+)(\/-)?$/;

/** PATCH /v2/images/{id}: a JSON patch, each operation on one attribute. */
export const patchRequest = z.array(z.unknown(), {
  error: 'Request body must be a JSON array of operation objects.',
});

export const patchOperation = z.object({
  op: z.enum(['add', 'replace', 'remove']),
  path: z.string().regex(ATTRIBUTE_PATH),
  value: z.unknown().optional(),
});
