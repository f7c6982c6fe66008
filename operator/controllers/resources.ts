// Descriptors of every resource the controllers read or write, and the labels they stamp.
import { stratusResources } from '../api/resources.js';
import { core, type ResourceDescriptor } from '../runtime/resource.js';

const rbac = (plural: string, kind: string, namespaced: boolean): ResourceDescriptor => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural,
  kind,
  namespaced,
});

export const resources = {
  ...core,
  projects: stratusResources.projects,
  users: stratusResources.users,
  securityGroups: stratusResources.securityGroups,
  roleBindings: rbac('rolebindings', 'RoleBinding', true),
  roles: rbac('roles', 'Role', true),
  clusterRoles: rbac('clusterroles', 'ClusterRole', false),
  clusterRoleBindings: rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  resourceQuotas: {
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    kind: 'ResourceQuota',
    namespaced: true,
  },
  /** Kube-OVN's VPC: present only on clusters running Kube-OVN. */
  vpcs: { group: 'kubeovn.io', version: 'v1', plural: 'vpcs', kind: 'Vpc', namespaced: false },
} as const satisfies Record<string, ResourceDescriptor>;

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** On a project's namespace and everything made for the project: the project name. */
  project: 'stratus.dev/project',
  /** On RoleBindings made for a User: the user name. */
  user: 'stratus.dev/user',
} as const;

export const MANAGED_BY = 'stratus-operator';

/** A child object ready for server-side apply. */
export interface Child {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** The controller owner reference to `owner`, so garbage collection follows the owner. */
export function controllerRef(owner: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string };
}): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

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
