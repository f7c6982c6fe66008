// What a User should have: one RoleBinding per (project, role) in the project's namespace,
// binding the identity the OpenStack API impersonates for the user; its password hash
// Secret; its status. Pure.
import type { UserObject } from '../../kinds/user.js';
import type { StatusView } from '../../runtime/status.js';
import { controllerRef, type Child } from '../children.js';
import {
  passwordHashSecretName,
  LABELS,
  MANAGED_BY,
  clusterRoleFor,
  safeName,
  userSubject,
} from '../../domain/naming.js';

export function desiredUserRoleBindings(user: UserObject): Child[] {
  const name = user.metadata.name!;
  const owner = [controllerRef(user)];
  return (user.spec.projects ?? []).flatMap(({ project, roles }) =>
    roles.map((role) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: `stratus-user-${safeName(name)}-${role}`,
        namespace: project,
        labels: { [LABELS.user]: name, [LABELS.project]: project, [LABELS.managedBy]: MANAGED_BY },
        ownerReferences: owner,
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleFor(role) },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: userSubject(name) }],
    })),
  );
}

/** The password hash Secret, tied to the plaintext Secret's version it was computed from. */
export function desiredPasswordHashSecret(
  user: UserObject,
  namespace: string,
  hash: string,
  sourceVersion: string,
  updatedAt: string,
): Child {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: passwordHashSecretName(user.metadata.name!),
      namespace,
      labels: { [LABELS.user]: user.metadata.name!, [LABELS.managedBy]: MANAGED_BY },
      annotations: {
        'stratus.dev/password-source-version': sourceVersion,
        'stratus.dev/password-updated-at': updatedAt,
      },
      ownerReferences: [controllerRef(user)],
    },
    type: 'stratus.dev/password-hash',
    stringData: { hash },
  };
}

/** The user's status: its login name, password hash (once hashed), Ready once nothing is missing. */
export function userStatus(
  user: UserObject,
  password: { passwordHashSecret: string; passwordUpdatedAt: string } | undefined,
  problems: readonly string[],
): StatusView {
  return {
    status: { loginName: user.spec.loginName ?? user.metadata.name!, ...(password ?? {}) },
    ready:
      problems.length === 0
        ? {
            type: 'Ready',
            status: 'True',
            reason: 'Provisioned',
            message: 'password hash and role bindings are in place',
          }
        : { type: 'Ready', status: 'False', reason: 'Waiting', message: problems.join('; ') },
  };
}
