// Keystone v3: version discovery, tokens (password and token methods; project-scoped by
// name or id, or unscoped), validation and revocation, and the read-only views of the
// caller's projects, user and catalog. Users and projects are the User and Project CRs:
// a user's Keystone id is the User's uid, a project's the Project's uid, and "has a role
// on the project" is whatever Kubernetes RBAC says the impersonated user may do in the
// project's namespace (reader: list instances; member: create them; admin: read its
// RoleBindings) — the shim never decides tenancy itself.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ProjectObject } from '../kinds/project.js';
import type { UserObject } from '../kinds/user.js';

import { hashPassword, verifyPassword } from '../crypto/password.js';
import { loginNameOf } from './cache.js';
import { catalog, stableId } from './catalog.js';
import {
  baseUrl,
  scopedSessionOf,
  sessionOf,
  type ApiDeps,
  type ProjectRoleName,
  type Session,
} from './context.js';
import { ApiFault, badRequest, forbidden, notFound, unauthorized } from './errors.js';
import { addressKey, userKey } from './login-limiter.js';
import { newAuditId, type AuthMethod, type TokenClaims } from './tokens.js';
import { parseBody } from './validation.js';
import { passwordHashSecretName } from '../domain/naming.js';
import { kube, type SecretObject } from '../kinds/external.js';

export const DOMAIN = { id: 'default', name: 'Default' } as const;
export const IDENTITY_VERSION = 'v3.14';

const AUTH_FAILED = 'The request you have made requires authentication.';

// ---- Version discovery -----------------------------------------------------------------

export function identityVersion(base: string) {
  return {
    id: IDENTITY_VERSION,
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

// ---- Request bodies --------------------------------------------------------------------

const domainRef = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(64).optional(),
});

const authBody = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.enum(['password', 'token', 'application_credential', 'totp'])).min(1),
      password: z
        .object({
          user: z.object({
            id: z.string().min(1).max(255).optional(),
            name: z.string().min(1).max(255).optional(),
            domain: domainRef.optional(),
            password: z.string().max(4096),
          }),
        })
        .optional(),
      token: z.object({ id: z.string().min(1).max(1024) }).optional(),
    }),
    scope: z
      .union([
        z.literal('unscoped'),
        z.object({
          project: z
            .object({
              id: z.string().min(1).max(255).optional(),
              name: z.string().min(1).max(255).optional(),
              domain: domainRef.optional(),
            })
            .optional(),
          domain: domainRef.optional(),
          system: z.unknown().optional(),
          'OS-TRUST:trust': z.unknown().optional(),
        }),
      ])
      .optional(),
  }),
});

type AuthBody = z.infer<typeof authBody>;

// ---- Roles and sessions ----------------------------------------------------------------

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
function userProblem(user: UserObject | undefined): string | undefined {
  if (!user || user.metadata.deletionTimestamp) return 'the user does not exist';
  if (!user.spec.enabled) return 'the user is disabled';
  return undefined;
}

function projectProblem(project: ProjectObject | undefined): string | undefined {
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
  const user = deps.cache.byUid<UserObject>('users', claims.userUid);
  if (!user || userProblem(user)) return undefined;
  // A password change ends the sessions of the old password, as in Keystone.
  const changed = epoch(user.status?.passwordUpdatedAt);
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
export function requireAuth(deps: ApiDeps) {
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

// ---- Views -----------------------------------------------------------------------------

const keystoneTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/Z$/, '000Z');

export function roleView(role: ProjectRoleName) {
  return { id: stableId(`role:${role}`), name: role, domain_id: null };
}

export function projectView(project: ProjectObject, base: string) {
  const id = project.metadata.uid!;
  return {
    id,
    name: projectName(project),
    domain_id: DOMAIN.id,
    description: project.spec.description ?? '',
    enabled: project.spec.enabled,
    parent_id: DOMAIN.id,
    is_domain: false,
    tags: project.spec.tags ?? [],
    options: {},
    links: { self: `${base}/identity/v3/projects/${id}` },
  };
}

/** A project's Keystone name: its display name, else the object (and namespace) name. */
export const projectName = (project: ProjectObject): string =>
  project.spec.displayName || project.metadata.name!;

/** A user as Keystone shows it; `defaultProjectId` is the uid of spec.defaultProject, if known. */
export function userView(user: UserObject, base: string, defaultProjectId?: string) {
  const id = user.metadata.uid!;
  return {
    id,
    name: loginNameOf(user),
    domain_id: DOMAIN.id,
    enabled: user.spec.enabled,
    ...(user.spec.email ? { email: user.spec.email } : {}),
    ...(user.spec.description ? { description: user.spec.description } : {}),
    ...(defaultProjectId ? { default_project_id: defaultProjectId } : {}),
    password_expires_at: user.status?.passwordExpiresAt ?? null,
    options: {},
    links: { self: `${base}/identity/v3/users/${id}` },
  };
}

function tokenBody(
  deps: ApiDeps,
  base: string,
  claims: TokenClaims,
  user: UserObject,
  project: ProjectObject | undefined,
  roles: ProjectRoleName[],
  withCatalog: boolean,
) {
  return {
    token: {
      methods: claims.methods,
      user: {
        id: user.metadata.uid,
        name: loginNameOf(user),
        domain: DOMAIN,
        password_expires_at: user.status?.passwordExpiresAt ?? null,
      },
      audit_ids: claims.auditIds,
      issued_at: keystoneTime(claims.issuedAt),
      expires_at: keystoneTime(claims.expiresAt),
      ...(project
        ? {
            project: { id: project.metadata.uid, name: projectName(project), domain: DOMAIN },
            is_domain: false,
            roles: roles.map(roleView),
            ...(withCatalog ? { catalog: catalog(base, deps.config.STRATUS_API_REGION) } : {}),
          }
        : {}),
    },
  };
}

// ---- Password checks -------------------------------------------------------------------

/** At most two scrypt computations at once: each takes 128 MiB. */
class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly slots: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const scryptSlots = new Semaphore(2);
let decoyHash: Promise<string> | undefined;

async function passwordMatches(
  deps: ApiDeps,
  user: UserObject | undefined,
  password: string,
): Promise<boolean> {
  let hash: string | undefined;
  if (user) {
    const secretName = user.status?.passwordHashSecret ?? passwordHashSecretName(user.metadata.name!);
    const secret = await deps.client.get<SecretObject>(
      kube.secrets,
      secretName,
      deps.config.STRATUS_NAMESPACE,
    );
    const encoded = secret?.data?.hash;
    if (encoded) hash = Buffer.from(encoded, 'base64').toString('utf8');
  }
  // No user or no password: spend the same time on a decoy, so timing does not tell
  // which login names exist.
  const target = hash ?? (await (decoyHash ??= hashPassword('decoy')));
  const ok = await scryptSlots.run(() => verifyPassword(password, target));
  return ok && hash !== undefined;
}

// ---- Authentication --------------------------------------------------------------------

function sameDomain(domain: { id?: string; name?: string } | undefined): boolean {
  if (!domain) return true;
  if (domain.id !== undefined && domain.id !== DOMAIN.id) return false;
  if (domain.name !== undefined && domain.name !== DOMAIN.name) return false;
  return true;
}

function findUser(
  deps: ApiDeps,
  ref: { id?: string; name?: string; domain?: { id?: string; name?: string } },
) {
  if (ref.id) return deps.cache.byUid<UserObject>('users', ref.id);
  if (!ref.name)
    throw badRequest("Invalid input for field 'auth/identity/password/user': give the user's id or name");
  if (!ref.domain)
    throw badRequest(
      "Invalid input for field 'auth/identity/password/user/domain': a user name needs its domain",
    );
  if (!sameDomain(ref.domain)) return undefined;
  const matches = deps.cache.userByLogin<UserObject>(ref.name);
  return matches.length === 1 ? matches[0] : undefined;
}

function findProject(
  deps: ApiDeps,
  ref: { id?: string; name?: string; domain?: { id?: string; name?: string } },
) {
  if (ref.id) return deps.cache.byUid<ProjectObject>('projects', ref.id);
  if (!ref.name)
    throw badRequest("Invalid input for field 'auth/scope/project': give the project's id or name");
  if (!ref.domain)
    throw badRequest("Invalid input for field 'auth/scope/project/domain': a project name needs its domain");
  if (!sameDomain(ref.domain)) return undefined;
  const byName = deps.cache.get<ProjectObject>('projects', ref.name);
  if (byName) return byName;
  const byDisplay = deps.cache.list<ProjectObject>('projects').filter((p) => p.spec.displayName === ref.name);
  return byDisplay.length === 1 ? byDisplay[0] : undefined;
}

interface Established {
  user: UserObject;
  methods: AuthMethod[];
  /** For the token method: the original token's claims (its expiry and audit id carry over). */
  from?: TokenClaims;
}

async function establishIdentity(deps: ApiDeps, body: AuthBody, req: Request): Promise<Established> {
  const identity = body.auth.identity;
  const methods = [...new Set(identity.methods)];
  if (methods.length !== 1 || (methods[0] !== 'password' && methods[0] !== 'token')) {
    throw unauthorized(`Unsupported authentication method: ${methods.join(', ')}; use password or token`);
  }
  if (methods[0] === 'token') {
    if (!identity.token)
      throw badRequest("Invalid input for field 'auth/identity/token': it is required by the token method");
    const session = await authenticate(deps, identity.token.id);
    if (!session) throw unauthorized(AUTH_FAILED);
    return { user: session.user, methods: ['token'], from: session.claims };
  }
  const ref = identity.password?.user;
  if (!ref)
    throw badRequest(
      "Invalid input for field 'auth/identity/password/user': it is required by the password method",
    );
  const keys = [
    userKey(ref.id ?? `${ref.domain?.id ?? ref.domain?.name ?? ''}/${ref.name}`),
    addressKey(req.ip ?? ''),
  ];
  const wait = deps.limiter.lockedFor(keys);
  if (wait > 0) {
    throw new ApiFault(
      401,
      `The account is temporarily locked after failed logins; try again in ${Math.ceil(wait / 1000)} s.`,
      'NotAuthenticated',
      {
        'Retry-After': String(Math.ceil(wait / 1000)),
      },
    );
  }
  const user = findUser(deps, ref);
  const matches = await passwordMatches(deps, user, ref.password);
  if (!user || !matches) {
    if (!user?.spec.options?.ignoreLockoutFailureAttempts) deps.limiter.failure(keys);
    else deps.limiter.failure(keys.slice(1));
    deps.logger.info('login failed', { login: ref.name ?? ref.id, address: req.ip });
    throw unauthorized(AUTH_FAILED);
  }
  deps.limiter.success(keys[0]!);
  const problem = userProblem(user);
  if (problem) throw unauthorized(`The account is disabled for user: ${user.metadata.uid}.`);
  const expires = epoch(user.status?.passwordExpiresAt);
  if (expires !== undefined && expires * 1000 <= Date.now() && !user.spec.options?.ignorePasswordExpiry) {
    throw unauthorized(`The password is expired and needs to be changed for user: ${user.metadata.uid}.`);
  }
  return { user, methods: ['password'] };
}

async function resolveScope(
  deps: ApiDeps,
  body: AuthBody,
  user: UserObject,
): Promise<{ project?: ProjectObject; roles: ProjectRoleName[] }> {
  const scope = body.auth.scope;
  const userName = user.metadata.name!;
  if (scope === 'unscoped') return { roles: [] };
  if (scope && (scope.domain || scope.system || scope['OS-TRUST:trust'])) {
    throw unauthorized('Only project-scoped and unscoped tokens are supported; scope to a project.');
  }
  if (!scope?.project) {
    // Keystone scopes a login without a scope to the default project, when the user has one
    // and may use it; otherwise the token is unscoped.
    const name = user.spec.defaultProject;
    const project = name ? deps.cache.get<ProjectObject>('projects', name) : undefined;
    if (!project || projectProblem(project)) return { roles: [] };
    const roles = await rolesIn(deps, userName, project.metadata.name!);
    return roles.length ? { project, roles } : { roles: [] };
  }
  const project = findProject(deps, scope.project);
  const problem = projectProblem(project);
  if (problem || !project) {
    throw unauthorized(`Could not scope to project ${scope.project.id ?? scope.project.name}: ${problem}.`);
  }
  const roles = await rolesIn(deps, userName, project.metadata.name!);
  if (roles.length === 0) {
    throw unauthorized(`User ${user.metadata.uid} has no access to project ${project.metadata.uid}.`);
  }
  return { project, roles };
}

// ---- Routes ----------------------------------------------------------------------------

function subjectSession(deps: ApiDeps) {
  return async (req: Request, res: Response): Promise<Session> => {
    const caller = sessionOf(res);
    const subject = req.get('x-subject-token');
    if (!subject) throw badRequest('X-Subject-Token header is required');
    const session = subject === caller.token ? caller : await authenticate(deps, subject);
    if (!session) throw notFound(`Could not find token: ${subject.slice(0, 12)}...`, 'TokenNotFound');
    // Keystone's default policy: a user may validate and revoke their own tokens.
    if (session.user.metadata.uid !== caller.user.metadata.uid) {
      throw forbidden('You are not authorized to perform the requested action on another user’s token.');
    }
    return session;
  };
}

/** Projects the user has a role in (RBAC decides), in name order. */
async function projectsOf(deps: ApiDeps, userName: string): Promise<ProjectObject[]> {
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

export function identityRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const auth = requireAuth(deps);
  const subject = subjectSession(deps);

  router.get('/', (req, res) => {
    res.status(300).json({ versions: { values: [identityVersion(baseUrl(deps, req))] } });
  });
  router.get(['/v3', '/v3/'], (req, res) => {
    res.json({ version: identityVersion(baseUrl(deps, req)) });
  });

  router.post('/v3/auth/tokens', async (req, res) => {
    const body = parseBody(authBody, req.body);
    const { user, methods, from } = await establishIdentity(deps, body, req);
    const { project, roles } = await resolveScope(deps, body, user);
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      userUid: user.metadata.uid!,
      ...(project ? { projectUid: project.metadata.uid! } : {}),
      methods: from ? [...new Set<AuthMethod>([...from.methods, ...methods])] : methods,
      issuedAt: now,
      // A token obtained with a token lives no longer than the one it came from.
      expiresAt: from ? from.expiresAt : now + deps.config.STRATUS_API_TOKEN_TTL_SECONDS,
      auditIds: from ? [newAuditId(), from.auditIds[0]!] : [newAuditId()],
    };
    const token = deps.codec.seal(claims);
    res.locals.user = user.metadata.name;
    res
      .status(201)
      .set('X-Subject-Token', token)
      .json(
        tokenBody(deps, baseUrl(deps, req), claims, user, project, roles, req.query.nocatalog === undefined),
      );
  });

  router.get('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subject(req, res);
    res
      .set('X-Subject-Token', session.token)
      .json(
        tokenBody(
          deps,
          baseUrl(deps, req),
          session.claims,
          session.user,
          session.project,
          session.roles,
          req.query.nocatalog === undefined,
        ),
      );
  });
  router.head('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subject(req, res);
    res.status(200).set('X-Subject-Token', session.token).end();
  });
  router.delete('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subject(req, res);
    await deps.keys.revoke(session.claims.auditIds[0]!, session.claims.expiresAt);
    deps.logger.info('token revoked', { user: session.userName, auditId: session.claims.auditIds[0] });
    res.status(204).end();
  });

  router.get('/v3/auth/catalog', auth, (req, res) => {
    scopedSessionOf(res);
    res.json({
      catalog: catalog(baseUrl(deps, req), deps.config.STRATUS_API_REGION),
      links: { self: `${baseUrl(deps, req)}/identity/v3/auth/catalog`, previous: null, next: null },
    });
  });

  const listProjects = async (req: Request, res: Response) => {
    const session = sessionOf(res);
    const base = baseUrl(deps, req);
    let projects = await projectsOf(deps, session.userName);
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    if (name !== undefined) projects = projects.filter((p) => projectName(p) === name);
    res.json({
      projects: projects.map((p) => projectView(p, base)),
      links: { self: `${base}/identity/v3${req.path}`, previous: null, next: null },
    });
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

  const ownUser = (req: Request, res: Response): UserObject => {
    const session = sessionOf(res);
    const id = String(req.params.id);
    if (id !== session.user.metadata.uid) {
      // Not revealing whether another user exists: Keystone's policy answers 403 either way.
      throw forbidden('You are not authorized to perform the requested action: identity:get_user.');
    }
    return session.user;
  };
  router.get('/v3/users/:id', auth, (req, res) => {
    const user = ownUser(req, res);
    const defaultProject = user.spec.defaultProject
      ? deps.cache.get<ProjectObject>('projects', user.spec.defaultProject)
      : undefined;
    res.json({ user: userView(user, baseUrl(deps, req), defaultProject?.metadata.uid) });
  });
  router.get('/v3/users/:id/projects', auth, async (req, res) => {
    const user = ownUser(req, res);
    const base = baseUrl(deps, req);
    const projects = await projectsOf(deps, user.metadata.name!);
    res.json({
      projects: projects.map((p) => projectView(p, base)),
      links: { self: `${base}/identity/v3${req.path}`, previous: null, next: null },
    });
  });

  router.get('/v3/domains/:id', auth, (req, res) => {
    if (req.params.id !== DOMAIN.id)
      throw notFound(`Could not find domain: ${String(req.params.id)}.`, 'DomainNotFound');
    res.json({
      domain: {
        ...DOMAIN,
        description: 'The default domain',
        enabled: true,
        tags: [],
        options: {},
        links: { self: `${baseUrl(deps, req)}/identity/v3/domains/default` },
      },
    });
  });
  return router;
}
