// The caller's own user and projects. Users are administered as User CRs, not through
// Keystone; another user's id is refused with 403 whether it exists or not.
import type { UserObject } from '../../kinds/user.js';
import type { Session } from '../context.js';
import { forbidden } from '../errors.js';
import { route } from './route.js';
import { projectsView } from './views/project.js';
import { userView } from './views/user.js';

/** The user the path names, which must be the caller. */
function ownUser(session: Session, id: string | undefined): UserObject {
  if (id !== session.user.metadata.uid) {
    // Not revealing whether another user exists: Keystone's policy answers 403 either way.
    throw forbidden('You are not authorized to perform the requested action: identity:get_user.');
  }
  return session.user;
}

export const userRoutes = [
  route({
    method: 'GET',
    path: '/v3/users/:id',
    summary: 'The caller’s own user',
    auth: 'token',
    status: 200,
    errors: [403],
    handler({ env, session, params, base }) {
      return { user: userView(ownUser(session, params.id), base, env.lookup) };
    },
  }),
  route({
    method: 'GET',
    path: '/v3/users/:id/projects',
    summary: 'The projects the caller has a role in',
    auth: 'token',
    status: 200,
    errors: [403],
    async handler({ env, session, params, base, req }) {
      const user = ownUser(session, params.id);
      const projects = await env.projectsOf(user.metadata.name!);
      return projectsView(projects, base, `${base}/identity/v3${req.path}`);
    },
  }),
];
