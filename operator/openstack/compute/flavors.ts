// Nova flavors: GET /flavors, /flavors/detail, /flavors/{id}, /flavors/{id}/os-extra_specs.
// Flavors are cluster-scoped; tenants see the public ones.
import type { FlavorObject } from '../../kinds/flavor.js';
import { authorize, page, queryText } from '../common.js';
import { badRequest, notFound } from '../errors.js';
import type { Handler, NovaRequest } from './context.js';
import { visibleFlavors } from './lookup.js';
import { flavorView } from './views/flavors.js';

export const listFlavors =
  (detail: boolean): Handler =>
  async ({ deps, session, base, query }) => {
    await authorize(deps, session, { verb: 'list', resource: 'flavors' });
    let flavors = visibleFlavors(deps);
    const minRam = Number(query.minRam ?? 0);
    const minDisk = Number(query.minDisk ?? 0);
    if (minRam) flavors = flavors.filter((f) => f.spec.ramMiB >= minRam);
    if (minDisk) flavors = flavors.filter((f) => f.spec.diskGiB >= minDisk);
    const paged = page(flavors, (f) => f.metadata.uid!, query.marker, query.limit);
    if (paged.markerMissing) throw badRequest(`marker [${queryText(query.marker)}] not found`);
    const next = `${base}/compute/v2.1/flavors${detail ? '/detail' : ''}?marker=${paged.items.at(-1)?.metadata.uid}`;
    return {
      body: {
        flavors: paged.items.map((f) => flavorView(f, base, detail)),
        ...(paged.more ? { flavors_links: [{ rel: 'next', href: next }] } : {}),
      },
    };
  };

/** The public flavor with this id, after RBAC allows listing flavors; 404 otherwise. */
async function findFlavor({ deps, session, params }: NovaRequest): Promise<FlavorObject> {
  await authorize(deps, session, { verb: 'list', resource: 'flavors' });
  const flavor = visibleFlavors(deps).find((f) => f.metadata.uid === params.id);
  if (!flavor) throw notFound(`Flavor ${params.id} could not be found.`, 'FlavorNotFound');
  return flavor;
}

export const showFlavor: Handler = async (request) => ({
  body: { flavor: flavorView(await findFlavor(request), request.base, true) },
});

export const flavorExtraSpecs: Handler = async (request) => ({
  body: { extra_specs: (await findFlavor(request)).spec.extraSpecs ?? {} },
});
