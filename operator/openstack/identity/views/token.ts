// The body of POST/GET /v3/auth/tokens: what a token stands for, in Keystone's shape.
import type { ProjectObject } from '../../../kinds/project.js';
import type { UserObject } from '../../../kinds/user.js';
import { stableId, type CatalogEntry } from '../../catalog.js';
import type { ProjectRoleName } from '../../context.js';
import { loginNameOf } from '../../cache.js';
import type { TokenClaims } from '../../tokens.js';
import { DOMAIN } from './domain.js';
import { projectName } from './project.js';

/** Keystone's timestamps: microseconds, always zero here (claims keep whole seconds). */
export const keystoneTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/Z$/, '000Z');

export function roleView(role: ProjectRoleName) {
  return { id: stableId(`role:${role}`), name: role, domain_id: null };
}

export interface TokenSubject {
  claims: TokenClaims;
  user: UserObject;
  /** The project a scoped token is for, and the caller's roles there. */
  project?: ProjectObject;
  roles: readonly ProjectRoleName[];
}

/** `catalog` is shown for a scoped token unless the client asked for ?nocatalog. */
export function tokenView(subject: TokenSubject, catalog?: CatalogEntry[]) {
  const { claims, user, project, roles } = subject;
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
            ...(catalog ? { catalog } : {}),
          }
        : {}),
    },
  };
}
