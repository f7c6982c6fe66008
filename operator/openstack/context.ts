// What every service's handlers share: the caches, the impersonation, the token machinery,
// and the authenticated session of the request.
import type { Request, Response } from 'express';
import type { ProjectObject } from '../kinds/project.js';
import type { UserObject } from '../kinds/user.js';
import type { KubeClient } from '../runtime/client.js';
import type { Logger } from '../runtime/logger.js';
import type { ApiCache } from './cache.js';
import type { ApiConfig } from './config.js';
import { unauthorized, forbidden } from './errors.js';
import type { Impersonation } from './impersonation.js';
import type { LoginLimiter } from './login-limiter.js';
import type { TokenClaims, TokenCodec, TokenKeyStore } from './tokens.js';
import type { UploadStore } from './uploads.js';

export interface ApiDeps {
  config: ApiConfig;
  cache: ApiCache;
  impersonation: Impersonation;
  /** The API's own identity: password hashes, token keys, one-shot private keys. */
  client: KubeClient;
  codec: TokenCodec;
  keys: TokenKeyStore;
  limiter: LoginLimiter;
  uploads: UploadStore;
  logger: Logger;
}

export type ProjectRoleName = 'reader' | 'member' | 'admin';

/** Who is calling, established from a valid X-Auth-Token. */
export interface Session {
  token: string;
  claims: TokenClaims;
  user: UserObject;
  /** The User's object name: the Kubernetes identity is stratus:user:<it>. */
  userName: string;
  project?: ProjectObject;
  /** The project's namespace (its name). */
  namespace?: string;
  roles: ProjectRoleName[];
}

export interface ScopedSession extends Session {
  project: ProjectObject;
  namespace: string;
}

/** The base URL clients use: configured, else what this request was addressed to. */
export function baseUrl(deps: ApiDeps, req: Request): string {
  if (deps.config.STRATUS_API_PUBLIC_URL) return deps.config.STRATUS_API_PUBLIC_URL.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? `127.0.0.1:${deps.config.STRATUS_API_PORT}`}`;
}

export function sessionOf(res: Response): Session {
  const session = res.locals.session as Session | undefined;
  if (!session) throw unauthorized();
  return session;
}

export function scopedSessionOf(res: Response): ScopedSession {
  const session = sessionOf(res);
  if (!session.project || !session.namespace) {
    throw forbidden('this request needs a project-scoped token; authenticate with a project');
  }
  return session as ScopedSession;
}
