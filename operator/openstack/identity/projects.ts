// The caller's projects (/v3/auth/projects, /v3/projects) and one project by id. A project
// is visible to whoever RBAC lets list instances in its namespace; any other id is 404, so
// nobody learns which projects exist.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { ProjectObject } from '../../kinds/project.js';
import { baseUrl, sessionOf, type ApiDeps } from '../context.js';
import { notFound } from '../errors.js';
import { projectProblem } from './sessions.js';
import { projectName, projectsView, projectView } from './views/project.js';

/** Projects the user has a role in (RBAC decides), in name order. */
export async function projectsOf(
  deps: Pick<ApiDeps, 'cache' | 'impersonation'>,
  userName: string,
): Promise<ProjectObject[]> {
  const all = deps.cache
    .list<ProjectObject>('projects')
    .filter((p) => !projectProblem(p))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const visible: ProjectObject[] = [];
  // A few reviews at a time: the answers are cached, the first listing pays for them.
  for (let i = 0; i < all.length; i += 8) {
    const batch = all.slice(i, i + 8);
    const allowed = await Promise.all(
      batch.map((p) =>
        deps.impersonation.can(userName, {
          verb: 'list',
          resource: 'instances',
          namespace: p.metadata.name!,
        }),
      ),
    );
    batch.forEach((p, j) => allowed[j] && visible.push(p));
  }
  return visible;
}

export function projectRoutes(router: Router, deps: ApiDeps, auth: RequestHandler): void {
  const listProjects = async (req: Request, res: Response) => {
    const session = sessionOf(res);
    const base = baseUrl(deps, req);
    let projects = await projectsOf(deps, session.userName);
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    if (name !== undefined) projects = projects.filter((p) => projectName(p) === name);
    res.json(projectsView(projects, base, `${base}/identity/v3${req.path}`));
  };
  router.get('/v3/auth/projects', auth, listProjects);
  router.get('/v3/projects', auth, listProjects);

  router.get('/v3/projects/:id', auth, async (req, res) => {
    const session = sessionOf(res);
    const id = String(req.params.id);
    const project = deps.cache.byUid<ProjectObject>('projects', id);
    const visible =
      project &&
      (await deps.impersonation.can(session.userName, {
        verb: 'list',
        resource: 'instances',
        namespace: project.metadata.name!,
      }));
    if (!project || !visible) throw notFound(`Could not find project: ${id}.`, 'ProjectNotFound');
    res.json({ project: projectView(project, baseUrl(deps, req)) });
  });
}
