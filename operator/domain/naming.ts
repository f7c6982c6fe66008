// The names and labels that tie Stratus objects together: contracts between the operator,
// the webhooks, the OpenStack API and the chart's RBAC. Changing one changes what existing
// clusters hold, so each is defined once, here.

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** On a project's namespace and everything made for the project: the project name. */
  project: 'stratus.dev/project',
  /** On RoleBindings made for a User: the user name. */
  user: 'stratus.dev/user',
} as const;

export const MANAGED_BY = 'stratus-operator';

/** The annotation recording which user created an object (Nova user_id, Glance owner); the
 * mutating webhook stamps it from the authenticated request, so it cannot be forged. */
export const CREATED_BY = 'stratus.dev/created-by';

export type ProjectRole = 'reader' | 'member' | 'admin';
export const clusterRoleFor = (role: ProjectRole): string => `stratus-${role}`;

/** The Kubernetes identity the OpenStack API impersonates for a Stratus User. */
export const userSubject = (userName: string): string => `stratus:user:${userName}`;
export const USERS_GROUP = 'stratus:users';

/** The User an impersonated Kubernetes identity names, if it is one of ours. */
export function userOfSubject(subject: string): string | undefined {
  const prefix = userSubject('');
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined;
}

/** The Secret (in the operator's namespace) holding a User's password hash. */
export const passwordHashSecretName = (user: string): string => `stratus-user-${safeName(user, 200)}`;

export const QUOTA_NAME = 'stratus-quota';
export const DEFAULT_SECURITY_GROUP = 'default';

/** The Vpc of a project: Kube-OVN Vpcs are cluster-scoped, so the name carries a prefix. */
export const vpcName = (project: string): string => `stratus-${project}`;

/** A DNS-label-safe, collision-resistant form of free text (user names, emails, groups). */
export function safeName(text: string, max = 40): string {
  let hash = 0x811c9dc5; // FNV-1a: short, stable, no crypto needed for a name suffix
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const base =
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max) || 'x';
  return `${base}-${hash.toString(16).padStart(8, '0')}`;
}
