// The tenant roles Projects and Users bind (reader ⊂ member ⊂ admin, as Keystone's default
// roles), and what every authenticated user may read (flavors, the shared namespace).
// Pure objects; the operator applies them at start.
import { GROUP } from '../kinds/meta.js';
import { clusterRoleFor, LABELS, MANAGED_BY } from '../domain/naming.js';
import { stratusKinds } from '../kinds/index.js';

const namespaced = stratusKinds.filter((k) => k.scope === 'Namespaced').map((k) => k.plural);
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const labels = { [LABELS.managedBy]: MANAGED_BY };

export function tenantClusterRoles(): object[] {
  const role = (name: string, rules: object[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels },
    rules,
  });
  const readAll = { apiGroups: [GROUP], resources: namespaced, verbs: READ };
  const readStatus = { apiGroups: [GROUP], resources: namespaced.map((p) => `${p}/status`), verbs: ['get'] };
  const readEvents = { apiGroups: [''], resources: ['events'], verbs: READ };
  const writeAll = { apiGroups: [GROUP], resources: namespaced, verbs: WRITE };
  return [
    role(clusterRoleFor('reader'), [readAll, readStatus, readEvents]),
    role(clusterRoleFor('member'), [readAll, readStatus, readEvents, writeAll]),
    role(clusterRoleFor('admin'), [
      readAll,
      readStatus,
      readEvents,
      writeAll,
      { apiGroups: [''], resources: ['resourcequotas'], verbs: READ },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: READ },
    ]),
    // Everyone signed in may list flavors, as every Nova user can.
    role('stratus-flavor-reader', [{ apiGroups: [GROUP], resources: ['flavors'], verbs: READ }]),
  ];
}

export function tenantBindings(publicNamespace: string): object[] {
  const authenticated = [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' },
  ];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'stratus-flavor-reader', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'stratus-flavor-reader' },
      subjects: authenticated,
    },
    // Public images and external networks: readable by every tenant, writable by admins only.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'stratus-public-reader', namespace: publicNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleFor('reader') },
      subjects: authenticated,
    },
  ];
}
