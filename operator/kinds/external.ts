// Every other API resource Stratus reads or writes: Kubernetes' own (core, RBAC, storage,
// coordination) and the engines' (KubeVirt, CDI, the CSI snapshotter, Kube-OVN, Multus).
// One map each, shared by the runtime, the controllers, the webhooks, the OpenStack API and
// the simulator, so a resource has one name everywhere.
import type { KubeObject } from '../runtime/store.js';
import type { ResourceDescriptor } from '../runtime/resource.js';

const resource = (group: string, version: string, plural: string, kind: string, namespaced: boolean) =>
  ({ group, version, plural, kind, namespaced }) as const satisfies ResourceDescriptor;

/** Kubernetes' built-in resources. */
export const kube = {
  configMaps: resource('', 'v1', 'configmaps', 'ConfigMap', true),
  secrets: resource('', 'v1', 'secrets', 'Secret', true),
  namespaces: resource('', 'v1', 'namespaces', 'Namespace', false),
  events: resource('', 'v1', 'events', 'Event', true),
  resourceQuotas: resource('', 'v1', 'resourcequotas', 'ResourceQuota', true),
  persistentVolumeClaims: resource('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  persistentVolumes: resource('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  storageClasses: resource('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  leases: resource('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  roles: resource('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  roleBindings: resource('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  clusterRoles: resource('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterRoleBindings: resource(
    'rbac.authorization.k8s.io',
    'v1',
    'clusterrolebindings',
    'ClusterRoleBinding',
    false,
  ),
  selfSubjectAccessReviews: resource(
    'authorization.k8s.io',
    'v1',
    'selfsubjectaccessreviews',
    'SelfSubjectAccessReview',
    false,
  ),
  customResourceDefinitions: resource(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
  ),
} as const satisfies Record<string, ResourceDescriptor>;

/** The engines' resources. Present only on clusters that run the engine. */
export const engines = {
  virtualMachines: resource('kubevirt.io', 'v1', 'virtualmachines', 'VirtualMachine', true),
  virtualMachineInstances: resource(
    'kubevirt.io',
    'v1',
    'virtualmachineinstances',
    'VirtualMachineInstance',
    true,
  ),
  clusterInstancetypes: resource(
    'instancetype.kubevirt.io',
    'v1beta1',
    'virtualmachineclusterinstancetypes',
    'VirtualMachineClusterInstancetype',
    false,
  ),
  dataVolumes: resource('cdi.kubevirt.io', 'v1beta1', 'datavolumes', 'DataVolume', true),
  dataSources: resource('cdi.kubevirt.io', 'v1beta1', 'datasources', 'DataSource', true),
  volumeSnapshots: resource('snapshot.storage.k8s.io', 'v1', 'volumesnapshots', 'VolumeSnapshot', true),
  volumeSnapshotContents: resource(
    'snapshot.storage.k8s.io',
    'v1',
    'volumesnapshotcontents',
    'VolumeSnapshotContent',
    false,
  ),
  volumeSnapshotClasses: resource(
    'snapshot.storage.k8s.io',
    'v1',
    'volumesnapshotclasses',
    'VolumeSnapshotClass',
    false,
  ),
  kubeOvnVpcs: resource('kubeovn.io', 'v1', 'vpcs', 'Vpc', false),
  kubeOvnSubnets: resource('kubeovn.io', 'v1', 'subnets', 'Subnet', false),
  /** Kube-OVN's record of an allocated address (kept across VM restarts). */
  kubeOvnIPs: resource('kubeovn.io', 'v1', 'ips', 'IP', false),
  kubeOvnSecurityGroups: resource('kubeovn.io', 'v1', 'security-groups', 'SecurityGroup', false),
  vpcNatGateways: resource('kubeovn.io', 'v1', 'vpc-nat-gateways', 'VpcNatGateway', false),
  iptablesEips: resource('kubeovn.io', 'v1', 'iptables-eips', 'IptablesEIP', false),
  iptablesFipRules: resource('kubeovn.io', 'v1', 'iptables-fip-rules', 'IptablesFIPRule', false),
  iptablesSnatRules: resource('kubeovn.io', 'v1', 'iptables-snat-rules', 'IptablesSnatRule', false),
  ovnEips: resource('kubeovn.io', 'v1', 'ovn-eips', 'OvnEip', false),
  ovnFips: resource('kubeovn.io', 'v1', 'ovn-fips', 'OvnFip', false),
  networkAttachmentDefinitions: resource(
    'k8s.cni.cncf.io',
    'v1',
    'network-attachment-definitions',
    'NetworkAttachmentDefinition',
    true,
  ),
} as const satisfies Record<string, ResourceDescriptor>;

/** A Secret as Stratus reads it: base64 values under `data`. */
export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}
