// The five routes every Neutron resource has — list, show, create, update, delete — once,
// for networks and subnets (and ports, routers, ... next). A resource states only what
// differs: its names, its view, and how its bodies become a spec.
import type { z } from 'zod';
import type { KindDefinition, KindObject } from '../../kinds/kind.js';
import type { ScopedSession } from '../context.js';
import { forbidden } from '../errors.js';
import { collectionLinks, listViews, nextHref, pickFields } from '../framework/listing.js';
import type { CrObjects, SpecInput, SpecPatch } from '../framework/objects.js';
import { routeFor, type Route } from '../framework/route.js';
import type { ServedKind } from '../cache.js';
import type { NeutronEnv } from './env.js';
import type { NeutronLookup } from './views.js';

export const route = routeFor<NeutronEnv>();

/** The spec to create and the object name to try first. */
interface NewObject<D extends KindDefinition> {
  spec: SpecInput<D>;
  name: string;
}

export interface NeutronResource<D extends ServedKind, Create, Update> {
  /** `network`: the body key of one. */
  singular: string;
  /** `networks`: the path and body key of many. */
  collection: string;
  objects(env: NeutronEnv): CrObjects<D>;
  view(object: KindObject<D>, lookup: NeutronLookup): Record<string, unknown> & { id: string };
  create: {
    schema: z.ZodType<Create>;
    /** Error codes beyond the apiserver's (400, 403, 409). */
    errors?: readonly number[];
    spec(env: NeutronEnv, session: ScopedSession, body: Create): NewObject<D> | Promise<NewObject<D>>;
  };
  update: { schema: z.ZodType<Update>; spec(body: Update): SpecPatch<D> };
}

/** Neutron's check of tenant_id/project_id in a create body: only your own project. */
export function checkProject(
  session: ScopedSession,
  body: { tenant_id?: string; project_id?: string },
): void {
  for (const id of [body.tenant_id, body.project_id]) {
    if (id !== undefined && id !== session.project.metadata.uid) {
      throw forbidden('Only admins may create resources for another project.');
    }
  }
}

/** What the apiserver may answer a write made as the caller with (errors.ts faultFromKube). */
const WRITE_ERRORS = [400, 403, 409] as const;

export function crudRoutes<D extends ServedKind, Create, Update>(
  r: NeutronResource<D, Create, Update>,
): Route<NeutronEnv>[] {
  const path = `/v2.0/${r.collection}`;
  const one = (object: KindObject<D>, env: NeutronEnv) => ({ [r.singular]: r.view(object, env.lookup) });
  return [
    route({
      method: 'GET',
      path,
      summary: `List the ${r.collection} you may see: attribute filters, fields, sort_key/sort_dir, limit/marker`,
      auth: 'project',
      status: 200,
      errors: [],
      async handler({ env, session, query, base }) {
        const views = (await r.objects(env).list(session)).map((o) => r.view(o, env.lookup));
        const page = listViews(views, query, { attributeFilters: true, sort: { key: 'id', dir: 'asc' } });
        const next = page.next && nextHref(`${base}/network${path}`, query, page.next, ['limit']);
        return {
          [r.collection]: page.items.map((v) => pickFields(v, query)),
          ...collectionLinks(r.collection, next),
        };
      },
    }),
    route({
      method: 'GET',
      path: `${path}/:id`,
      summary: `Show a ${r.singular} (fields picks attributes)`,
      auth: 'project',
      status: 200,
      errors: [404],
      async handler({ env, session, params, query }) {
        const object = await r.objects(env).find(session, params.id!);
        return { [r.singular]: pickFields(r.view(object, env.lookup), query) };
      },
    }),
    route({
      method: 'POST',
      path,
      summary: `Create a ${r.singular} in your project`,
      auth: 'project',
      body: r.create.schema,
      status: 201,
      errors: [...WRITE_ERRORS, ...(r.create.errors ?? [])],
      async handler({ env, session, body }) {
        const { spec, name } = await r.create.spec(env, session, body);
        return one(await r.objects(env).create(session, spec, name), env);
      },
    }),
    route({
      method: 'PUT',
      path: `${path}/:id`,
      summary: `Update a ${r.singular} of your project`,
      auth: 'project',
      body: r.update.schema,
      status: 200,
      errors: [...WRITE_ERRORS, 404],
      async handler({ env, session, params, body }) {
        const objects = r.objects(env);
        const existing = await objects.find(session, params.id!, { own: true });
        return one(await objects.patch(session, existing, r.update.spec(body)), env);
      },
    }),
    route({
      method: 'DELETE',
      path: `${path}/:id`,
      summary: `Delete a ${r.singular} of your project and wait until it is gone`,
      auth: 'project',
      status: 204,
      errors: [...WRITE_ERRORS, 404],
      async handler({ env, session, params }) {
        const objects = r.objects(env);
        await objects.delete(session, await objects.find(session, params.id!, { own: true }));
      },
    }),
  ];
}
