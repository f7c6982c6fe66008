// The caller's own user and projects. Users are administered as User CRs, not through
// Keystone; another user's id is refused with 403 whether it exists or not.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { ProjectObject } from '../../kinds/project.js';
import type { UserObject } from '../../kinds/user.js';
import { baseUrl, sessionOf, type ApiDeps } from '../context.js';
import { forbidden } from '../errors.js';
import { projectsOf } from './projects.js';
import { projectsView } from './views/project.js';
import { userView, type UserLookup } from './views/user.js';

/** The user the path names, which must be the caller. */
function ownUser(req: Request, res: Response): UserObject {
  const session = sessionOf(res);
  const id = String(req.params.id);
  if (id !== session.user.metadata.uid) {
    // Not revealing whether another user exists: Keystone's policy answers 403 either way.
    throw forbidden('You are not authorized to perform the requested action: identity:get_user.');
  }
  return session.user;
}

export function userRoutes(router: Router, deps: ApiDeps, auth: RequestHandler): void {
  const lookup: UserLookup = {
    projectUid: (name) => deps.cache.get<ProjectObject>('projects', name)?.metadata.uid,
  };

  router.get('/v3/users/:id', auth, (req, res) => {
    const user = ownUser(req, res);
    res.json({ user: userView(user, baseUrl(deps, req), lookup) });
  });

  router.get('/v3/users/:id/projects', auth, async (req, res) => {
    const user = ownUser(req, res);
    const base = baseUrl(deps, req);
    const projects = await projectsOf(deps, user.metadata.name!);
    res.json(projectsView(projects, base, `${base}/identity/v3${req.path}`));
  });
}
