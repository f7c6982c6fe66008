// Keystone v3 as a service of the registry, under /identity: version discovery, tokens
// (password and token methods; project-scoped by name or id, or unscoped), validation and
// revocation, and read-only views of the caller's projects, user, domain and catalog. Users
// and projects are the User and Project CRs: a user's Keystone id is the User's uid, a
// project's the Project's uid; "has a role on the project" is what Kubernetes RBAC says the
// impersonated user may do in the project's namespace.
import { defineService } from '../framework/service.js';
import { catalogRoutes } from './catalog.js';
import { wireIdentity } from './env.js';
import { projectRoutes } from './projects.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';
import { identityVersion } from './views/version.js';

export const identityService = defineService({
  type: 'identity',
  name: 'keystone',
  title: 'Keystone (identity) v3',
  prefix: '/identity',
  endpointSuffix: '',
  errorFormat: 'identity',
  versions: [
    {
      paths: ['/'],
      status: 300,
      summary: 'The versions of the API (v3)',
      document: (base) => ({ versions: { values: [identityVersion(base)] } }),
    },
    {
      paths: ['/v3', '/v3/'],
      status: 200,
      summary: 'The v3 version document',
      document: (base) => ({ version: identityVersion(base) }),
    },
  ],
  wire: wireIdentity,
  routes: [...tokenRoutes, ...catalogRoutes, ...projectRoutes, ...userRoutes],
});
