// Glance v2: images (list with filters and `next` paging, show, create, update by JSON
// patch, delete), tags, data upload (streamed; see uploads.ts) and the schemas clients ask
// for. Images are Image objects in the project's namespace; public ones live in the shared
// namespace and are listed to everyone whom RBAC lets read it.
import express, { type Request, type Response, type Router } from 'express';
import type { ImageObject } from '../kinds/image.js';
import { CONTAINER_FORMATS, DISK_FORMATS, RESERVED_IMAGE_PROPERTIES } from '../kinds/image.js';
import type { ProjectObject } from '../kinds/project.js';
import { served } from './cache.js';
import {
  authorize,
  createNamed,
  isoSeconds,
  queryText,
  readableNamespaces,
  toDnsLabel,
  updatedAt,
} from './common.js';
import { baseUrl, scopedSessionOf, type ApiDeps, type ScopedSession } from './context.js';
import { ApiFault, badRequest, conflict, forbidden, notFound } from './errors.js';
import { requireAuth } from './identity.js';

/** Annotations the upload leaves on the Image: what Glance reports about the data. */
export const UPLOAD_ANNOTATIONS = {
  size: 'stratus.dev/upload-size',
  md5: 'stratus.dev/upload-md5',
  sha512: 'stratus.dev/upload-sha512',
} as const;

const VERSIONS = ['2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

export function imageVersions(base: string) {
  return VERSIONS.map((v, i) => ({
    id: `v${v}`,
    status: i === 0 ? 'CURRENT' : 'SUPPORTED',
    links: [{ rel: 'self', href: `${base}/image/v2/` }],
  }));
}

// ---- Views -----------------------------------------------------------------------------

const READ_ONLY = [
  'id',
  'status',
  'owner',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
  'direct_url',
  'locations',
  'self',
  'file',
  'schema',
  'stores',
];

function ownerOf(deps: ApiDeps, image: ImageObject): string {
  const project = deps.cache.get<ProjectObject>('projects', image.metadata.namespace!);
  return project?.metadata.uid ?? image.metadata.namespace!;
}

function imageStatus(image: ImageObject): string {
  const state = image.status?.state;
  const uploaded = image.metadata.annotations?.[UPLOAD_ANNOTATIONS.size] !== undefined;
  if (uploaded && (!state || state === 'queued')) return 'saving';
  return state ?? 'queued';
}

export function imageView(deps: ApiDeps, image: ImageObject) {
  const id = image.metadata.uid!;
  const a = image.metadata.annotations ?? {};
  const uploadedSize = a[UPLOAD_ANNOTATIONS.size] ? Number(a[UPLOAD_ANNOTATIONS.size]) : undefined;
  const sha512 = image.status?.osHashValue ?? a[UPLOAD_ANNOTATIONS.sha512];
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
    owner: ownerOf(deps, image),
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

// ---- Lookups ---------------------------------------------------------------------------

/** Images the caller may see: the project's, and the shared namespace's public/community ones. */
async function visibleImages(deps: ApiDeps, session: ScopedSession): Promise<ImageObject[]> {
  const namespaces = await readableNamespaces(deps, session, 'images', true);
  return namespaces.flatMap((ns) =>
    deps.cache
      .list<ImageObject>('images', ns)
      .filter(
        (i) =>
          !i.metadata.deletionTimestamp &&
          (ns === session.namespace || i.spec.visibility === 'public' || i.spec.visibility === 'community'),
      ),
  );
}

async function findImage(deps: ApiDeps, session: ScopedSession, id: string): Promise<ImageObject> {
  const image = (await visibleImages(deps, session)).find((i) => i.metadata.uid === id);
  if (!image) throw notFound(`No image found with ID ${id}`);
  return image;
}

/** The image, which must be the project's own to change it (public ones are the admins'). */
async function ownImage(deps: ApiDeps, session: ScopedSession, id: string): Promise<ImageObject> {
  const image = await findImage(deps, session, id);
  if (image.metadata.namespace !== session.namespace) {
    throw forbidden(
      `You are not permitted to modify image ${id}: it belongs to the cloud, not to this project.`,
    );
  }
  return image;
}

// ---- Attribute mapping -----------------------------------------------------------------

type SpecPatch = Record<string, unknown> & { properties?: Record<string, string | null> };

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** One Glance attribute → the spec field it sets (value null removes it). */
function setAttribute(spec: SpecPatch, name: string, value: unknown): void {
  const bad = (what: string) => badRequest(`Invalid input for field/attribute ${name}: ${what}`);
  if (READ_ONLY.includes(name)) throw forbidden(`Attribute '${name}' is read-only.`);
  switch (name) {
    case 'name':
      if (value !== null && (typeof value !== 'string' || value.length > 255))
        throw bad('must be a string of at most 255 characters');
      spec.displayName = value;
      return;
    case 'description':
      if (value !== null && typeof value !== 'string') throw bad('must be a string');
      spec.description = value;
      return;
    case 'disk_format':
      if (value !== null && !isOneOf(DISK_FORMATS, value))
        throw bad(`must be one of ${DISK_FORMATS.join(', ')}`);
      spec.diskFormat = value;
      return;
    case 'container_format':
      if (value !== null && !isOneOf(CONTAINER_FORMATS, value))
        throw bad(`must be one of ${CONTAINER_FORMATS.join(', ')}`);
      spec.containerFormat = value;
      return;
    case 'visibility':
      if (!isOneOf(['public', 'private', 'shared', 'community'] as const, value))
        throw bad('must be public, private, shared or community');
      spec.visibility = value;
      return;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') throw bad('must be true or false');
      spec[name === 'protected' ? 'protected' : 'hidden'] = value;
      return;
    case 'min_disk':
    case 'min_ram':
      if (!Number.isInteger(value) || (value as number) < 0) throw bad('must be a non-negative integer');
      spec[name === 'min_disk' ? 'minDiskGiB' : 'minRamMiB'] = value;
      return;
    case 'tags':
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t.length > 255))
        throw bad('must be a list of strings');
      spec.tags = [...new Set(value as string[])];
      return;
    default:
      if ((RESERVED_IMAGE_PROPERTIES as readonly string[]).includes(name) || name.startsWith('os_glance')) {
        throw forbidden(`Attribute '${name}' is reserved.`);
      }
      if (value !== null && typeof value !== 'string') throw bad('custom properties must be strings');
      if (name.length > 255) throw bad('property names are at most 255 characters');
      (spec.properties ??= {})[name] = value;
  }
}

const ATTRIBUTE_PATH = /^\/([^/]+)(\/-)?$/;

/** Glance's JSON patch (application/openstack-images-v2.1-json-patch) onto a spec patch. */
function applyGlancePatch(image: ImageObject, ops: unknown): SpecPatch {
  if (!Array.isArray(ops)) throw badRequest('Request body must be a JSON array of operation objects.');
  const spec: SpecPatch = {};
  let tags = [...(image.spec.tags ?? [])];
  let tagsChanged = false;
  for (const [i, raw] of ops.entries()) {
    const op = raw as { op?: string; path?: string; value?: unknown };
    const match = ATTRIBUTE_PATH.exec(op.path ?? '');
    if (!match || !['add', 'replace', 'remove'].includes(op.op ?? '')) {
      throw badRequest(`Invalid operation [${i}]: use add, replace or remove on a path such as /name`);
    }
    const name = match[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
    if (name === 'tags' && match[2]) {
      if (op.op !== 'add' || typeof op.value !== 'string')
        throw badRequest('Invalid operation on /tags/-: add a string');
      tags.push(op.value);
      tagsChanged = true;
      continue;
    }
    if (name === 'tags') {
      tags = op.op === 'remove' ? [] : (op.value as string[]);
      tagsChanged = true;
      continue;
    }
    setAttribute(spec, name, op.op === 'remove' ? null : op.value);
  }
  if (tagsChanged) setAttribute(spec, 'tags', tags);
  return spec;
}

// ---- Routes ----------------------------------------------------------------------------

export function imageRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const auth = requireAuth(deps);
  const versions = (req: Request, res: Response) =>
    void res.status(300).json({ versions: imageVersions(baseUrl(deps, req)) });
  router.get('/', versions);
  router.get(
    ['/versions', '/v2', '/v2/'],
    (req, res) => void res.json({ versions: imageVersions(baseUrl(deps, req)) }),
  );

  const v2 = express.Router();
  router.use('/v2', auth, v2);

  v2.get('/schemas/image', (_req, res) => void res.json(imageSchema()));
  v2.get(
    '/schemas/images',
    (_req, res) =>
      void res.json({
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
      }),
  );

  v2.get('/images', async (req, res) => {
    const session = scopedSessionOf(res);
    const q = req.query;
    let images = (await visibleImages(deps, session)).map((i) => ({ object: i, view: imageView(deps, i) }));
    const text = (key: string) => queryText(q[key]) || undefined;
    const hidden = text('os_hidden') === 'true';
    images = images.filter((i) => i.view.os_hidden === hidden);
    const visibility = text('visibility');
    if (visibility === 'all') {
      // everything visible
    } else if (visibility) {
      images = images.filter((i) => i.view.visibility === visibility);
    } else {
      images = images.filter((i) => i.view.visibility !== 'community');
    }
    for (const key of ['name', 'status', 'disk_format', 'container_format', 'owner', 'checksum'] as const) {
      const wanted = text(key);
      if (wanted !== undefined) images = images.filter((i) => String(i.view[key] ?? '') === wanted);
    }
    if (text('protected')) images = images.filter((i) => String(i.view.protected) === text('protected'));
    const wantedTags = ([] as unknown[]).concat(q.tag ?? []).map(String);
    if (wantedTags.length) images = images.filter((i) => wantedTags.every((t) => i.view.tags.includes(t)));
    const sortKey = (text('sort_key') ?? 'created_at') as keyof ReturnType<typeof imageView>;
    const desc = (text('sort_dir') ?? 'desc') === 'desc';
    images.sort((a, b) => {
      const x = String(a.view[sortKey] ?? '');
      const y = String(b.view[sortKey] ?? '');
      return (desc ? y.localeCompare(x) : x.localeCompare(y)) || a.view.id.localeCompare(b.view.id);
    });
    let start = 0;
    const marker = text('marker');
    if (marker) {
      const index = images.findIndex((i) => i.view.id === marker);
      if (index < 0) throw badRequest(`marker ${marker} could not be found.`);
      start = index + 1;
    }
    const limit = text('limit') && /^\d+$/.test(text('limit')!) ? Math.min(Number(text('limit')), 1000) : 25;
    const slice = images.slice(start, start + limit);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(q)) {
      if (key !== 'marker') for (const v of ([] as unknown[]).concat(value)) params.append(key, String(v));
    }
    const more = start + limit < images.length;
    if (more) params.set('marker', slice.at(-1)!.view.id);
    res.json({
      images: slice.map((i) => i.view),
      first: '/v2/images',
      schema: '/v2/schemas/images',
      ...(more ? { next: `/v2/images?${params.toString()}` } : {}),
    });
  });

  v2.get('/images/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    res.json(imageView(deps, await findImage(deps, session, String(req.params.id))));
  });

  v2.post('/images', async (req, res) => {
    const session = scopedSessionOf(res);
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('Request body must be a JSON object.');
    const spec: SpecPatch = {};
    for (const [name, value] of Object.entries(body)) {
      if (name === 'id') throw forbidden("Attribute 'id' is read-only: image ids are assigned by the cloud.");
      setAttribute(spec, name, value);
    }
    const properties = spec.properties
      ? Object.fromEntries(Object.entries(spec.properties).filter(([, v]) => v !== null))
      : undefined;
    const name = typeof spec.displayName === 'string' ? spec.displayName : undefined;
    const created = await createNamed<ImageObject>(
      deps.impersonation.client(session.userName),
      served.images,
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Image',
        metadata: { namespace: session.namespace },
        spec: {
          ...Object.fromEntries(Object.entries(spec).filter(([k, v]) => k !== 'properties' && v !== null)),
          ...(properties && Object.keys(properties).length ? { properties } : {}),
        },
      } as unknown as ImageObject,
      toDnsLabel(name, 'image'),
    );
    const current = await deps.cache.waitFor('images', created);
    res
      .status(201)
      .set('Location', `${baseUrl(deps, req)}/image/v2/images/${created.metadata.uid}`)
      .json(imageView(deps, current));
  });

  v2.patch('/images/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    const spec = applyGlancePatch(image, req.body);
    const updated = await deps.impersonation
      .client(session.userName)
      .patch<ImageObject>(served.images, image.metadata.name!, session.namespace, { spec }, 'merge');
    res.json(imageView(deps, await deps.cache.waitFor('images', updated)));
  });

  v2.delete('/images/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    if (image.spec.protected)
      throw forbidden(`Image ${image.metadata.uid} is protected and cannot be deleted.`);
    await deps.impersonation
      .client(session.userName)
      .delete(served.images, image.metadata.name!, session.namespace, { uid: image.metadata.uid });
    await deps.cache.waitFor('images', image, { gone: true });
    res.status(204).end();
  });

  const tag = (add: boolean) => async (req: Request, res: Response) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    const value = String(req.params.tag);
    if (value.length > 255) throw badRequest('Invalid input for field/attribute tag: at most 255 characters');
    const tags = new Set(image.spec.tags ?? []);
    if (!add && !tags.has(value)) throw notFound(`Tag ${value} not found`);
    if (add) tags.add(value);
    else tags.delete(value);
    const updated = await deps.impersonation
      .client(session.userName)
      .patch<ImageObject>(
        served.images,
        image.metadata.name!,
        session.namespace,
        { spec: { tags: [...tags] } },
        'merge',
      );
    await deps.cache.waitFor('images', updated);
    res.status(204).end();
  };
  v2.put('/images/:id/tags/:tag', tag(true));
  v2.delete('/images/:id/tags/:tag', tag(false));

  v2.put('/images/:id/file', async (req, res) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    await authorize(deps, session, { verb: 'patch', resource: 'images', namespace: session.namespace });
    if (image.spec.source || image.metadata.annotations?.[UPLOAD_ANNOTATIONS.size] !== undefined) {
      throw conflict(`Image status transition from ${imageStatus(image)} to saving is not allowed`);
    }
    if (!image.spec.diskFormat) {
      throw badRequest('Properties disk_format, container_format must be set prior to saving data.');
    }
    const declared = Number(req.get('content-length') ?? NaN);
    const limit = deps.config.STRATUS_API_MAX_IMAGE_BYTES;
    if (declared > limit) throw new ApiFault(413, `Image exceeds the storage quota: at most ${limit} bytes.`);
    const staged = await deps.uploads.stage(req, image, limit);
    const url = `${(deps.config.STRATUS_API_INTERNAL_URL || baseUrl(deps, req)).replace(/\/+$/, '')}/image-data/${staged.name}`;
    try {
      const updated = await deps.impersonation.client(session.userName).patch<ImageObject>(
        served.images,
        image.metadata.name!,
        session.namespace,
        {
          metadata: {
            annotations: {
              [UPLOAD_ANNOTATIONS.size]: String(staged.size),
              [UPLOAD_ANNOTATIONS.md5]: staged.md5,
              [UPLOAD_ANNOTATIONS.sha512]: staged.sha512,
            },
          },
          spec: { source: { url } },
        },
        'merge',
      );
      await deps.cache.waitFor('images', updated);
    } catch (error) {
      await deps.uploads.discard(staged.name);
      throw error;
    }
    deps.logger.info('image data staged for import', {
      namespace: session.namespace,
      name: image.metadata.name,
      bytes: staged.size,
    });
    res.status(204).end();
  });

  return router;
}

/** The image schema (Glance's /v2/schemas/image, reduced to what clients read). */
function imageSchema() {
  const str = { type: ['null', 'string'] };
  return {
    name: 'image',
    additionalProperties: { type: 'string' },
    properties: {
      id: {
        type: 'string',
        pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
      },
      name: { ...str, maxLength: 255 },
      status: {
        type: 'string',
        enum: [
          'queued',
          'saving',
          'active',
          'killed',
          'deleted',
          'uploading',
          'importing',
          'pending_delete',
          'deactivated',
        ],
        readOnly: true,
      },
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
