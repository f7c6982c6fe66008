// What the Keystone handlers share, wired once per process: logging in, the caller's
// projects as RBAC grants them, token revocation, the catalog, and the view lookup.
import type { ProjectObject } from '../../kinds/project.js';
import { catalog, type CatalogEntry } from '../catalog.js';
import type { ApiDeps, Session } from '../context.js';
import { authenticate, projectProblem } from '../framework/auth.js';
import type { TokenClaims } from '../tokens.js';
import { login, type Login } from './login.js';
import type { AuthRequest } from './schemas.js';
import type { UserLookup } from './views/user.js';
import { Project } from '../../kinds/index.js';

export interface IdentityEnv {
  /** Authenticate and scope a token request (POST /v3/auth/tokens); `address` for the lockout. */
  login(request: AuthRequest, address: string): Promise<Login>;
  /** The token for these claims. */
  seal(claims: TokenClaims): string;
  /** The session a token stands for, if it is good. */
  authenticate(token: string): Promise<Session | undefined>;
  /** Revoke the token of a session (and, through its audit id, what was rescoped from it). */
  revoke(session: Session): Promise<void>;
  /** Projects the user has a role in (RBAC decides), in name order. */
  projectsOf(userName: string): Promise<ProjectObject[]>;
  /** The project with this id, if the user has a role in it. */
  projectFor(userName: string, id: string): Promise<ProjectObject | undefined>;
  catalog(base: string): CatalogEntry[];
  lookup: UserLookup;
}

/** May `userName` list instances in the project: the reader role's defining right. */
const readsProject = (deps: ApiDeps, userName: string, project: ProjectObject): Promise<boolean> =>
  deps.impersonation.can(userName, {
    verb: 'list',
    resource: 'instances',
    namespace: project.metadata.name!,
  });

async function projectsOf(deps: ApiDeps, userName: string): Promise<ProjectObject[]> {
  const all = deps.cache
    .list(Project)
    .filter((p) => !projectProblem(p))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const visible: ProjectObject[] = [];
  // A few reviews at a time: the answers are cached, the first listing pays for them.
  for (let i = 0; i < all.length; i += 8) {
    const batch = all.slice(i, i + 8);
    const allowed = await Promise.all(batch.map((p) => readsProject(deps, userName, p)));
    batch.forEach((p, j) => allowed[j] && visible.push(p));
  }
  return visible;
}

export function wireIdentity(deps: ApiDeps): IdentityEnv {
  return {
    login: (request, address) => login(deps, request, address),
    seal: (claims) => deps.codec.seal(claims),
    authenticate: (token) => authenticate(deps, token),
    async revoke(session) {
      await deps.keys.revoke(session.claims.auditIds[0]!, session.claims.expiresAt);
      deps.logger.info('token revoked', { user: session.userName, auditId: session.claims.auditIds[0] });
    },
    projectsOf: (userName) => projectsOf(deps, userName),
    async projectFor(userName, id) {
      const project = deps.cache.byUid(Project, id);
      return project && (await readsProject(deps, userName, project)) ? project : undefined;
    },
    catalog: (base) => catalog(base, deps.config.STRATUS_API_REGION),
    lookup: {
      projectUid: (name) => deps.cache.get(Project, name)?.metadata.uid,
    },
  };
}
