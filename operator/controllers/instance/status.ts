// What Nova would report about a server, read from the VirtualMachine, its
// VirtualMachineInstance and Kube-OVN's address records. Pure.
//
// KubeVirt's printableStatus → Nova status (task state, power state):
//   Provisioning, WaitingForVolumeBinding  → BUILD (block_device_mapping), or SHUTOFF
//                                            (powering-on) for an instance that ran before
//   Starting                               → BUILD (spawning) / SHUTOFF (powering-on)
//   Running + VMI Ready                    → ACTIVE, RUNNING
//   Stopping                               → ACTIVE (powering-off)
//   Stopped                                → SHUTOFF, SHUTDOWN
//   Paused                                 → ACTIVE, PAUSED
//   Migrating                              → MIGRATING (migrating)
//   CrashLoopBackOff, ErrorUnschedulable, ErrImagePull, ImagePullBackOff,
//   ErrorPvcNotFound, ErrorDataVolumeNotFound, DataVolumeError → ERROR with a fault
//   Unknown                                → UNKNOWN
// A reboot in progress shows REBOOT / HARD_REBOOT until the new VMI is Ready.
import type { InstanceObject } from '../../kinds/instance.js';
import type { ConditionInput } from '../../runtime/conditions.js';
import {
  ANNOTATIONS,
  kubeOvnSubnetName,
  type KubeOvnIP,
  type VirtualMachine,
  type VirtualMachineInstance,
  type VmCondition,
} from '../engines.js';
import { ipVersion } from '../../domain/address.js';
import { hostnameOf, rootDiskName, type FlavorSnapshot, type ResolvedNic } from './desired.js';
import type { Problem } from './resolve.js';

type InstanceStatus = NonNullable<InstanceObject['status']>;
type LastReboot = NonNullable<InstanceStatus['lastReboot']>;

export const ERROR_STATUSES = [
  'CrashLoopBackOff',
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'ErrorDataVolumeNotFound',
  'DataVolumeError',
];

export interface InstanceObservation {
  vm?: VirtualMachine;
  vmi?: VirtualMachineInstance;
  /** Kube-OVN's address records of this VM (they outlive a stopped VMI). */
  ips: readonly KubeOvnIP[];
  /** The NICs as resolved; empty while waiting. */
  nics: readonly ResolvedNic[];
  waiting?: Problem;
  failure?: Problem;
  /** The flavor to record as booted (kept once recorded). */
  flavor?: FlavorSnapshot;
  /** status.lastReboot after this reconcile's reboot bookkeeping. */
  lastReboot?: LastReboot;
  now: Date;
}

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

export function vmiReady(vmi: VirtualMachineInstance | undefined): boolean {
  return (
    vmi?.status?.phase === 'Running' &&
    (vmi.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** The reason a VM is in trouble, from its conditions (Failure first), else its status. */
function vmFault(vm: VirtualMachine, printable: string): string {
  const conditions: VmCondition[] = vm.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === 'Failure' && c.status === 'True');
  const notReady = conditions.find((c) => c.type === 'Ready' && c.status === 'False' && c.message);
  const text = failure?.message || failure?.reason || notReady?.message || printable;
  return `${printable}: ${text}`.replace(/^(\w+): \1$/, '$1');
}

/** Fixed addresses per NIC: the VMI's report first, Kube-OVN's allocation records otherwise. */
export function instanceAddresses(
  vm: VirtualMachine | undefined,
  vmi: VirtualMachineInstance | undefined,
  ips: readonly KubeOvnIP[],
  nics: readonly ResolvedNic[],
): NonNullable<InstanceStatus['addresses']> {
  const out: NonNullable<InstanceStatus['addresses']> = [];
  for (const nic of nics) {
    const reported = vmi?.status?.interfaces?.find((i) => i.name === nic.name);
    let addresses = reported?.ipAddresses ?? (reported?.ipAddress ? [reported.ipAddress] : []);
    let mac = reported?.mac ?? nic.mac;
    if (addresses.length === 0) {
      const record = ips.find(
        (ip) =>
          ip.spec.podName === vm?.metadata?.name &&
          ip.spec.namespace === vm?.metadata?.namespace &&
          ip.spec.subnet === kubeOvnSubnetName(nic.network.namespace, nic.network.name),
      );
      if (record) {
        addresses = [record.spec.v4IpAddress, record.spec.v6IpAddress].filter((a): a is string => !!a);
        mac = record.spec.macAddress || mac;
      }
    }
    for (const address of addresses) {
      const version = ipVersion(address);
      // Link-local IPv6 is every NIC's own business, not an address of the server.
      if (!version || address.toLowerCase().startsWith('fe80:')) continue;
      out.push({
        network: { name: nic.network.name, namespace: nic.network.namespace },
        ...(nic.port ? { port: nic.port } : {}),
        version,
        address,
        macAddress: mac.toLowerCase(),
        type: 'fixed',
      });
    }
  }
  return out;
}

/** When the VMI last became Running, if it says. */
function runningSince(vmi: VirtualMachineInstance | undefined): string | undefined {
  return vmi?.status?.phaseTransitionTimestamps?.find((t) => t.phase === 'Running')?.phaseTransitionTimestamp;
}

/** The instance's whole status (without conditions) and its Ready condition. */
export function instanceStatus(
  instance: InstanceObject,
  observed: InstanceObservation,
): { status: InstanceStatus; ready: ConditionInput } {
  const { vm, vmi } = observed;
  const previous = instance.status ?? {};
  const name = instance.metadata.name!;
  const stopped = instance.spec.powerState === 'Stopped';
  const rebooting = observed.lastReboot && !observed.lastReboot.completedAt ? observed.lastReboot : undefined;

  const status: InstanceStatus = {
    hostname: hostnameOf(instance),
    ...(instance.spec.image ? { rootDisk: rootDiskName(name) } : {}),
    ...(instance.spec.bootVolume ? { volumesAttached: [{ volume: instance.spec.bootVolume }] } : {}),
  };
  const flavor = previous.flavor ?? observed.flavor;
  if (flavor) status.flavor = flavor;
  if (observed.lastReboot) status.lastReboot = observed.lastReboot;
  if (previous.launchedAt) status.launchedAt = previous.launchedAt;
  if (vm) status.virtualMachine = vm.metadata?.name ?? name;
  if (vmi?.status?.nodeName) status.host = vmi.status.nodeName;
  const addresses = instanceAddresses(vm, vmi, observed.ips, observed.nics.length > 0 ? observed.nics : []);
  if (addresses.length > 0) status.addresses = addresses;
  else if (previous.addresses && observed.nics.length === 0) status.addresses = previous.addresses;
  status.powerState = vmi?.status?.phase === 'Running' ? 'RUNNING' : vm ? 'SHUTDOWN' : 'NOSTATE';

  const error = (
    reason: string,
    message: string,
    code = 500,
  ): { status: InstanceStatus; ready: ConditionInput } => {
    const sameFault = previous.fault?.message === message.slice(0, 255);
    status.state = 'ERROR';
    status.fault = {
      code,
      message: message.slice(0, 255),
      ...(message.length > 255 ? { details: message.slice(0, 16_384) } : {}),
      createdAt: sameFault && previous.fault?.createdAt ? previous.fault.createdAt : isoSeconds(observed.now),
    };
    return { status, ready: { type: 'Ready', status: 'False', reason, message } };
  };

  if (observed.failure) return error(observed.failure.reason, observed.failure.message, 400);
  if (observed.waiting && !vm) {
    status.state = 'BUILD';
    status.taskState = 'scheduling';
    return { status, ready: { type: 'Ready', status: 'False', ...observed.waiting } };
  }
  if (!vm) {
    status.state = 'BUILD';
    status.taskState = 'scheduling';
    return {
      status,
      ready: { type: 'Ready', status: 'False', reason: 'Creating', message: 'creating the virtual machine' },
    };
  }

  const printable = vm.status?.printableStatus ?? '';
  const launched = previous.launchedAt !== undefined;
  const ready = (reason: string, message: string): ConditionInput => ({
    type: 'Ready',
    status: 'True',
    reason,
    message,
  });
  const notReady = (reason: string, message: string): ConditionInput => ({
    type: 'Ready',
    status: 'False',
    reason,
    message,
  });
  let result: ConditionInput;

  if (ERROR_STATUSES.includes(printable)) {
    return error(printable, vmFault(vm, printable));
  } else if (rebooting && !stopped) {
    status.state = rebooting.type === 'HARD' ? 'HARD_REBOOT' : 'REBOOT';
    status.taskState = rebooting.type === 'HARD' ? 'rebooting_hard' : 'rebooting';
    result = notReady('Rebooting', `rebooting (request ${rebooting.id})`);
  } else if (printable === 'Migrating') {
    status.state = 'MIGRATING';
    status.taskState = 'migrating';
    result = ready('Migrating', 'live-migrating to another node');
  } else if (printable === 'Paused') {
    status.state = 'ACTIVE';
    status.powerState = 'PAUSED';
    result = notReady('Paused', 'the virtual machine is paused');
  } else if (printable === 'Unknown') {
    status.state = 'UNKNOWN';
    result = notReady('Unknown', 'KubeVirt cannot tell the state of the virtual machine');
  } else if (stopped) {
    if (printable === 'Stopped' || (!vmi && printable === '')) {
      status.state = 'SHUTOFF';
      status.powerState = 'SHUTDOWN';
      result = ready('Stopped', 'stopped, as requested');
    } else {
      status.state = launched ? 'ACTIVE' : 'BUILD';
      status.taskState = 'powering-off';
      result = notReady('Stopping', 'stopping');
    }
  } else if (vmiReady(vmi)) {
    status.state = 'ACTIVE';
    status.powerState = 'RUNNING';
    status.launchedAt ??= runningSince(vmi) ?? isoSeconds(observed.now);
    result = ready('Running', 'running');
  } else if (launched) {
    // It ran before: this is a start after a stop (or KubeVirt restarting it).
    status.state = 'SHUTOFF';
    status.taskState = 'powering-on';
    result = notReady('Starting', `starting${printable ? ` (${printable})` : ''}`);
  } else {
    status.state = 'BUILD';
    status.taskState =
      printable === 'Provisioning' || printable === 'WaitingForVolumeBinding'
        ? 'block_device_mapping'
        : printable === 'Starting'
          ? 'spawning'
          : 'scheduling';
    result = notReady('Building', `building${printable ? ` (${printable})` : ''}`);
  }
  if (observed.waiting) {
    // The VM runs on, but a change to the spec waits for something.
    result = notReady(observed.waiting.reason, observed.waiting.message);
  }
  return { status, ready: result };
}

/** Reboot bookkeeping: the lastReboot to record and the VMI uid to replace, if any. */
export function rebootStep(
  instance: InstanceObject,
  vm: VirtualMachine | undefined,
  vmi: VirtualMachineInstance | undefined,
  now: Date,
): { lastReboot?: LastReboot; target?: string } {
  const request = instance.spec.rebootRequest;
  const last = instance.status?.lastReboot;
  const stopped = instance.spec.powerState === 'Stopped';
  if (request && request.id !== last?.id) {
    // Nothing runs: the request is served by doing nothing (Nova refuses; we record it).
    if (stopped || !vm || !vmi)
      return { lastReboot: { id: request.id, type: request.type, completedAt: isoSeconds(now) } };
    return { lastReboot: { id: request.id, type: request.type }, target: vmi.metadata?.uid };
  }
  if (last && !last.completedAt) {
    if (stopped || !vm) return { lastReboot: { ...last, completedAt: isoSeconds(now) } };
    const target = vm.metadata?.annotations?.[ANNOTATIONS.rebootingVmi] ?? vmi?.metadata?.uid;
    if (vmi && vmi.metadata?.uid !== target && vmiReady(vmi)) {
      return { lastReboot: { ...last, completedAt: isoSeconds(now) } };
    }
    return { lastReboot: last, ...(target ? { target } : {}) };
  }
  return last ? { lastReboot: last } : {};
}
