// What needs no resource of its own: version discovery, the one domain and the catalog.
import type { RequestHandler, Router } from 'express';
import { catalog } from '../catalog.js';
import { baseUrl, scopedSessionOf, type ApiDeps } from '../context.js';
import { notFound } from '../errors.js';
import { DOMAIN, domainView } from './views/domain.js';
import { identityVersion } from './views/version.js';

export function discoveryRoutes(router: Router, deps: ApiDeps, auth: RequestHandler): void {
  router.get('/', (req, res) => {
    res.status(300).json({ versions: { values: [identityVersion(baseUrl(deps, req))] } });
  });
  router.get(['/v3', '/v3/'], (req, res) => {
    res.json({ version: identityVersion(baseUrl(deps, req)) });
  });

  router.get('/v3/auth/catalog', auth, (req, res) => {
    scopedSessionOf(res);
    const base = baseUrl(deps, req);
    res.json({
      catalog: catalog(base, deps.config.STRATUS_API_REGION),
      links: { self: `${base}/identity/v3/auth/catalog`, previous: null, next: null },
    });
  });

  router.get('/v3/domains/:id', auth, (req, res) => {
    if (req.params.id !== DOMAIN.id)
      throw notFound(`Could not find domain: ${String(req.params.id)}.`, 'DomainNotFound');
    res.json({ domain: domainView(baseUrl(deps, req)) });
  });
}
