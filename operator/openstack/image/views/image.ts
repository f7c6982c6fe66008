// An Image CR as Glance shows an image: the spec's attributes, the custom properties beside
// them, and what the import (status) or an upload still being imported (annotations) knows
// about the data.
import type { ImageObject } from '../../../kinds/image.js';
import { isoSeconds, updatedAt } from '../../common.js';
import { UPLOAD_ANNOTATIONS } from '../../uploads.js';

/** What the image view needs to know beyond the image. */
export interface ImageLookup {
  /** The Keystone id (uid) of the project whose namespace this is, if it is one. */
  projectId(namespace: string): string | undefined;
}

/** Glance's status: `saving` from the upload until the import reports progress. */
export function imageStatus(image: ImageObject): string {
  const state = image.status?.state;
  const uploaded = image.metadata.annotations?.[UPLOAD_ANNOTATIONS.size] !== undefined;
  if (uploaded && (!state || state === 'queued')) return 'saving';
  return state ?? 'queued';
}

export function imageView(image: ImageObject, lookup: ImageLookup) {
  const id = image.metadata.uid!;
  const a = image.metadata.annotations ?? {};
  const uploadedSize = a[UPLOAD_ANNOTATIONS.size] ? Number(a[UPLOAD_ANNOTATIONS.size]) : undefined;
  const sha512 = image.status?.osHashValue ?? a[UPLOAD_ANNOTATIONS.sha512];
  const namespace = image.metadata.namespace!;
  return {
    ...(image.spec.properties ?? {}),
    id,
    name: image.spec.displayName ?? image.metadata.name!,
    status: imageStatus(image),
    visibility: image.spec.visibility,
    protected: image.spec.protected,
    os_hidden: image.spec.hidden,
    checksum: image.status?.checksum ?? a[UPLOAD_ANNOTATIONS.md5] ?? null,
    os_hash_algo: sha512 ? (image.status?.osHashAlgo ?? 'sha512') : null,
    os_hash_value: sha512 ?? null,
    owner: lookup.projectId(namespace) ?? namespace,
    size: uploadedSize ?? image.status?.sizeBytes ?? null,
    virtual_size: image.status?.virtualSizeBytes ?? null,
    min_ram: image.spec.minRamMiB,
    min_disk: image.spec.minDiskGiB,
    disk_format: image.spec.diskFormat ?? null,
    container_format: image.spec.source || image.spec.diskFormat ? image.spec.containerFormat : null,
    created_at: isoSeconds(image.metadata.creationTimestamp),
    updated_at: updatedAt(image),
    tags: image.spec.tags ?? [],
    ...(image.spec.description ? { description: image.spec.description } : {}),
    self: `/v2/images/${id}`,
    file: `/v2/images/${id}/file`,
    schema: '/v2/schemas/image',
  };
}

export type ImageView = ReturnType<typeof imageView>;
