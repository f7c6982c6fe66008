// Nova v2.1 (flavors, keypairs, servers and their actions, limits) over Flavor, KeyPair,
// Instance and Project objects: the routes in Nova's order, each to its resource's module.
import express, { type Request, type Response, type Router } from 'express';
import { baseUrl, type ApiDeps } from '../context.js';
import { requireAuth } from '../identity.js';
import { novaRequest, type Handler } from './context.js';
import { flavorExtraSpecs, listFlavors, showFlavor } from './flavors.js';
import { createKeyPair, deleteKeyPair, listKeyPairs, showKeyPair } from './keypairs.js';
import { showLimits } from './limits.js';
import { microversionHeaders, requestedMicroversion } from './microversion.js';
import { serverAction } from './server-actions.js';
import { createServer } from './server-create.js';
import { deleteServer, listServers, showServer, updateServer } from './servers.js';
import { computeVersion } from './views/versions.js';

type Method = 'get' | 'post' | 'put' | 'delete';

/** The v2.1 routes, in order (Nova's routes.py): method, path, handler. */
const routes: Array<[Method, string, Handler]> = [
  ['get', '/flavors', listFlavors(false)],
  ['get', '/flavors/detail', listFlavors(true)],
  ['get', '/flavors/:id', showFlavor],
  ['get', '/flavors/:id/os-extra_specs', flavorExtraSpecs],
  ['get', '/os-keypairs', listKeyPairs],
  ['get', '/os-keypairs/:name', showKeyPair],
  ['post', '/os-keypairs', createKeyPair],
  ['delete', '/os-keypairs/:name', deleteKeyPair],
  ['get', '/servers', listServers(false)],
  ['get', '/servers/detail', listServers(true)],
  ['get', '/servers/:id', showServer],
  ['post', '/servers', createServer],
  ['put', '/servers/:id', updateServer],
  ['delete', '/servers/:id', deleteServer],
  ['post', '/servers/:id/action', serverAction],
  ['get', '/limits', showLimits],
];

export function computeRouter(deps: ApiDeps): Router {
  const router = express.Router();
  router.get('/', (req, res) => void res.json({ versions: [computeVersion(baseUrl(deps, req))] }));
  router.get(
    ['/v2.1', '/v2.1/'],
    (req, res) => void res.json({ version: computeVersion(baseUrl(deps, req)) }),
  );

  router.use('/v2.1', (req, res, next) => {
    const version = requestedMicroversion({
      openstack: req.get('openstack-api-version'),
      legacy: req.get('x-openstack-nova-api-version'),
    });
    res.set(microversionHeaders(version));
    next();
  });
  const v21 = express.Router();
  for (const [method, path, handler] of routes) {
    v21[method](path, async (req: Request, res: Response) => {
      const reply = await handler(novaRequest(deps, req, res));
      res.status(reply.status ?? 200).set(reply.headers ?? {});
      if (reply.body === undefined) res.end();
      else res.json(reply.body);
    });
  }
  router.use('/v2.1', requireAuth(deps), v21);
  return router;
}
