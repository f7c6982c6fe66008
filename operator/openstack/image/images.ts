// Images: list, show, create, update (JSON patch) and delete. Writes are made as the caller
// (impersonation), so RBAC and admission decide them; each waits until the cache holds what
// it wrote, so the client's next read sees it.
import type { Router } from 'express';
import type { Image, ImageObject } from '../../kinds/image.js';
import type { KindInput } from '../../kinds/kind.js';
import type { ProjectObject } from '../../kinds/project.js';
import { served } from '../cache.js';
import { createNamed, toDnsLabel } from '../common.js';
import { baseUrl, scopedSessionOf, type ApiDeps } from '../context.js';
import { forbidden } from '../errors.js';
import { findImage, ownImage, patchImage, visibleImages } from './access.js';
import { createSpec, patchSpec } from './attributes.js';
import { listImages } from './listing.js';
import { imageView, type ImageLookup } from './views/image.js';

/** The image view's lookups, answered from the cache. */
export function imageLookup(deps: Pick<ApiDeps, 'cache'>): ImageLookup {
  return {
    projectId: (namespace) => deps.cache.get<ProjectObject>('projects', namespace)?.metadata.uid,
  };
}

export function imageRoutes(router: Router, deps: ApiDeps): void {
  const lookup = imageLookup(deps);

  router.get('/v2/images', async (req, res) => {
    const session = scopedSessionOf(res);
    const images = (await visibleImages(deps, session)).map((i) => imageView(i, lookup));
    res.json(listImages(images, req.query));
  });

  router.get('/v2/images/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    res.json(imageView(await findImage(deps, session, String(req.params.id)), lookup));
  });

  router.post('/v2/images', async (req, res) => {
    const session = scopedSessionOf(res);
    const spec = createSpec(req.body);
    const image: KindInput<typeof Image> = {
      apiVersion: 'stratus.dev/v1alpha1',
      kind: 'Image',
      metadata: { namespace: session.namespace },
      spec,
    };
    const created = await createNamed<ImageObject>(
      deps.impersonation.client(session.userName),
      served.images,
      image,
      toDnsLabel(spec.displayName, 'image'),
    );
    const current = await deps.cache.waitFor('images', created);
    res
      .status(201)
      .set('Location', `${baseUrl(deps, req)}/image/v2/images/${created.metadata.uid}`)
      .json(imageView(current, lookup));
  });

  router.patch('/v2/images/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    const spec = patchSpec(image, req.body);
    res.json(imageView(await patchImage(deps, session, image, { spec }), lookup));
  });

  router.delete('/v2/images/:id', async (req, res) => {
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
}
