// POST /v3/auth/tokens, the decision: who the caller is (password or an existing token),
// what the new token is scoped to, and its claims. Failed passwords count towards the login
// lockout (login-limiter.ts) per user name and per client address.
import type { ProjectObject } from '../../kinds/project.js';
import type { UserObject } from '../../kinds/user.js';
import type { ApiDeps, ProjectRoleName } from '../context.js';
import { ApiFault, badRequest, unauthorized } from '../errors.js';
import { authenticate, projectProblem, rolesIn, userProblem } from '../framework/auth.js';
import { addressKey, userKey } from '../login-limiter.js';
import { newAuditId, type AuthMethod, type TokenClaims } from '../tokens.js';
import { passwordMatches } from './passwords.js';
import type { AuthIdentity, AuthRequest, AuthScope, NamedRef } from './schemas.js';
import { isDefaultDomain } from './views/domain.js';
import { Project, User } from '../../kinds/index.js';

export const AUTH_FAILED = 'The request you have made requires authentication.';

type LoginDeps = ApiDeps;

/** An RFC 3339 time in epoch seconds (undefined when absent or unreadable). */
const epochSeconds = (iso: string | undefined): number | undefined => {
  const ms = Date.parse(iso ?? '');
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

function findUser(deps: LoginDeps, ref: NamedRef): UserObject | undefined {
  if (ref.id) return deps.cache.byUid(User, ref.id);
  if (!ref.name)
    throw badRequest("Invalid input for field 'auth/identity/password/user': give the user's id or name");
  if (!ref.domain)
    throw badRequest(
      "Invalid input for field 'auth/identity/password/user/domain': a user name needs its domain",
    );
  if (!isDefaultDomain(ref.domain)) return undefined;
  const matches = deps.cache.userByLogin(ref.name);
  return matches.length === 1 ? matches[0] : undefined;
}

function findProject(deps: LoginDeps, ref: NamedRef): ProjectObject | undefined {
  if (ref.id) return deps.cache.byUid(Project, ref.id);
  if (!ref.name)
    throw badRequest("Invalid input for field 'auth/scope/project': give the project's id or name");
  if (!ref.domain)
    throw badRequest("Invalid input for field 'auth/scope/project/domain': a project name needs its domain");
  if (!isDefaultDomain(ref.domain)) return undefined;
  const byName = deps.cache.get(Project, ref.name);
  if (byName) return byName;
  const byDisplay = deps.cache.list(Project).filter((p) => p.spec.displayName === ref.name);
  return byDisplay.length === 1 ? byDisplay[0] : undefined;
}

interface Established {
  user: UserObject;
  methods: AuthMethod[];
  /** For the token method: the original token's claims (its expiry and audit id carry over). */
  from?: TokenClaims;
}

async function establishIdentity(
  deps: LoginDeps,
  identity: AuthIdentity,
  address: string,
): Promise<Established> {
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
  return { user: await checkPassword(deps, ref, address), methods: ['password'] };
}

/** The user a password login names, once the password is right and the account usable. */
async function checkPassword(
  deps: LoginDeps,
  ref: NamedRef & { password: string },
  address: string,
): Promise<UserObject> {
  const keys = [
    userKey(ref.id ?? `${ref.domain?.id ?? ref.domain?.name ?? ''}/${ref.name}`),
    addressKey(address),
  ];
  const wait = deps.limiter.lockedFor(keys);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ApiFault(
      401,
      `The account is temporarily locked after failed logins; try again in ${seconds} s.`,
      'NotAuthenticated',
      { 'Retry-After': String(seconds) },
    );
  }
  const user = findUser(deps, ref);
  const matches = await passwordMatches(deps, user, ref.password);
  if (!user || !matches) {
    if (!user?.spec.options?.ignoreLockoutFailureAttempts) deps.limiter.failure(keys);
    else deps.limiter.failure(keys.slice(1));
    deps.logger.info('login failed', { login: ref.name ?? ref.id, address });
    throw unauthorized(AUTH_FAILED);
  }
  deps.limiter.success(keys[0]!);
  if (userProblem(user)) throw unauthorized(`The account is disabled for user: ${user.metadata.uid}.`);
  const expires = epochSeconds(user.status?.passwordExpiresAt);
  if (expires !== undefined && expires * 1000 <= Date.now() && !user.spec.options?.ignorePasswordExpiry) {
    throw unauthorized(`The password is expired and needs to be changed for user: ${user.metadata.uid}.`);
  }
  return user;
}

interface Scope {
  project?: ProjectObject;
  roles: ProjectRoleName[];
}

async function resolveScope(deps: LoginDeps, scope: AuthScope, user: UserObject): Promise<Scope> {
  const userName = user.metadata.name!;
  if (scope === 'unscoped') return { roles: [] };
  if (scope && (scope.domain || scope.system || scope['OS-TRUST:trust'])) {
    throw unauthorized('Only project-scoped and unscoped tokens are supported; scope to a project.');
  }
  if (!scope?.project) {
    // Keystone scopes a login without a scope to the default project, when the user has one
    // and may use it; otherwise the token is unscoped.
    const name = user.spec.defaultProject;
    const project = name ? deps.cache.get(Project, name) : undefined;
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

export interface Login extends Scope {
  user: UserObject;
  claims: TokenClaims;
}

/** Authenticate and scope a token request; the claims of the token to issue. */
export async function login(deps: LoginDeps, request: AuthRequest, address: string): Promise<Login> {
  const { user, methods, from } = await establishIdentity(deps, request.auth.identity, address);
  const { project, roles } = await resolveScope(deps, request.auth.scope, user);
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
  return { user, project, roles, claims };
}
