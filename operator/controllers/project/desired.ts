// What a Project should have, as plain objects: its namespace, RoleBindings for its
// members, a ResourceQuota for object counts, its Kube-OVN Vpc (when Kube-OVN is there) and
// the default security group. Pure: the controller only applies what this returns.
import type { ProjectObject } from '../../kinds/project.js';
import { API_VERSION } from '../../kinds/meta.js';

import { controllerRef, type Child } from '../children.js';
import {
  DEFAULT_SECURITY_GROUP,
  QUOTA_NAME,
  vpcName,
  LABELS,
  MANAGED_BY,
  clusterRoleFor,
  safeName,
} from '../../domain/naming.js';

export interface ProjectChildren {
  namespace: Child;
  roleBindings: Child[];
  resourceQuota: Child;
  vpc?: Child;
  defaultSecurityGroup: Child;
}

/** Project quota keys counted by the ResourceQuota, and the resource each counts. */
const COUNTED: Record<string, string> = {
  instances: 'count/instances.stratus.dev',
  volumes: 'count/volumes.stratus.dev',
  snapshots: 'count/snapshots.stratus.dev',
  keyPairs: 'count/keypairs.stratus.dev',
  networks: 'count/networks.stratus.dev',
  subnets: 'count/subnets.stratus.dev',
  ports: 'count/ports.stratus.dev',
  routers: 'count/routers.stratus.dev',
  floatingIPs: 'count/floatingips.stratus.dev',
  securityGroups: 'count/securitygroups.stratus.dev',
};

/** Neutron's default group: members reach each other, everything may go out. */
function defaultRules() {
  return (['IPv4', 'IPv6'] as const).flatMap((ethertype) => [
    {
      direction: 'ingress',
      ethertype,
      remoteGroup: DEFAULT_SECURITY_GROUP,
      description: 'Traffic from members of this group',
    },
    { direction: 'egress', ethertype, description: 'All outbound traffic' },
  ]);
}

export function desiredProjectChildren(
  project: ProjectObject,
  options: { kubeOvn: boolean },
): ProjectChildren {
  const name = project.metadata.name!;
  const owner = [controllerRef(project)];
  const labels = { [LABELS.project]: name, [LABELS.managedBy]: MANAGED_BY };

  const roleBindings = (project.spec.members ?? []).map((member) => {
    const role = member.role;
    return {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: `stratus-${role}-${member.kind.toLowerCase()}-${safeName(member.name)}`,
        namespace: name,
        labels,
        ownerReferences: owner,
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleFor(role) },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: member.kind, name: member.name }],
    };
  });

  const quota = (project.spec.quota ?? {}) as Record<string, number | undefined>;
  const hard = Object.fromEntries(
    Object.entries(COUNTED).flatMap(([key, resource]) => {
      const limit = quota[key];
      return limit === undefined || limit < 0 ? [] : [[resource, String(limit)]];
    }),
  );

  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels, ownerReferences: owner },
    },
    roleBindings,
    resourceQuota: {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: QUOTA_NAME, namespace: name, labels, ownerReferences: owner },
      spec: { hard },
    },
    ...(options.kubeOvn
      ? {
          vpc: {
            apiVersion: 'kubeovn.io/v1',
            kind: 'Vpc',
            metadata: { name: vpcName(name), labels, ownerReferences: owner },
            spec: { namespaces: [name] },
          },
        }
      : {}),
    defaultSecurityGroup: {
      apiVersion: API_VERSION,
      kind: 'SecurityGroup',
      metadata: { name: DEFAULT_SECURITY_GROUP, namespace: name, labels, ownerReferences: owner },
      spec: { description: 'Default security group', rules: defaultRules() },
    },
  };
}
