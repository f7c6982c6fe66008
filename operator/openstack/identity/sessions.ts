// Who a token stands for, re-checked on every request: a token is only as good as its user,
// its project and the user's roles there are now. "Has a role on the project" is what
// Kubernetes RBAC says the impersonated user may do in the project's namespace (reader: list
// instances; member: create them; admin: read its RoleBindings) — the API never decides
// tenancy itself.
import type { NextFunction, Request, Response } from 'express';
import type { ProjectObject } from '../../kinds/project.js';
import type { UserObject } from '../../kinds/user.js';
import type { ApiDeps, ProjectRoleName, Session } from '../context.js';
import { unauthorized } from '../errors.js';

export type SessionDeps = Pick<ApiDeps, 'cache' | 'impersonation' | 'codec' | 'keys'>;

/** The caller's roles in a project namespace, as RBAC answers for the impersonated user. */
export async function rolesIn(
  deps: Pick<ApiDeps, 'impersonation'>,
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

/** An RFC 3339 time in epoch seconds (undefined when absent or unreadable). */
export const epochSeconds = (iso: string | undefined): number | undefined => {
  const ms = Date.parse(iso ?? '');
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/** Why a user may not hold tokens now, if anything. */
export function userProblem(user: UserObject | undefined): string | undefined {
  if (!user || user.metadata.deletionTimestamp) return 'the user does not exist';
  if (!user.spec.enabled) return 'the user is disabled';
  return undefined;
}

/** Why a project may not be scoped to now, if anything. */
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
export async function authenticate(deps: SessionDeps, token: string): Promise<Session | undefined> {
  const claims = deps.codec.open(token);
  if (!claims || deps.keys.isRevoked(claims.auditIds)) return undefined;
  const user = deps.cache.byUid<UserObject>('users', claims.userUid);
  if (!user || userProblem(user)) return undefined;
  // A password change ends the sessions of the old password, as in Keystone.
  const changed = epochSeconds(user.status?.passwordUpdatedAt);
  if (changed !== undefined && claims.issuedAt < changed) return undefined;
  const userName = user.metadata.name!;
  if (!claims.projectUid) return { token, claims, user, userName, roles: [] };
  const project = deps.cache.byUid<ProjectObject>('projects', claims.projectUid);
  if (!project || projectProblem(project)) return undefined;
  const namespace = project.metadata.name!;
  const roles = await rolesIn(deps, userName, namespace);
  if (roles.length === 0) return undefined;
  return { token, claims, user, userName, project, namespace, roles };
}

/** Requests without a good X-Auth-Token get 401. */
export function requireAuth(deps: SessionDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = req.get('x-auth-token');
    if (!token) throw unauthorized();
    const session = await authenticate(deps, token);
    if (!session) throw unauthorized();
    res.locals.session = session;
    res.locals.user = session.user.metadata.name;
    next();
  };
}
