// What a Project should have, as plain objects: its namespace, RoleBindings for its
// members, a ResourceQuota for object counts, its Kube-OVN Vpc (when Kube-OVN is there) and
// the default security group; and the project's status. Pure: the controller only applies
// what this returns.
import type { ProjectObject } from '../../kinds/project.js';
import { API_VERSION } from '../../kinds/meta.js';
import type { StatusView } from '../../runtime/status.js';
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

export interface QuotaObservation {
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/**
 * Whether the quota controller has counted usage for every limit we set. Until it has, the
 * namespace refuses every create ("status unknown for quota"): the project is not usable.
 */
export function quotaCounted(desired: Child, quota: QuotaObservation | undefined): boolean {
  const wanted = (desired.spec as { hard: Record<string, string> }).hard;
  return Object.entries(wanted).every(
    ([key, value]) => quota?.status?.hard?.[key] === value && quota.status.used?.[key] !== undefined,
  );
}

/** The project's status: the names of what it made, Ready once the quota is counted. */
export function projectStatus(
  project: ProjectObject,
  desired: ProjectChildren,
  counted: boolean,
): StatusView {
  const name = project.metadata.name!;
  return {
    status: {
      namespace: name,
      ...(desired.vpc ? { vpc: desired.vpc.metadata.name } : {}),
      defaultSecurityGroup: desired.defaultSecurityGroup.metadata.name,
    },
    ready: counted
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'Provisioned',
          message: `namespace ${name} and its quota, roles and default security group are in place`,
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'QuotaPending',
          message: `waiting for the quota controller to count usage in namespace ${name}`,
        },
  };
}
