// Which images a caller may see and change. Reads come from the cache, but only once RBAC
// lets the caller list images in the namespace (readableNamespaces). An image that is not
// the caller's to see is 404 exactly like one that does not exist.
import type { ImageObject } from '../../kinds/image.js';
import { served } from '../cache.js';
import { readableNamespaces } from '../common.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { forbidden, notFound } from '../errors.js';

/** Images the caller may see: the project's, and the shared namespace's public/community ones. */
export async function visibleImages(deps: ApiDeps, session: ScopedSession): Promise<ImageObject[]> {
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

export async function findImage(deps: ApiDeps, session: ScopedSession, id: string): Promise<ImageObject> {
  const image = (await visibleImages(deps, session)).find((i) => i.metadata.uid === id);
  if (!image) throw notFound(`No image found with ID ${id}`);
  return image;
}

/** The image, which must be the project's own to change it (public ones are the admins'). */
export async function ownImage(deps: ApiDeps, session: ScopedSession, id: string): Promise<ImageObject> {
  const image = await findImage(deps, session, id);
  if (image.metadata.namespace !== session.namespace) {
    throw forbidden(
      `You are not permitted to modify image ${id}: it belongs to the cloud, not to this project.`,
    );
  }
  return image;
}

/** Merge-patch the caller's image as the caller; what the cache holds once it caught up. */
export async function patchImage(
  deps: ApiDeps,
  session: ScopedSession,
  image: ImageObject,
  patch: object,
): Promise<ImageObject> {
  const updated = await deps.impersonation
    .client(session.userName)
    .patch<ImageObject>(served.images, image.metadata.name!, session.namespace, patch, 'merge');
  return deps.cache.waitFor('images', updated);
}
