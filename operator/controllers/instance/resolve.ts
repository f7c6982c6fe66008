// Everything an Instance names, looked up and turned into the builders' inputs — or the
// reason it must wait (a referenced object is missing or not ready yet: Ready=False with
// WaitingForImage, WaitingForNetwork, ... and a message naming the object) or cannot boot
// at all (the flavor's disk is smaller than the image: ERROR with a fault, as Nova). Pure:
// lookups are functions over the informer caches.
//
// What Nova freezes at boot stays frozen once the VM exists: the flavor by status.flavor,
// the image by what the VM was built with, a deleted key pair by the key Secret written at
// boot.
import type { FlavorObject } from '../../kinds/flavor.js';
import type { ImageObject } from '../../kinds/image.js';
import type { InstanceObject } from '../../kinds/instance.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { PortObject } from '../../kinds/port.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import type { VolumeObject } from '../../kinds/volume.js';
import {
  imageDiskName,
  instancetypeName,
  kubeOvnSecurityGroupName,
  quantityBytes,
  type VirtualMachine,
} from '../engines.js';

import { canonicalCidr, canonicalIP } from '../../domain/address.js';

import {
  nicId,
  nicMac,
  nicSeed,
  VOLUMES,
  type BootDisk,
  type FlavorSnapshot,
  type InstanceInputs,
  type ResolvedNic,
  type ResolvedSubnet,
} from './desired.js';
import { primarySubnets, subnetGateway } from '../../domain/subnet.js';
import { effectivePublicKey } from '../../domain/keypair.js';
import { DEFAULT_SECURITY_GROUP } from '../../domain/naming.js';

export interface Lookups {
  flavor(name: string): FlavorObject | undefined;
  image(namespace: string, name: string): ImageObject | undefined;
  network(namespace: string, name: string): NetworkObject | undefined;
  subnets(namespace: string): SubnetObject[];
  keyPair(namespace: string, name: string): KeyPairObject | undefined;
  port(namespace: string, name: string): PortObject | undefined;
  volume(namespace: string, name: string): VolumeObject | undefined;
}

export interface Problem {
  /** CamelCase condition reason: WaitingForImage, FlavorDiskTooSmall, ... */
  reason: string;
  message: string;
}

export type Resolution =
  | {
      kind: 'ready';
      inputs: Omit<InstanceInputs, 'rebootingVmi' | 'sshKeySecret'>;
      /** The public key to install; undefined to keep the Secret written at boot (or none). */
      publicKey?: { keyName: string; key: string };
    }
  | ({ kind: 'waiting' } & Problem)
  | ({ kind: 'failed' } & Problem);

const GiB = 2 ** 30;

/** The flavor as booted: status.flavor once recorded, else the Flavor now. */
export function flavorSnapshot(flavor: FlavorObject): FlavorSnapshot {
  return {
    name: flavor.metadata.name!,
    vcpus: flavor.spec.vcpus,
    ramMiB: flavor.spec.ramMiB,
    diskGiB: flavor.spec.diskGiB,
    ephemeralGiB: flavor.spec.ephemeralGiB,
    swapMiB: flavor.spec.swapMiB,
    ...(flavor.spec.extraSpecs ? { extraSpecs: flavor.spec.extraSpecs } : {}),
  };
}

/** The boot disk a VM was built with, for when its image has since been deleted. */
export function bootFromVm(vm: VirtualMachine, instance: InstanceObject): BootDisk | undefined {
  const template = vm.spec.dataVolumeTemplates?.[0];
  const ref = template?.spec.sourceRef;
  const size = quantityBytes(template?.spec.storage?.resources?.requests?.storage);
  if (!ref || size === undefined) return undefined;
  const spec = vm.spec.template.spec;
  const root = spec.domain.devices.disks.find((d) => d.name === VOLUMES.root);
  const efi = spec.domain.firmware?.bootloader?.efi;
  const model = spec.domain.devices.interfaces[0]?.model;
  const properties: Record<string, string> = {
    ...(root?.disk?.bus ? { hw_disk_bus: root.disk.bus } : {}),
    ...(efi ? { hw_firmware_type: 'uefi' } : {}),
    ...(efi?.secureBoot ? { os_secure_boot: 'required' } : {}),
    ...(model ? { hw_vif_model: model } : {}),
  };
  return {
    kind: 'image',
    dataSource: { name: ref.name, namespace: ref.namespace ?? instance.metadata.namespace! },
    sizeGiB: Math.ceil(size / GiB),
    properties,
  };
}

function resolveSubnets(network: NetworkObject, subnets: SubnetObject[]): ResolvedSubnet[] {
  const primaries = primarySubnets(network.metadata.name!, subnets);
  return [primaries.v4, primaries.v6]
    .filter((s): s is SubnetObject => s !== undefined)
    .map((s) => {
      const gateway = subnetGateway(s);
      return {
        name: s.metadata.name!,
        version: s.spec.ipVersion === 6 ? 6 : 4,
        cidr: canonicalCidr(s.spec.cidr),
        ...(gateway ? { gateway } : {}),
        enableDHCP: s.spec.enableDHCP,
        dns: (s.spec.dnsNameservers ?? []).map(canonicalIP),
        hostRoutes: (s.spec.hostRoutes ?? []).map((r) => ({
          destination: canonicalCidr(r.destination),
          nexthop: canonicalIP(r.nexthop),
        })),
        ...(s.spec.ipv6AddressMode ? { ipv6AddressMode: s.spec.ipv6AddressMode } : {}),
      };
    });
}

/**
 * Resolve an Instance against the caches. `vm` is the existing VirtualMachine, if any:
 * once it exists, boot-time inputs that have gone are taken from it instead of waited for.
 */
export function resolveInstance(instance: InstanceObject, lookups: Lookups, vm?: VirtualMachine): Resolution {
  const namespace = instance.metadata.namespace!;
  const spec = instance.spec;
  const waits: Problem[] = [];
  const wait = (reason: string, message: string) => waits.push({ reason, message });

  // Flavor: the one it booted with, else the Flavor.
  const flavorObject = lookups.flavor(spec.flavor);
  const booted = instance.status?.flavor?.name === spec.flavor ? instance.status.flavor : undefined;
  const flavor: FlavorSnapshot | undefined =
    booted ?? (flavorObject ? flavorSnapshot(flavorObject) : undefined);
  if (!flavor) wait('WaitingForFlavor', `flavor ${spec.flavor} not found`);

  // Boot disk.
  let boot: BootDisk | undefined;
  if (spec.image) {
    const imageNamespace = spec.image.namespace ?? namespace;
    const ref = `${imageNamespace}/${spec.image.name}`;
    const image = lookups.image(imageNamespace, spec.image.name);
    if (vm) {
      // Booted already: the root disk is a clone and keeps what it was built with, whatever
      // the image does since (deleted, deactivated, re-imported — as with Glance).
      boot = bootFromVm(vm, instance);
    }
    if (!boot) {
      if (!image) {
        wait('WaitingForImage', `image ${ref} not found`);
      } else if (image.status?.state === 'killed') {
        return {
          kind: 'failed',
          reason: 'ImageNotBootable',
          message: `image ${ref} failed to import: ${image.status.message ?? 'state killed'}`,
        };
      } else if (image.status?.state !== 'active') {
        wait(
          'WaitingForImage',
          `image ${ref} is ${image.status?.state ?? 'not imported yet'}; waiting until it is active`,
        );
      } else if (flavor) {
        const imageGiB = image.status.virtualSizeBytes
          ? Math.ceil(image.status.virtualSizeBytes / GiB)
          : image.spec.minDiskGiB;
        const sizeGiB = spec.rootDiskGiB ?? (flavor.diskGiB > 0 ? flavor.diskGiB : imageGiB);
        if (sizeGiB < imageGiB || sizeGiB < image.spec.minDiskGiB) {
          const needed = Math.max(imageGiB, image.spec.minDiskGiB);
          return {
            kind: 'failed',
            reason: spec.rootDiskGiB !== undefined ? 'RootDiskTooSmall' : 'FlavorDiskTooSmall',
            message:
              spec.rootDiskGiB !== undefined
                ? `rootDiskGiB ${spec.rootDiskGiB} is smaller than image ${ref} (${needed} GiB); set at least ${needed}`
                : `flavor ${flavor.name} has a ${flavor.diskGiB} GiB root disk but image ${ref} needs ${needed} GiB; pick a larger flavor or set rootDiskGiB`,
          };
        }
        if (flavor.ramMiB < image.spec.minRamMiB) {
          return {
            kind: 'failed',
            reason: 'FlavorMemoryTooSmall',
            message: `flavor ${flavor.name} has ${flavor.ramMiB} MiB of memory but image ${ref} needs ${image.spec.minRamMiB} MiB; pick a larger flavor`,
          };
        }
        boot = {
          kind: 'image',
          dataSource: { name: imageDiskName(image.metadata.name!), namespace: imageNamespace },
          sizeGiB,
          properties: { ...(image.spec.properties ?? {}) },
        };
      }
    }
  } else if (spec.bootVolume) {
    const volume = lookups.volume(namespace, spec.bootVolume);
    const claim = volume?.status?.persistentVolumeClaim;
    if (!volume) wait('WaitingForVolume', `volume ${namespace}/${spec.bootVolume} not found`);
    else if (!claim) wait('WaitingForVolume', `volume ${namespace}/${spec.bootVolume} has no disk yet`);
    else boot = { kind: 'volume', volume: spec.bootVolume, claimName: claim };
  }

  // Key pair: installed at boot, kept afterwards.
  let publicKey: { keyName: string; key: string } | undefined;
  if (spec.keyName) {
    const keyPair = lookups.keyPair(namespace, spec.keyName);
    const key = keyPair ? effectivePublicKey(keyPair) : undefined;
    if (keyPair && key && keyPair.spec.type === 'ssh') publicKey = { keyName: spec.keyName, key };
    else if (!vm && !keyPair) wait('WaitingForKeyPair', `key pair ${namespace}/${spec.keyName} not found`);
    else if (!vm && !key)
      wait('WaitingForKeyPair', `key pair ${namespace}/${spec.keyName} has no public key yet`);
  }

  // NICs.
  const nics: ResolvedNic[] = [];
  const seen = new Set<string>();
  const defaultGroups = spec.securityGroups ?? [DEFAULT_SECURITY_GROUP];
  for (const [index, entry] of (spec.networks ?? []).entries()) {
    let port: PortObject | undefined;
    let networkRef = entry.network;
    if (entry.port) {
      port = lookups.port(namespace, entry.port);
      if (!port) {
        wait('WaitingForPort', `port ${namespace}/${entry.port} not found`);
        continue;
      }
      networkRef = port.spec.network;
    }
    if (!networkRef) continue;
    const networkNamespace = networkRef.namespace ?? namespace;
    const ref = `${networkNamespace}/${networkRef.name}`;
    if (seen.has(ref)) {
      return {
        kind: 'failed',
        reason: 'DuplicateNetwork',
        message: `network ${ref} is attached twice; an instance gets one NIC per network (Kube-OVN keys a NIC's addresses by its network)`,
      };
    }
    seen.add(ref);
    const network = lookups.network(networkNamespace, networkRef.name);
    if (!network) {
      wait('WaitingForNetwork', `network ${ref} not found`);
      continue;
    }
    if (!network.status?.networkAttachmentDefinition) {
      wait('WaitingForNetwork', `network ${ref} is not ready yet (its attachment is being created)`);
      continue;
    }
    const networkId = { name: networkRef.name, namespace: networkNamespace };
    const seed = nicSeed(instance.metadata.uid!, networkId);
    const portSecurity = port?.spec.portSecurityEnabled ?? network.spec.portSecurityEnabled;
    const groups = port ? (port.spec.securityGroups ?? [DEFAULT_SECURITY_GROUP]) : defaultGroups;
    const fixedIPs = port
      ? (port.spec.fixedIPs ?? []).flatMap((f) => (f.ipAddress ? [canonicalIP(f.ipAddress)] : []))
      : (entry.fixedIPs ?? []).map(canonicalIP);
    nics.push({
      name: `nic${index}`,
      network: {
        ...networkId,
        uid: network.metadata.uid!,
        ...(network.spec.mtu !== undefined ? { mtu: network.spec.mtu } : {}),
      },
      ...(port ? { port: port.metadata.name! } : {}),
      id: port?.metadata.uid ?? nicId(seed),
      mac: port?.spec.macAddress ?? port?.status?.macAddress ?? nicMac(port?.metadata.uid ?? seed),
      fixedIPs,
      subnets: resolveSubnets(network, lookups.subnets(networkNamespace)),
      portSecurity,
      // Security groups are the instance's (or port's), in the instance's namespace.
      securityGroups: portSecurity ? groups.map((g) => kubeOvnSecurityGroupName(namespace, g)) : [],
    });
  }

  if (waits.length > 0) {
    return { kind: 'waiting', reason: waits[0]!.reason, message: waits.map((w) => w.message).join('; ') };
  }
  if (!flavor || !boot) {
    // Only reachable for an instance with neither image nor boot volume, which CEL refuses.
    return { kind: 'failed', reason: 'InvalidSpec', message: 'set exactly one of image or bootVolume' };
  }
  return {
    kind: 'ready',
    inputs: { instance, flavor, instancetype: instancetypeName(flavor.name), boot, nics },
    ...(publicKey ? { publicKey } : {}),
  };
}

/**
 * What an Instance names, as index keys (`image:ns/name`, `network:ns/name`, `flavor:name`,
 * `keypair:ns/name`, `port:ns/name`, `volume:ns/name`): the controller files instances under
 * them, so an event on one of these finds the instances that read it without a scan.
 */
export function instanceReferences(instance: InstanceObject): string[] {
  const namespace = instance.metadata.namespace!;
  const spec = instance.spec;
  const refs = [referenceKey('flavor', undefined, spec.flavor)];
  if (spec.image) refs.push(referenceKey('image', spec.image.namespace ?? namespace, spec.image.name));
  if (spec.bootVolume) refs.push(referenceKey('volume', namespace, spec.bootVolume));
  if (spec.keyName) refs.push(referenceKey('keypair', namespace, spec.keyName));
  for (const entry of spec.networks ?? []) {
    if (entry.network) {
      refs.push(referenceKey('network', entry.network.namespace ?? namespace, entry.network.name));
    }
    if (entry.port) refs.push(referenceKey('port', namespace, entry.port));
  }
  return [...new Set(refs)];
}

/** The index key of a referenced object (see instanceReferences). */
export function referenceKey(
  kind: 'flavor' | 'image' | 'volume' | 'keypair' | 'network' | 'port',
  namespace: string | undefined,
  name: string | undefined,
): string {
  return namespace === undefined ? `${kind}:${name}` : `${kind}:${namespace}/${name}`;
}
