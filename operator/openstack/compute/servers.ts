// Nova servers: Instance objects of the caller's project. A server is found by id in the
// caller's project only (framework/objects.ts): another project's server and no server at
// all are the same 404. A server being deleted is still shown (task_state deleting).
import type { InstanceObject } from '../../kinds/instance.js';
import { toDnsLabel } from '../common.js';
import { queryText, collectionLinks, paginate } from '../framework/listing.js';
import { reply } from '../framework/route.js';
import { NOVA_PAGES, route, type NovaContext } from './env.js';
import { instanceSpec } from './server-create.js';
import { filterServers, newestFirst } from './server-filters.js';
import { serverCreate, serverUpdate } from './schemas.js';
import { serverCreated, serverDetail, serverSummary } from './views/servers.js';

const detailOf = ({ env, base, session }: NovaContext, inst: InstanceObject) =>
  serverDetail(inst, base, session.project.metadata.uid!, env.lookup);

const listServers = (detail: boolean) =>
  route({
    method: 'GET',
    path: `/v2.1/servers${detail ? '/detail' : ''}`,
    summary: `List your project's servers${detail ? ' in detail' : ''}: name, ip (regular expressions), status, flavor, image, changes-since, limit/marker`,
    auth: 'project',
    status: 200,
    errors: [400],
    async handler(context) {
      const { env, session, query, base } = context;
      const servers = filterServers((await env.servers.list(session)).sort(newestFirst), query, {
        image: env.lookup.image,
        flavorById: env.refs.flavorById,
      });
      const page = paginate(servers, (s) => s.metadata.uid!, query, NOVA_PAGES);
      const path = `${base}/compute/v2.1/servers${detail ? '/detail' : ''}`;
      return {
        servers: page.items.map((s) => (detail ? detailOf(context, s) : serverSummary(s, base))),
        ...collectionLinks(
          'servers',
          page.next && `${path}?limit=${queryText(query.limit)}&marker=${page.next}`,
        ),
      };
    },
  });

export const serverRoutes = [
  listServers(false),
  listServers(true),
  route({
    method: 'GET',
    path: '/v2.1/servers/:id',
    summary: 'Show a server of your project',
    auth: 'project',
    status: 200,
    errors: [404],
    handler: async (context) => ({
      server: detailOf(context, await context.env.servers.find(context.session, context.params.id!)),
    }),
  }),
  route({
    method: 'POST',
    path: '/v2.1/servers',
    summary: 'Create a server from an image (one per request) and answer once it is recorded',
    auth: 'project',
    body: serverCreate,
    status: 202,
    errors: [400, 409],
    async handler(context) {
      const { env, session, base, body } = context;
      const spec = await instanceSpec(context, body.server);
      const created = await env.servers.create(session, spec, toDnsLabel(body.server.name, 'server'));
      const server = serverCreated(created, base, body.server.security_groups);
      return reply({ server }, { headers: { Location: server.links[0]!.href } });
    },
  }),
  route({
    method: 'PUT',
    path: '/v2.1/servers/:id',
    summary: 'Rename a server (other fields are accepted and ignored)',
    auth: 'project',
    body: serverUpdate,
    status: 200,
    errors: [400, 404, 409],
    async handler(context) {
      const { env, session, params, body } = context;
      let inst = await env.servers.find(session, params.id!);
      if (body.server.name !== undefined)
        inst = await env.servers.patch(session, inst, { displayName: body.server.name });
      return { server: detailOf(context, inst) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/v2.1/servers/:id',
    summary: 'Delete a server and answer once its deletion has begun',
    auth: 'project',
    status: 204,
    errors: [404, 409],
    async handler({ env, session, params }) {
      await env.servers.delete(session, await env.servers.find(session, params.id!));
    },
  }),
];
