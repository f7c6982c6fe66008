// Nova servers: GET /servers, /servers/detail, /servers/{id}; PUT and DELETE /servers/{id}.
// (POST /servers is server-create.ts; POST /servers/{id}/action is server-actions.ts.)
// A server is found by id in the caller's project only: another project's server and no
// server at all are the same 404.
import type { FlavorObject } from '../../kinds/flavor.js';
import type { InstanceObject } from '../../kinds/instance.js';
import { served } from '../cache.js';
import { authorize, page, queryText } from '../common.js';
import { badRequest, notFound } from '../errors.js';
import { parseBody } from '../validation.js';
import type { Handler, NovaRequest } from './context.js';
import { filterServers, newestFirst } from './server-filters.js';
import { serverUpdate } from './schemas.js';
import { serverDetail, serverSummary } from './views/servers.js';

/** The server with this id in the caller's project, else 404 (InstanceNotFound). */
export function findServer({ deps, session, params }: NovaRequest): InstanceObject {
  const inst = deps.cache.byUid<InstanceObject>('instances', params.id!, [session.namespace]);
  if (!inst) throw notFound(`Instance ${params.id} could not be found.`, 'InstanceNotFound');
  return inst;
}

const authorizeRead = ({ deps, session }: NovaRequest, verb: 'get' | 'list') =>
  authorize(deps, session, { verb, resource: 'instances', namespace: session.namespace });

const detailOf = ({ base, session, lookup }: NovaRequest, inst: InstanceObject) =>
  serverDetail(inst, base, session.project.metadata.uid!, lookup);

export const listServers =
  (detail: boolean): Handler =>
  async (request) => {
    const { deps, session, base, query, lookup } = request;
    await authorizeRead(request, 'list');
    const servers = filterServers(
      deps.cache.list<InstanceObject>('instances', session.namespace).sort(newestFirst),
      query,
      { image: lookup.image, flavorById: (id) => deps.cache.byUid<FlavorObject>('flavors', id) },
    );
    const paged = page(servers, (s) => s.metadata.uid!, query.marker, query.limit);
    if (paged.markerMissing) throw badRequest(`marker [${queryText(query.marker)}] not found`);
    const next = `${base}/compute/v2.1/servers${detail ? '/detail' : ''}?limit=${queryText(query.limit)}&marker=${paged.items.at(-1)?.metadata.uid}`;
    return {
      body: {
        servers: paged.items.map((s) => (detail ? detailOf(request, s) : serverSummary(s, base))),
        ...(paged.more ? { servers_links: [{ rel: 'next', href: next }] } : {}),
      },
    };
  };

export const showServer: Handler = async (request) => {
  await authorizeRead(request, 'get');
  return { body: { server: detailOf(request, findServer(request)) } };
};

/** Renames a server; the other fields Nova takes here are accepted and ignored. */
export const updateServer: Handler = async (request) => {
  const { server } = parseBody(serverUpdate, request.body);
  let inst = findServer(request);
  if (server.name !== undefined) {
    inst = await request
      .client()
      .patch<InstanceObject>(
        served.instances,
        inst.metadata.name!,
        request.session.namespace,
        { spec: { displayName: server.name } },
        'merge',
      );
    inst = await request.deps.cache.waitFor('instances', inst);
  }
  return { body: { server: detailOf(request, inst) } };
};

export const deleteServer: Handler = async (request) => {
  const inst = findServer(request);
  await request
    .client()
    .delete(served.instances, inst.metadata.name!, request.session.namespace, { uid: inst.metadata.uid });
  await request.deps.cache.waitFor('instances', inst, { gone: true });
  return { status: 204 };
};
