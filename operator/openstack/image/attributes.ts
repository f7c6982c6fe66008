// Glance attributes onto the Image spec: the create body and the JSON-patch operations of an
// update become one spec (patch). Pure; the checks and their words are Glance's.
import { RESERVED_IMAGE_PROPERTIES, type ImageObject } from '../../kinds/image.js';
import { badRequest, forbidden } from '../errors.js';
import {
  ATTRIBUTE_PATH,
  ATTRIBUTES,
  createRequest,
  patchOperation,
  patchRequest,
  propertyValue,
  READ_ONLY_ATTRIBUTES,
  type ImageSpecInput,
  type SpecPatch,
} from './schemas.js';

/** One Glance attribute → the spec field it sets (value null removes it). */
export function setAttribute(spec: SpecPatch, name: string, value: unknown): void {
  const bad = (what: string) => badRequest(`Invalid input for field/attribute ${name}: ${what}`);
  if (READ_ONLY_ATTRIBUTES.includes(name)) throw forbidden(`Attribute '${name}' is read-only.`);
  const known = Object.hasOwn(ATTRIBUTES, name) ? ATTRIBUTES[name] : undefined;
  if (known) {
    if (!known.set(spec, value)) throw bad(known.problem);
    return;
  }
  if ((RESERVED_IMAGE_PROPERTIES as readonly string[]).includes(name) || name.startsWith('os_glance')) {
    throw forbidden(`Attribute '${name}' is reserved.`);
  }
  const parsed = propertyValue.safeParse(value);
  if (!parsed.success) throw bad('custom properties must be strings');
  if (name.length > 255) throw bad('property names are at most 255 characters');
  (spec.properties ??= {})[name] = parsed.data;
}

/** The fields of `patch` that are set (null ones dropped). */
function withoutNulls<T extends object>(patch: T): { [K in keyof T]?: Exclude<T[K], null> } {
  const kept: { [K in keyof T]?: Exclude<T[K], null> } = {};
  for (const key of Object.keys(patch) as Array<keyof T>) {
    const value = patch[key];
    if (value !== null) kept[key] = value as Exclude<T[keyof T], null>;
  }
  return kept;
}

/** The spec of a new image from the body of POST /v2/images. */
export function createSpec(body: unknown): ImageSpecInput {
  const parsed = createRequest.safeParse(body);
  if (!parsed.success) throw badRequest('Request body must be a JSON object.');
  const patch: SpecPatch = {};
  for (const [name, value] of Object.entries(parsed.data)) {
    if (name === 'id') throw forbidden("Attribute 'id' is read-only: image ids are assigned by the cloud.");
    setAttribute(patch, name, value);
  }
  const { properties, ...fields } = patch;
  const kept = Object.fromEntries(
    Object.entries(properties ?? {}).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  return { ...withoutNulls(fields), ...(Object.keys(kept).length ? { properties: kept } : {}) };
}

/** Glance's JSON patch (application/openstack-images-v2.1-json-patch) onto a spec patch. */
export function patchSpec(image: ImageObject, body: unknown): SpecPatch {
  const ops = patchRequest.safeParse(body);
  if (!ops.success) throw badRequest('Request body must be a JSON array of operation objects.');
  const spec: SpecPatch = {};
  // Checked once, after every operation: a replaced list must hold strings like an added tag.
  let tags: unknown = [...(image.spec.tags ?? [])];
  let tagsChanged = false;
  for (const [i, raw] of ops.data.entries()) {
    const op = patchOperation.safeParse(raw);
    if (!op.success) {
      throw badRequest(`Invalid operation [${i}]: use add, replace or remove on a path such as /name`);
    }
    const { op: verb, path, value } = op.data;
    const match = ATTRIBUTE_PATH.exec(path)!;
    const name = match[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
    if (name === 'tags' && match[2]) {
      if (verb !== 'add' || typeof value !== 'string')
        throw badRequest('Invalid operation on /tags/-: add a string');
      tags = Array.isArray(tags) ? [...(tags as unknown[]), value] : tags;
      tagsChanged = true;
    } else if (name === 'tags') {
      tags = verb === 'remove' ? [] : value;
      tagsChanged = true;
    } else {
      setAttribute(spec, name, verb === 'remove' ? null : value);
    }
  }
  if (tagsChanged) setAttribute(spec, 'tags', tags);
  return spec;
}
