// The engines' resources the compute and network controllers write or read — KubeVirt,
// its instancetypes, CDI, Kube-OVN and Multus — with the minimal shapes we use and the
// names and annotation keys that tie them to our objects.
//
// The shapes mirror the engines' Go types field for field (json tags), so what we build is
// exactly what the real engines accept:
//   kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/types.go, schema.go
//   kubevirt/kubevirt staging/src/kubevirt.io/api/instancetype/v1beta1/types.go
//   kubevirt/containerized-data-importer .../pkg/apis/core/v1beta1/types.go
//   kubeovn/kube-ovn pkg/apis/kubeovn/v1/{subnet,ip}.go, pkg/util/const.go
//   k8snetworkplumbingwg network-attachment-definition-client (NetworkAttachmentDefinition)
// The generated @kubevirt-ui-ext/kubevirt-api package would type these too, but it models
// string enums as TypeScript `enum`s (V1beta1StorageSpecVolumeModeEnum...), so plain JSON
// literals do not type-check against it without importing runtime values; these few
// interfaces are smaller than the casts.
import type { KubeObject } from '../runtime/store.js';
import { safeName } from '../domain/naming.js';

/** API groups each controller needs served before it can run (see operator/process.ts). */
export const ENGINE_GROUPS = {
  kubevirt: ['kubevirt.io', 'v1'],
  instancetypes: ['instancetype.kubevirt.io', 'v1beta1'],
  cdi: ['cdi.kubevirt.io', 'v1beta1'],
  kubeOvn: ['kubeovn.io', 'v1'],
  multus: ['k8s.cni.cncf.io', 'v1'],
} as const;

// ---- Names -----------------------------------------------------------------------------

/**
 * A cluster-scoped engine object made for a namespaced one: `<namespace>.<name>`. Both
 * parts are DNS labels, which never hold a dot, so the name is unambiguous (the `-` form
 * is not: web/prod-net and web-prod/net would both be web-prod-net).
 */
export function clusterScopedName(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

/** The Kube-OVN Subnet (one per Network: its IPv4 and IPv6 blocks together). */
export const kubeOvnSubnetName = (namespace: string, network: string): string =>
  clusterScopedName(namespace, network);

/**
 * The Kube-OVN SecurityGroup of a stratus SecurityGroup. Kube-OVN derives OVN port-group
 * names by replacing `-` with `.` (ovs.GetSgPortGroupName), which would merge a/b-c with
 * a-b/c into one port group — one tenant's rules on another's ports — so a hash of the
 * exact namespace/name keeps them apart. Instances name their NICs' groups by it (resolve.ts);
 * whatever writes Kube-OVN SecurityGroups must use it too (nothing does yet: SecurityGroups
 * have a schema but no controller).
 */
export function kubeOvnSecurityGroupName(namespace: string, name: string): string {
  const hash = safeName(`${namespace}/${name}`).slice(-8);
  return `${namespace}.${name}.${hash}`;
}

/** Multus provider of a network's attachments; Kube-OVN keys NIC annotations by it. */
export const kubeOvnProvider = (namespace: string, network: string): string => `${network}.${namespace}.ovn`;

/** Kube-OVN's per-attachment pod annotation (`<provider>.kubernetes.io/<key>`). */
export function kubeOvnAnnotation(
  provider: string,
  key: 'ip_address' | 'mac_address' | 'logical_switch' | 'security_groups' | 'port_security',
): string {
  return `${provider}.kubernetes.io/${key}`;
}

/** The golden image disk (DataVolume, PVC and DataSource share it). */
export const imageDiskName = (image: string): string => `image-${image}`;

/** Flavor → instancetype: prefixed, so `m1.large` cannot collide with KubeVirt's common-instancetypes. */
export function instancetypeName(flavor: string): string {
  const name = `stratus-${flavor}`;
  return name.length <= 253 ? name : `stratus-${safeName(flavor, 200)}`;
}

export const ANNOTATIONS = {
  /** On the VM while a reboot replaces the VirtualMachineInstance with this uid. */
  rebootingVmi: 'stratus.dev/rebooting-vmi',
  /** On a Secret that is handed out once and then deleted by its reader. */
  oneShot: 'stratus.dev/one-shot',
  /** When a one-shot Secret is deleted if nobody has read it. */
  expiresAt: 'stratus.dev/expires-at',
  /** CDI: do not wait for a consumer pod before importing. */
  cdiImmediateBinding: 'cdi.kubevirt.io/storage.bind.immediateRequested',
  /** CDI: never garbage-collect the DataVolume once it succeeded (we re-apply it). */
  cdiDeleteAfterCompletion: 'cdi.kubevirt.io/storage.deleteAfterCompletion',
} as const;

// ---- Quantities ------------------------------------------------------------------------

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};
const DECIMAL_SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** Bytes of a storage quantity such as `10Gi`, `1500M` or `1073741824`; undefined if unparsable. */
export function quantityBytes(quantity: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGTP]i|[kMGTP]?)$/.exec(quantity?.trim() ?? '');
  if (!match) return undefined;
  const factor = BINARY_SUFFIX[match[2]!] ?? DECIMAL_SUFFIX[match[2]!];
  return factor === undefined ? undefined : Math.ceil(Number(match[1]) * factor);
}

// ---- KubeVirt instancetype -------------------------------------------------------------

export interface ClusterInstancetype extends KubeObject {
  spec: {
    cpu: { guest: number; dedicatedCPUPlacement?: boolean };
    memory: { guest: string; hugepages?: { pageSize: string } };
  };
}

// ---- CDI -------------------------------------------------------------------------------

export interface StorageSpec {
  storageClassName?: string;
  volumeMode?: 'Block' | 'Filesystem';
  accessModes?: Array<'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod'>;
  resources?: { requests?: { storage?: string } };
}

export interface DataVolumeSpec {
  source?: { http?: { url: string }; upload?: Record<string, never>; blank?: Record<string, never> };
  sourceRef?: { kind: 'DataSource'; name: string; namespace?: string };
  storage?: StorageSpec;
  contentType?: 'kubevirt' | 'archive';
}

export interface CdiCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface DataVolume extends KubeObject {
  spec: DataVolumeSpec;
  status?: {
    phase?: string;
    /** "45.20%" or "N/A". */
    progress?: string;
    restartCount?: number;
    claimName?: string;
    conditions?: CdiCondition[];
  };
}

export interface DataSource extends KubeObject {
  spec: { source: { pvc?: { name: string; namespace: string } } };
  status?: { conditions?: CdiCondition[] };
}

// ---- KubeVirt VirtualMachine -----------------------------------------------------------

export interface VmDisk {
  name: string;
  disk?: { bus?: 'virtio' | 'sata' | 'scsi' | 'usb' };
  cdrom?: { bus?: 'sata' | 'scsi' };
  bootOrder?: number;
}

export interface VmInterface {
  name: string;
  bridge?: Record<string, never>;
  macAddress?: string;
  model?: string;
}

export interface SecretRef {
  name: string;
}

export interface CloudInitSource {
  secretRef?: SecretRef;
  networkDataSecretRef?: SecretRef;
}

export interface VmVolume {
  name: string;
  dataVolume?: { name: string };
  persistentVolumeClaim?: { claimName: string };
  cloudInitConfigDrive?: CloudInitSource;
  cloudInitNoCloud?: CloudInitSource;
  emptyDisk?: { capacity: string };
}

export interface VmNetwork {
  name: string;
  multus?: { networkName: string; default?: boolean };
  pod?: Record<string, never>;
}

export interface AccessCredential {
  sshPublicKey: {
    source: { secret: { secretName: string } };
    propagationMethod: { configDrive?: Record<string, never>; noCloud?: Record<string, never> };
  };
}

export interface VmTemplateSpec {
  hostname?: string;
  nodeSelector?: Record<string, string>;
  domain: {
    firmware?: {
      uuid?: string;
      bootloader?: { efi?: { secureBoot?: boolean } };
    };
    features?: { smm?: { enabled?: boolean } };
    devices: {
      autoattachPodInterface?: boolean;
      disks: VmDisk[];
      interfaces: VmInterface[];
    };
  };
  networks: VmNetwork[];
  volumes: VmVolume[];
  accessCredentials?: AccessCredential[];
}

export interface DataVolumeTemplate {
  metadata: { name: string; labels?: Record<string, string> };
  spec: DataVolumeSpec;
}

export interface VmCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface VirtualMachine extends KubeObject {
  spec: {
    runStrategy: 'Always' | 'Halted' | 'Manual' | 'RerunOnFailure' | 'Once';
    instancetype?: { kind: 'VirtualMachineClusterInstancetype'; name: string; revisionName?: string };
    dataVolumeTemplates?: DataVolumeTemplate[];
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: VmTemplateSpec;
    };
  };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: VmCondition[];
  };
}

export interface VmiInterfaceStatus {
  name?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
  interfaceName?: string;
  infoSource?: string;
}

export interface VirtualMachineInstance extends KubeObject {
  status?: {
    phase?: string;
    nodeName?: string;
    reason?: string;
    conditions?: VmCondition[];
    interfaces?: VmiInterfaceStatus[];
    phaseTransitionTimestamps?: Array<{ phase: string; phaseTransitionTimestamp: string }>;
  };
}

// ---- Kube-OVN and Multus ---------------------------------------------------------------

export interface KubeOvnSubnetSpec {
  vpc?: string;
  protocol: 'IPv4' | 'IPv6' | 'Dual';
  cidrBlock: string;
  gateway: string;
  excludeIps: string[];
  provider: string;
  gatewayType: 'distributed' | 'centralized';
  disableGatewayCheck?: boolean;
  enableDHCP?: boolean;
  dhcpV4Options?: string;
  dhcpV6Options?: string;
  enableIPv6RA?: boolean;
  ipv6RAConfigs?: string;
  mtu?: number;
}

export interface KubeOvnSubnet extends KubeObject {
  spec: KubeOvnSubnetSpec;
  status?: {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    v4availableIPs?: number;
    v4usingIPs?: number;
    v6availableIPs?: number;
    v6usingIPs?: number;
  };
}

export interface KubeOvnIP extends KubeObject {
  spec: {
    podName?: string;
    namespace?: string;
    subnet?: string;
    ipAddress?: string;
    v4IpAddress?: string;
    v6IpAddress?: string;
    macAddress?: string;
    podType?: string;
  };
}

export interface NetworkAttachmentDefinition extends KubeObject {
  spec: { config: string };
}
