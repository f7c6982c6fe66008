// What the Glance handlers share, wired once per process: the Image round trip (which
// images a caller sees: the project's own, and the shared namespace's public and community
// ones), merge patches beyond the spec (an upload's annotations), the upload store and the
// view lookup.
import { Image, type ImageObject } from '../../kinds/image.js';
import type { Logger } from '../../runtime/logger.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import { Access, CrObjects } from '../framework/objects.js';
import { routeFor } from '../framework/route.js';
import type { UploadStore } from '../uploads.js';
import type { ImageLookup } from './views/image.js';
import { Project, resourceOf } from '../../kinds/index.js';

export interface ImageEnv {
  images: CrObjects<typeof Image>;
  access: Access;
  /** Merge-patch an image as the caller (spec and metadata); what the cache then holds. */
  patch(session: ScopedSession, image: ImageObject, patch: object): Promise<ImageObject>;
  uploads: UploadStore;
  /** Upload size limit in bytes. */
  maxImageBytes: number;
  /** The URL the importer reaches this replica at, if configured (else the request's base). */
  internalUrl: string | undefined;
  logger: Logger;
  lookup: ImageLookup;
}

export const route = routeFor<ImageEnv>();

export function wireGlance(deps: ApiDeps): ImageEnv {
  const images = new CrObjects(deps, {
    definition: Image,
    label: 'Image',
    access: { resource: 'images', shared: true },
    visible: (image, session) =>
      image.metadata.namespace === session.namespace ||
      image.spec.visibility === 'public' ||
      image.spec.visibility === 'community',
    faults: {
      notFound: (id) => notFound(`No image found with ID ${id}`),
      notOwn: (id) =>
        forbidden(
          `You are not permitted to modify image ${id}: it belongs to the cloud, not to this project.`,
        ),
    },
  });
  return {
    images,
    access: new Access(deps),
    async patch(session, image, patch) {
      const updated = await deps.impersonation
        .client(session.userName)
        .patch<ImageObject>(resourceOf(Image), image.metadata.name!, session.namespace, patch, 'merge');
      return deps.cache.waitFor(Image, updated);
    },
    uploads: deps.uploads,
    maxImageBytes: deps.config.STRATUS_API_MAX_IMAGE_BYTES,
    internalUrl: deps.config.STRATUS_API_INTERNAL_URL || undefined,
    logger: deps.logger,
    lookup: {
      projectId: (namespace) => deps.cache.get(Project, namespace)?.metadata.uid,
    },
  };
}
