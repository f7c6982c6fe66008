// Glance v2 as a service of the registry, under /image: images (list with filters and
// `next` paging, show, create, update by JSON patch, delete), tags, data upload and the
// schemas clients ask for. Images are Image objects in the project's namespace; public
// ones live in the shared namespace and are listed to everyone whom RBAC lets read it.
import { defineService } from '../framework/service.js';
import { dataRoutes } from './data.js';
import { route, wireGlance } from './env.js';
import { imageRoutes } from './images.js';
import { tagRoutes } from './tags.js';
import { imageSchema, imagesSchema } from './views/schemas.js';
import { imageVersions } from './views/version.js';

const schemaRoutes = [
  route({
    method: 'GET',
    path: '/v2/schemas/image',
    summary: 'The JSON schema of an image',
    auth: 'token',
    status: 200,
    errors: [],
    handler: () => imageSchema(),
  }),
  route({
    method: 'GET',
    path: '/v2/schemas/images',
    summary: 'The JSON schema of the image list',
    auth: 'token',
    status: 200,
    errors: [],
    handler: () => imagesSchema(),
  }),
];

export const imageService = defineService({
  type: 'image',
  name: 'glance',
  title: 'Glance (image) v2',
  prefix: '/image',
  endpointSuffix: '',
  errorFormat: 'image',
  versions: [
    {
      paths: ['/'],
      status: 300,
      summary: 'The versions of the API (v2.0 to v2.5, one implementation)',
      document: (base) => ({ versions: imageVersions(base) }),
    },
    {
      paths: ['/versions', '/v2', '/v2/'],
      status: 200,
      summary: 'The same list of versions',
      document: (base) => ({ versions: imageVersions(base) }),
    },
  ],
  wire: wireGlance,
  routes: [...schemaRoutes, ...imageRoutes, ...tagRoutes, ...dataRoutes],
});
