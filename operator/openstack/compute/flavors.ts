// Nova flavors: cluster-scoped Flavor objects; tenants see the public ones, smallest first.
import type { FlavorObject } from '../../kinds/flavor.js';
import { notFound } from '../errors.js';
import { collectionLinks, paginate } from '../framework/listing.js';
import { NOVA_PAGES, route, type NovaContext } from './env.js';
import { flavorView } from './views/flavors.js';

async function publicFlavors({ env, session }: NovaContext): Promise<FlavorObject[]> {
  await env.access.authorize(session, { verb: 'list', resource: 'flavors' });
  return env.refs.publicFlavors();
}

/** The public flavor with this id, else 404: a flavor's name is not its id. */
async function findFlavor(context: NovaContext): Promise<FlavorObject> {
  const id = context.params.id!;
  const flavor = (await publicFlavors(context)).find((f) => f.metadata.uid === id);
  if (!flavor) throw notFound(`Flavor ${id} could not be found.`, 'FlavorNotFound');
  return flavor;
}

const listFlavors = (detail: boolean) =>
  route({
    method: 'GET',
    path: `/v2.1/flavors${detail ? '/detail' : ''}`,
    summary: `List the public flavors${detail ? ' with their sizes' : ''}: minRam, minDisk, limit/marker`,
    auth: 'project',
    status: 200,
    errors: [400],
    async handler(context) {
      const { query, base } = context;
      const minRam = Number(query.minRam ?? 0);
      const minDisk = Number(query.minDisk ?? 0);
      const flavors = (await publicFlavors(context)).filter(
        (f) => (!minRam || f.spec.ramMiB >= minRam) && (!minDisk || f.spec.diskGiB >= minDisk),
      );
      const page = paginate(flavors, (f) => f.metadata.uid!, query, NOVA_PAGES);
      const path = `${base}/compute/v2.1/flavors${detail ? '/detail' : ''}`;
      return {
        flavors: page.items.map((f) => flavorView(f, base, detail)),
        ...collectionLinks('flavors', page.next && `${path}?marker=${page.next}`),
      };
    },
  });

export const flavorRoutes = [
  listFlavors(false),
  listFlavors(true),
  route({
    method: 'GET',
    path: '/v2.1/flavors/:id',
    summary: 'Show a public flavor',
    auth: 'project',
    status: 200,
    errors: [404],
    handler: async (context) => ({ flavor: flavorView(await findFlavor(context), context.base, true) }),
  }),
  route({
    method: 'GET',
    path: '/v2.1/flavors/:id/os-extra_specs',
    summary: "A public flavor's extra specs",
    auth: 'project',
    status: 200,
    errors: [404],
    handler: async (context) => ({ extra_specs: (await findFlavor(context)).spec.extraSpecs ?? {} }),
  }),
];
