// The service catalog of a project-scoped token, and the one domain.
import { notFound } from '../errors.js';
import { route } from './route.js';
import { DOMAIN, domainView } from './views/domain.js';

export const catalogRoutes = [
  route({
    method: 'GET',
    path: '/v3/auth/catalog',
    summary: 'The service catalog (needs a project-scoped token)',
    auth: 'project',
    status: 200,
    errors: [],
    handler: ({ env, base }) => ({
      catalog: env.catalog(base),
      links: { self: `${base}/identity/v3/auth/catalog`, previous: null, next: null },
    }),
  }),
  route({
    method: 'GET',
    path: '/v3/domains/:id',
    summary: 'The default domain (the only one)',
    auth: 'token',
    status: 200,
    errors: [404],
    handler({ params, base }) {
      if (params.id !== DOMAIN.id) throw notFound(`Could not find domain: ${params.id}.`, 'DomainNotFound');
      return { domain: domainView(base) };
    },
  }),
];
