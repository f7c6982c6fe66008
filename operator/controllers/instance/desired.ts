// Instance → KubeVirt VirtualMachine + its cloud-init Secret (+ an SSH key Secret). Pure:
// everything the builders need was resolved beforehand (resolve.ts) from the cache.
//
// The VM:
// - is named like the instance and owned by it (controller reference), so deleting the
//   instance lets the garbage collector take the VM, and KubeVirt takes its root disk;
// - takes vCPUs and memory from the flavor's VirtualMachineClusterInstancetype;
// - boots from a DataVolume template `<instance>-root` cloned from the image's DataSource
//   (a CSI clone on Ceph RBD: copy-on-write), sized from the flavor, or from a Volume's PVC;
// - gets a cloud-init config drive in OpenStack's layout: KubeVirt writes
//   openstack/latest/{meta_data.json,user_data,network_data.json}; meta_data carries the
//   hostname, the SSH keys (accessCredentials) and `uuid` = the firmware UUID, which we set
//   to the instance's uid — the Nova server ID — so images built for OpenStack boot
//   unchanged. User data and network data travel in a Secret: KubeVirt refuses inline
//   cloud-init data over 2 KiB, Nova allows 64 KiB, and user data may hold secrets;
// - has one NIC per requested network: bridge binding on the network's Multus attachment,
//   with a MAC we choose (network_data.json must name it before the VM exists), and the
//   Kube-OVN annotations `<provider>.kubernetes.io/...` for fixed IPs, MAC, logical switch,
//   port security and security groups, which KubeVirt copies to the launcher pod;
// - runs with runStrategy Always (powerState Running) or Halted (Stopped). A reboot
//   deletes the VirtualMachineInstance, which KubeVirt recreates under runStrategy Always.
import { createHash } from 'node:crypto';
import type { InstanceObject } from '../../kinds/instance.js';
import {
  ANNOTATIONS,
  kubeOvnAnnotation,
  kubeOvnProvider,
  kubeOvnSubnetName,
  type AccessCredential,
  type DataVolumeTemplate,
  type VirtualMachine,
  type VmDisk,
  type VmInterface,
  type VmNetwork,
  type VmVolume,
} from '../engines.js';
import { ipVersion } from '../../domain/address.js';
import { ownedMetadata, type Child } from '../children.js';
import { LABELS, MANAGED_BY } from '../../domain/naming.js';
import { stableJson } from '../../runtime/status.js';
import { networkConfigV2, networkData } from './network-data.js';

export const INSTANCE_LABEL = 'stratus.dev/instance';

export interface InstanceOptions {
  /** StorageClass of root disks: the RBD class the golden images live on (clones need the same). */
  storageClass: string;
}

/** The flavor as the instance boots with it (status.flavor keeps it, as Nova does). */
export interface FlavorSnapshot {
  name: string;
  vcpus: number;
  ramMiB: number;
  diskGiB: number;
  ephemeralGiB?: number;
  swapMiB?: number;
  extraSpecs?: Record<string, string>;
}

export interface ResolvedSubnet {
  name: string;
  version: 4 | 6;
  cidr: string;
  /** Undefined when the subnet has no gateway (no default route). */
  gateway?: string;
  enableDHCP: boolean;
  dns: string[];
  hostRoutes: Array<{ destination: string; nexthop: string }>;
  ipv6AddressMode?: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
}

export interface ResolvedNic {
  /** KubeVirt's interface and network name: nic0, nic1... in the order of spec.networks. */
  name: string;
  network: { name: string; namespace: string; uid: string; mtu?: number };
  /** The Port the NIC came from, if any. */
  port?: string;
  /** Neutron-style port ID of the NIC (the Port's uid, or derived for a network NIC). */
  id: string;
  mac: string;
  /** Requested addresses, canonical. */
  fixedIPs: string[];
  /** The network's IPv4 and IPv6 blocks. */
  subnets: ResolvedSubnet[];
  portSecurity: boolean;
  /** Kube-OVN SecurityGroup names. */
  securityGroups: string[];
}

export type BootDisk =
  | {
      kind: 'image';
      /** The image's DataSource (same name as its golden PVC), possibly in the shared namespace. */
      dataSource: { name: string; namespace: string };
      sizeGiB: number;
      /** Glance image properties (hw_disk_bus, hw_firmware_type, os_secure_boot, hw_vif_model). */
      properties: Record<string, string>;
    }
  | { kind: 'volume'; volume: string; claimName: string };

export interface InstanceInputs {
  instance: InstanceObject;
  flavor: FlavorSnapshot;
  /** The flavor's VirtualMachineClusterInstancetype. */
  instancetype: string;
  boot: BootDisk;
  nics: ResolvedNic[];
  /** Whether the SSH key Secret exists or is applied with the VM. */
  sshKeySecret?: string;
  /** The VirtualMachineInstance a reboot in progress is replacing. */
  rebootingVmi?: string;
}

export const rootDiskName = (instance: string): string => `${instance}-root`;
export const cloudInitSecretName = (instance: string): string => `${instance}-cloudinit`;
export const sshKeySecretName = (instance: string): string => `${instance}-ssh-keys`;

/** Volume names inside the VM. */
export const VOLUMES = {
  root: 'rootdisk',
  cloudInit: 'cloudinitdisk',
  ephemeral: 'ephemeral0',
  swap: 'swap',
} as const;

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * A MAC for a NIC, stable for the instance and network: locally administered, unicast
 * (02:...), 40 bits from a hash, so collisions on one network are as unlikely as with
 * Neutron's random fa:16:3e:xx:xx:xx and far less likely than with its 24 bits.
 */
export function nicMac(seed: string): string {
  const bytes = [0x02, ...sha256(`mac/${seed}`).subarray(0, 5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A UUID-shaped ID for a network NIC (what Neutron would call its port ID), stable per seed. */
export function nicId(seed: string): string {
  const hex = sha256(`port/${seed}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Seed of a network NIC: the instance and the network it joins (one NIC per network). */
export const nicSeed = (instanceUid: string, network: { namespace: string; name: string }): string =>
  `${instanceUid}/${network.namespace}/${network.name}`;

/** The guest hostname: spec.hostname's first label (KubeVirt takes a DNS label), or the name. */
export function hostnameOf(instance: InstanceObject): string {
  const wanted = instance.spec.hostname ?? instance.metadata.name!;
  return wanted.split('.')[0]!.slice(0, 63).replace(/-+$/, '');
}

/** The user data bytes, if any (Nova takes them base64; we also take plain text). */
export function userDataBytes(instance: InstanceObject): Buffer | undefined {
  if (instance.spec.userDataBase64 !== undefined) return Buffer.from(instance.spec.userDataBase64, 'base64');
  if (instance.spec.userData !== undefined) return Buffer.from(instance.spec.userData, 'utf8');
  return undefined;
}

function labelsFor(instance: InstanceObject): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.project]: instance.metadata.namespace!,
    [INSTANCE_LABEL]: instance.metadata.name!,
  };
}

/** cloud-init's user data and network data, in the Secret the VM's cloud-init volume names. */
export function desiredCloudInitSecret(instance: InstanceObject, nics: readonly ResolvedNic[]): Child {
  const userData = userDataBytes(instance);
  const network = instance.spec.configDrive ? networkData(nics) : networkConfigV2(nics);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(instance, cloudInitSecretName(instance.metadata.name!), labelsFor(instance)),
    type: 'Opaque',
    data: {
      // KubeVirt reads the keys `userdata` and `networkdata` (virt-launcher cloud-init).
      ...(userData ? { userdata: userData.toString('base64') } : {}),
      networkdata: Buffer.from(JSON.stringify(network)).toString('base64'),
    },
  };
}

/**
 * The instance's SSH public key, for KubeVirt accessCredentials (which put every file of
 * the Secret into meta_data.json public_keys). Written at boot and kept even if the KeyPair
 * is later deleted, as Nova keeps the key an instance booted with.
 */
export function desiredSshKeySecret(instance: InstanceObject, keyName: string, publicKey: string): Child {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(instance, sshKeySecretName(instance.metadata.name!), labelsFor(instance)),
    type: 'Opaque',
    data: { [keyName]: Buffer.from(publicKey.trim()).toString('base64') },
  };
}

/** Kube-OVN's annotations for one NIC, keyed by the attachment's provider. */
export function kubeOvnNicAnnotations(nic: ResolvedNic): Record<string, string> {
  const provider = kubeOvnProvider(nic.network.namespace, nic.network.name);
  const annotations: Record<string, string> = {
    [kubeOvnAnnotation(provider, 'logical_switch')]: kubeOvnSubnetName(
      nic.network.namespace,
      nic.network.name,
    ),
    [kubeOvnAnnotation(provider, 'mac_address')]: nic.mac,
    [kubeOvnAnnotation(provider, 'port_security')]: String(nic.portSecurity),
  };
  if (nic.fixedIPs.length > 0) {
    // Kube-OVN takes a dual-stack pair as "v4,v6".
    const ordered = [...nic.fixedIPs].sort((a, b) => (ipVersion(a) ?? 4) - (ipVersion(b) ?? 4));
    annotations[kubeOvnAnnotation(provider, 'ip_address')] = ordered.join(',');
  }
  if (nic.portSecurity && nic.securityGroups.length > 0) {
    annotations[kubeOvnAnnotation(provider, 'security_groups')] = nic.securityGroups.join(',');
  }
  return annotations;
}

const DISK_BUSES = ['virtio', 'sata', 'scsi'] as const;
const NIC_MODELS = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet'];

export function desiredVirtualMachine(
  inputs: InstanceInputs,
  options: InstanceOptions,
): Child & VirtualMachine {
  const { instance, flavor, boot, nics } = inputs;
  const name = instance.metadata.name!;
  const properties = boot.kind === 'image' ? boot.properties : {};
  const bus = (DISK_BUSES as readonly string[]).includes(properties.hw_disk_bus ?? '')
    ? (properties.hw_disk_bus as (typeof DISK_BUSES)[number])
    : 'virtio';
  const nicModel = NIC_MODELS.includes(properties.hw_vif_model ?? '') ? properties.hw_vif_model : undefined;
  const uefi = properties.hw_firmware_type === 'uefi';
  const secureBoot = uefi && properties.os_secure_boot === 'required';

  const disks: VmDisk[] = [
    { name: VOLUMES.root, disk: { bus }, bootOrder: 1 },
    { name: VOLUMES.cloudInit, disk: { bus: 'virtio' } },
  ];
  const volumes: VmVolume[] = [
    boot.kind === 'image'
      ? { name: VOLUMES.root, dataVolume: { name: rootDiskName(name) } }
      : { name: VOLUMES.root, persistentVolumeClaim: { claimName: boot.claimName } },
  ];
  const cloudInit = {
    ...(userDataBytes(instance) ? { secretRef: { name: cloudInitSecretName(name) } } : {}),
    networkDataSecretRef: { name: cloudInitSecretName(name) },
  };
  volumes.push(
    instance.spec.configDrive
      ? { name: VOLUMES.cloudInit, cloudInitConfigDrive: cloudInit }
      : { name: VOLUMES.cloudInit, cloudInitNoCloud: cloudInit },
  );
  if ((flavor.ephemeralGiB ?? 0) > 0) {
    disks.push({ name: VOLUMES.ephemeral, disk: { bus: 'virtio' } });
    volumes.push({ name: VOLUMES.ephemeral, emptyDisk: { capacity: `${flavor.ephemeralGiB}Gi` } });
  }
  if ((flavor.swapMiB ?? 0) > 0) {
    disks.push({ name: VOLUMES.swap, disk: { bus: 'virtio' } });
    volumes.push({ name: VOLUMES.swap, emptyDisk: { capacity: `${flavor.swapMiB}Mi` } });
  }

  const interfaces: VmInterface[] = nics.map((nic) => ({
    name: nic.name,
    bridge: {},
    macAddress: nic.mac,
    ...(nicModel ? { model: nicModel } : {}),
  }));
  const networks: VmNetwork[] = nics.map((nic) => ({
    name: nic.name,
    multus: { networkName: `${nic.network.namespace}/${nic.network.name}` },
  }));
  const annotations = Object.assign({}, ...nics.map(kubeOvnNicAnnotations)) as Record<string, string>;

  const accessCredentials: AccessCredential[] | undefined = inputs.sshKeySecret
    ? [
        {
          sshPublicKey: {
            source: { secret: { secretName: inputs.sshKeySecret } },
            propagationMethod: instance.spec.configDrive ? { configDrive: {} } : { noCloud: {} },
          },
        },
      ]
    : undefined;

  const dataVolumeTemplates: DataVolumeTemplate[] | undefined =
    boot.kind === 'image'
      ? [
          {
            metadata: { name: rootDiskName(name), labels: labelsFor(instance) },
            spec: {
              sourceRef: {
                kind: 'DataSource',
                name: boot.dataSource.name,
                namespace: boot.dataSource.namespace,
              },
              storage: {
                storageClassName: options.storageClass,
                volumeMode: 'Block',
                accessModes: ['ReadWriteMany'],
                resources: { requests: { storage: `${boot.sizeGiB}Gi` } },
              },
            },
          },
        ]
      : undefined;

  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: {
      ...ownedMetadata(instance, name, labelsFor(instance)),
      ...(inputs.rebootingVmi ? { annotations: { [ANNOTATIONS.rebootingVmi]: inputs.rebootingVmi } } : {}),
    },
    spec: {
      runStrategy: instance.spec.powerState === 'Stopped' ? 'Halted' : 'Always',
      instancetype: { kind: 'VirtualMachineClusterInstancetype', name: inputs.instancetype },
      ...(dataVolumeTemplates ? { dataVolumeTemplates } : {}),
      template: {
        metadata: { labels: labelsFor(instance), ...(nics.length > 0 ? { annotations } : {}) },
        spec: {
          hostname: hostnameOf(instance),
          ...(instance.spec.availabilityZone
            ? { nodeSelector: { 'topology.kubernetes.io/zone': instance.spec.availabilityZone } }
            : {}),
          domain: {
            firmware: {
              // The SMBIOS UUID and config-drive uuid: the Nova server ID, as on OpenStack.
              uuid: instance.metadata.uid!,
              ...(uefi ? { bootloader: { efi: { secureBoot } } } : {}),
            },
            ...(secureBoot ? { features: { smm: { enabled: true } } } : {}),
            devices: {
              // No pod-network NIC: a tenant VM is only on the networks it asked for.
              autoattachPodInterface: false,
              disks,
              interfaces,
            },
          },
          networks,
          volumes,
          ...(accessCredentials ? { accessCredentials } : {}),
        },
      },
    },
  };
}

/** Annotation on the VM: hash of the VM and Secrets as last applied. */
export const DESIRED_HASH = 'stratus.dev/desired-hash';

export interface DesiredInstance {
  vm: Child & VirtualMachine;
  /** The cloud-init Secret, and the SSH key Secret when a key is (still) installed. */
  secrets: Child[];
  /** Hash of VM and Secrets: equal hashes mean re-applying would change nothing. */
  hash: string;
}

/**
 * Everything an instance is made of, from its resolved inputs: the VM (marked with the VMI a
 * reboot replaces) and its Secrets. `vm` is the existing VirtualMachine: once the key pair
 * is gone, the instance keeps the key Secret written at boot.
 */
export function desiredInstance(
  inputs: Omit<InstanceInputs, 'rebootingVmi' | 'sshKeySecret'>,
  publicKey: { keyName: string; key: string } | undefined,
  vm: VirtualMachine | undefined,
  rebootingVmi: string | undefined,
  options: InstanceOptions,
): DesiredInstance {
  const { instance } = inputs;
  let sshKeySecret: string | undefined;
  const secrets = [desiredCloudInitSecret(instance, inputs.nics)];
  if (publicKey) {
    const secret = desiredSshKeySecret(instance, publicKey.keyName, publicKey.key);
    secrets.push(secret);
    sshKeySecret = secret.metadata.name;
  } else if (instance.spec.keyName && vm?.spec.template.spec.accessCredentials?.length) {
    sshKeySecret = sshKeySecretName(instance.metadata.name!);
  }
  const desired = desiredVirtualMachine(
    { ...inputs, ...(sshKeySecret ? { sshKeySecret } : {}), ...(rebootingVmi ? { rebootingVmi } : {}) },
    options,
  );
  const hash = createHash('sha256')
    .update(stableJson([desired, secrets]))
    .digest('hex')
    .slice(0, 32);
  return { vm: desired, secrets, hash };
}
