// Images: list, show, create, update (JSON patch) and delete. Writes are made as the caller
// (impersonation), so RBAC and admission decide them; each waits until the cache holds what
// it wrote, so the client's next read sees it.
import { toDnsLabel } from '../common.js';
import { forbidden } from '../errors.js';
import { reply } from '../framework/route.js';
import { createSpec, patchSpec } from './attributes.js';
import { route } from './env.js';
import { listImages } from './listing.js';
import { imageView } from './views/image.js';

export const imageRoutes = [
  route({
    method: 'GET',
    path: '/v2/images',
    summary: 'List images (filters, sort_key/sort_dir, limit/marker, `next`)',
    auth: 'project',
    status: 200,
    errors: [400],
    async handler({ env, session, query }) {
      const images = (await env.images.list(session)).map((i) => imageView(i, env.lookup));
      return listImages(images, query);
    },
  }),
  route({
    method: 'GET',
    path: '/v2/images/:id',
    summary: 'Show an image',
    auth: 'project',
    status: 200,
    errors: [404],
    async handler({ env, session, params }) {
      return imageView(await env.images.find(session, params.id!), env.lookup);
    },
  }),
  route({
    method: 'POST',
    path: '/v2/images',
    summary: 'Create an image (attributes and custom properties; no data yet)',
    auth: 'project',
    status: 201,
    errors: [400, 409],
    async handler({ env, session, req, base }) {
      const spec = createSpec(req.body);
      const image = await env.images.create(session, spec, toDnsLabel(spec.displayName, 'image'));
      return reply(imageView(image, env.lookup), {
        headers: { Location: `${base}/image/v2/images/${image.metadata.uid}` },
      });
    },
  }),
  route({
    method: 'PATCH',
    path: '/v2/images/:id',
    summary: 'Update an image by JSON patch (application/openstack-images-v2.1-json-patch)',
    auth: 'project',
    status: 200,
    errors: [400, 404, 409],
    async handler({ env, session, params, req }) {
      const image = await env.images.find(session, params.id!, { own: true });
      const spec = patchSpec(image, req.body);
      return imageView(await env.patch(session, image, { spec }), env.lookup);
    },
  }),
  route({
    method: 'DELETE',
    path: '/v2/images/:id',
    summary: 'Delete an image (not a protected one)',
    auth: 'project',
    status: 204,
    errors: [404, 409],
    async handler({ env, session, params }) {
      const image = await env.images.find(session, params.id!, { own: true });
      if (image.spec.protected)
        throw forbidden(`Image ${image.metadata.uid} is protected and cannot be deleted.`);
      await env.images.delete(session, image);
    },
  }),
];
