// The caller's projects (/v3/auth/projects, /v3/projects) and one project by id. A project
// is visible to whoever RBAC lets list instances in its namespace; any other id is 404, so
// nobody learns which projects exist.
import { notFound } from '../errors.js';
import type { RouteContext } from '../framework/route.js';
import type { IdentityEnv } from './env.js';
import { route } from './route.js';
import { projectName, projectsView, projectView } from './views/project.js';

async function listProjects({ env, session, query, base, req }: RouteContext<IdentityEnv, 'token'>) {
  let projects = await env.projectsOf(session.userName);
  const name = typeof query.name === 'string' ? query.name : undefined;
  if (name !== undefined) projects = projects.filter((p) => projectName(p) === name);
  return projectsView(projects, base, `${base}/identity/v3${req.path}`);
}

/** The same list under both of Keystone's paths. */
const listRoute = (path: string) =>
  route({
    method: 'GET',
    path,
    summary: 'The projects the caller has a role in (?name= filters)',
    auth: 'token',
    status: 200,
    errors: [],
    handler: listProjects,
  });

export const projectRoutes = [
  listRoute('/v3/auth/projects'),
  listRoute('/v3/projects'),
  route({
    method: 'GET',
    path: '/v3/projects/:id',
    summary: 'A project the caller has a role in',
    auth: 'token',
    status: 200,
    errors: [404],
    async handler({ env, session, params, base }) {
      const id = params.id!;
      const project = await env.projectFor(session.userName, id);
      if (!project) throw notFound(`Could not find project: ${id}.`, 'ProjectNotFound');
      return { project: projectView(project, base) };
    },
  }),
];
