// Glance v2 under /image: images (list with filters and `next` paging, show, create, update
// by JSON patch, delete), tags, data upload and the schemas clients ask for. Images are Image
// objects in the project's namespace; public ones live in the shared namespace and are
// listed to everyone whom RBAC lets read it.
import express, { type Request, type Response, type Router } from 'express';
import { baseUrl, type ApiDeps } from '../context.js';
import { requireAuth } from '../identity/sessions.js';
import { dataRoutes } from './data.js';
import { imageRoutes } from './images.js';
import { tagRoutes } from './tags.js';
import { imageSchema, imagesSchema } from './views/schemas.js';
import { imageVersions } from './views/version.js';

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

  // Everything else under /v2 needs a token, unknown paths included (401 before 404).
  router.use('/v2', auth);
  router.get('/v2/schemas/image', (_req, res) => void res.json(imageSchema()));
  router.get('/v2/schemas/images', (_req, res) => void res.json(imagesSchema()));
  imageRoutes(router, deps);
  tagRoutes(router, deps);
  dataRoutes(router, deps);
  return router;
}
