// Keystone v3 under /identity: version discovery, tokens (password and token methods;
// project-scoped by name or id, or unscoped), validation and revocation, and read-only views
// of the caller's projects, user, domain and catalog. Users and projects are the User and
// Project CRs: a user's Keystone id is the User's uid, a project's the Project's uid.
import express, { type Router } from 'express';
import type { ApiDeps } from '../context.js';
import { discoveryRoutes } from './discovery.js';
import { projectRoutes } from './projects.js';
import { requireAuth } from './sessions.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';

export function identityRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const auth = requireAuth(deps);
  discoveryRoutes(router, deps, auth);
  tokenRoutes(router, deps, auth);
  projectRoutes(router, deps, auth);
  userRoutes(router, deps, auth);
  return router;
}
