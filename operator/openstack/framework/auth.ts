// Token authentication for every service: X-Auth-Token → the session it stands for, or 401.
// A session is only as good as the cluster says now — the token's user and project must
// still exist and be enabled, the password unchanged since it was issued, and RBAC must
// still grant the user a role in the project — so a token dies with any of them.
import type { NextFunction, Request, Response } from 'express';
import type { ProjectObject } from '../../kinds/project.js';
import type { UserObject } from '../../kinds/user.js';
import type { ApiDeps, ProjectRoleName, Session } from '../context.js';
import { forbidden, unauthorized } from '../errors.js';
import type { AuthLevel, SessionFor } from './route.js';
import { Project, User } from '../../kinds/index.js';

/** The caller's roles in a project namespace, as RBAC answers for the impersonated user. */
export async function rolesIn(
  deps: ApiDeps,
  userName: string,
  namespace: string,
): Promise<ProjectRoleName[]> {
  const can = deps.impersonation;
  const [reader, member, admin] = await Promise.all([
    can.can(userName, { verb: 'list', resource: 'instances', namespace }),
    can.can(userName, { verb: 'create', resource: 'instances', namespace }),
    can.can(userName, {
      verb: 'list',
      resource: 'rolebindings',
      group: 'rbac.authorization.k8s.io',
      namespace,
    }),
  ]);
  const roles: ProjectRoleName[] = [];
  if (reader) roles.push('reader');
  if (member) roles.push('member');
  if (admin && member) roles.push('admin');
  return roles;
}

const epoch = (iso: string | undefined): number | undefined => {
  const ms = Date.parse(iso ?? '');
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/** Why a user may not hold tokens now, if anything. */
export function userProblem(user: UserObject | undefined): string | undefined {
  if (!user || user.metadata.deletionTimestamp) return 'the user does not exist';
  if (!user.spec.enabled) return 'the user is disabled';
  return undefined;
}

/** Why a project may not be the scope of a token now, if anything. */
export function projectProblem(project: ProjectObject | undefined): string | undefined {
  if (!project || project.metadata.deletionTimestamp) return 'the project does not exist';
  if (!project.spec.enabled) return 'the project is disabled';
  return undefined;
}

/**
 * The session a token stands for, or undefined when it is not (or no longer) good: forged,
 * expired, revoked, its user gone, disabled or with a newer password, its project gone,
 * disabled or no longer granting the user any role.
 */
export async function authenticate(deps: ApiDeps, token: string): Promise<Session | undefined> {
  const claims = deps.codec.open(token);
  if (!claims || deps.keys.isRevoked(claims.auditIds)) return undefined;
  const user = deps.cache.byUid(User, claims.userUid);
  if (!user || userProblem(user)) return undefined;
  // A password change ends the sessions of the old password, as in Keystone.
  const changed = epoch(user.status?.passwordUpdatedAt);
  if (changed !== undefined && claims.issuedAt < changed) return undefined;
  const userName = user.metadata.name!;
  if (!claims.projectUid) return { token, claims, user, userName, roles: [] };
  const project = deps.cache.byUid(Project, claims.projectUid);
  if (!project || projectProblem(project)) return undefined;
  const namespace = project.metadata.name!;
  const roles = await rolesIn(deps, userName, namespace);
  if (roles.length === 0) return undefined;
  return { token, claims, user, userName, project, namespace, roles };
}

/**
 * The session a route at `level` runs with: 401 without a good token, 403 when the route
 * needs a project and the token has none. The user's name goes to the request log.
 */
export async function sessionFor<A extends AuthLevel>(
  deps: ApiDeps,
  level: A,
  req: Request,
  res: Response,
): Promise<SessionFor<A>> {
  if (level === 'none') return undefined as SessionFor<A>;
  const token = req.get('x-auth-token');
  const session = token ? await authenticate(deps, token) : undefined;
  if (!session) throw unauthorized();
  res.locals.session = session;
  res.locals.user = session.user.metadata.name;
  if (level === 'project' && (!session.project || !session.namespace)) {
    throw forbidden('this request needs a project-scoped token; authenticate with a project');
  }
  return session as SessionFor<A>;
}

/** Express middleware for routers not yet on a route table: a good token or 401. */
export function requireAuth(deps: ApiDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    await sessionFor(deps, 'token', req, res);
    next();
  };
}
