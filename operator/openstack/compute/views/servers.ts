// Nova server bodies from Instance objects. Names of the things a server refers to (its
// networks, image, flavor, key pair, security groups) come from the injected lookup.
import type { InstanceObject } from '../../../kinds/instance.js';
import { isoSeconds, updatedAt } from '../../common.js';
import { bookmarkOnly, resourceLinks } from './links.js';
import type { ComputeLookup } from './lookup.js';
import { keyPairName } from './keypairs.js';

/** Nova's vm_state for each server status. */
export const VM_STATES: Record<string, string> = {
  BUILD: 'building',
  ACTIVE: 'active',
  SHUTOFF: 'stopped',
  REBOOT: 'active',
  HARD_REBOOT: 'active',
  MIGRATING: 'active',
  ERROR: 'error',
  DELETED: 'deleted',
  UNKNOWN: 'error',
};

/** Nova's power_state numbers (nova/compute/power_state.py). */
const POWER_STATES: Record<string, number> = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
};

/** The server status Nova would report: the operator's, BUILD until it has written one. */
export const serverState = (inst: InstanceObject): string => inst.status?.state ?? 'BUILD';

/** The vm_state of a server status (`error` for anything unknown). */
export const vmStateOf = (state: string): string => VM_STATES[state] ?? 'error';

/** Nova's timestamps without zone in launched_at (`2013-09-23T13:53:12.000000`). */
const usageTime = (time: string | undefined) =>
  time ? new Date(time).toISOString().replace('Z', '000') : null;

/** What every server body starts with, and all that GET /servers shows. */
export function serverSummary(inst: InstanceObject, base: string) {
  const id = inst.metadata.uid!;
  return {
    id,
    name: inst.spec.displayName ?? inst.metadata.name!,
    links: resourceLinks(base, 'servers', id),
  };
}

/** Addresses by network label (the network's display name, else its object name). */
function addressesOf(inst: InstanceObject, lookup: Pick<ComputeLookup, 'network'>) {
  const ns = inst.metadata.namespace!;
  const addresses: Record<string, unknown[]> = {};
  for (const a of inst.status?.addresses ?? []) {
    const network = lookup.network(a.network.name, a.network.namespace ?? ns);
    const label = network?.spec.displayName || a.network.name;
    (addresses[label] ??= []).push({
      version: a.version,
      addr: a.address,
      'OS-EXT-IPS:type': a.type,
      ...(a.macAddress ? { 'OS-EXT-IPS-MAC:mac_addr': a.macAddress.toLowerCase() } : {}),
    });
  }
  return addresses;
}

/** The image reference: its id with a bookmark, '' for a server booted from a volume. */
function imageOf(inst: InstanceObject, base: string, lookup: Pick<ComputeLookup, 'image'>) {
  if (!inst.spec.image) return '';
  const { name, namespace } = inst.spec.image;
  const imageId = lookup.image(name, namespace ?? inst.metadata.namespace!)?.metadata.uid ?? name;
  return bookmarkOnly(base, 'images', imageId);
}

/** The parts of a detailed server that name other objects. */
function references(inst: InstanceObject, base: string, lookup: ComputeLookup) {
  const ns = inst.metadata.namespace!;
  const flavorId = lookup.flavor(inst.spec.flavor)?.metadata.uid ?? inst.spec.flavor;
  const keyPair = inst.spec.keyName ? lookup.keyPair(inst.spec.keyName, ns) : undefined;
  return {
    image: imageOf(inst, base, lookup),
    flavor: bookmarkOnly(base, 'flavors', flavorId),
    addresses: addressesOf(inst, lookup),
    key_name: keyPair ? keyPairName(keyPair) : (inst.spec.keyName ?? null),
    security_groups: (inst.spec.securityGroups ?? ['default']).map((name) => ({
      name: lookup.securityGroup(name, ns)?.spec.displayName || name,
    })),
  };
}

/** What GET /servers/detail and /servers/{id} show: `tenantId` is the project's id. */
export function serverDetail(inst: InstanceObject, base: string, tenantId: string, lookup: ComputeLookup) {
  const state = serverState(inst);
  const deleting = !!inst.metadata.deletionTimestamp;
  const { image, flavor, addresses, key_name, security_groups } = references(inst, base, lookup);
  const fault = inst.status?.fault;
  return {
    ...serverSummary(inst, base),
    status: state,
    tenant_id: tenantId,
    user_id: lookup.creatorId(inst),
    metadata: inst.spec.metadata ?? {},
    hostId: '',
    image,
    flavor,
    created: isoSeconds(inst.metadata.creationTimestamp),
    updated: updatedAt(inst),
    addresses,
    accessIPv4: '',
    accessIPv6: '',
    progress: inst.status?.progress ?? (state === 'ACTIVE' ? 100 : 0),
    key_name,
    config_drive: inst.spec.configDrive ? 'True' : '',
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': inst.spec.availabilityZone ?? 'nova',
    'OS-EXT-STS:task_state': deleting ? 'deleting' : (inst.status?.taskState ?? null),
    'OS-EXT-STS:vm_state': vmStateOf(state),
    'OS-EXT-STS:power_state': POWER_STATES[inst.status?.powerState ?? 'NOSTATE'] ?? 0,
    'OS-SRV-USG:launched_at': usageTime(inst.status?.launchedAt),
    'OS-SRV-USG:terminated_at': usageTime(inst.status?.terminatedAt),
    // Volumes are not served yet (no Cinder): their names stand in for ids.
    'os-extended-volumes:volumes_attached': (inst.status?.volumesAttached ?? []).map((v) => ({
      id: v.volume,
    })),
    security_groups,
    ...(fault && state === 'ERROR'
      ? { fault: { code: fault.code, message: fault.message, created: isoSeconds(fault.createdAt) } }
      : {}),
  };
}

/** The answer to POST /servers (202): the id, links and what was asked for. */
export function serverCreated(
  inst: InstanceObject,
  base: string,
  securityGroups: ReadonlyArray<{ name: string }> | undefined,
) {
  const id = inst.metadata.uid!;
  return {
    id,
    links: resourceLinks(base, 'servers', id),
    'OS-DCF:diskConfig': 'MANUAL',
    security_groups: (securityGroups ?? [{ name: 'default' }]).map((g) => ({ name: g.name })),
  };
}
