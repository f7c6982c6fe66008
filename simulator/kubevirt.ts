// SIMULATION of KubeVirt (kubevirt/kubevirt pkg/virt-controller/watch/vm, virt-handler) with
// Kube-OVN as the CNI: no KVM, no virt-launcher pod, no guest. What is simulated is what
// KubeVirt reports through the API:
//   - the VM controller: DataVolumes from spec.dataVolumeTemplates (created at once, owned by
//     the VM, as KubeVirt's immediate DataVolume creation does), then the runStrategy
//     (Always, RerunOnFailure, Once, Manual, Halted; legacy spec.running) starting and
//     stopping a VirtualMachineInstance of the VM's name; VM status printableStatus, ready,
//     created, conditions (Ready, Failure, RestartRequired and the VMI's), runStrategy,
//     volumeSnapshotStatuses. Deleting the VMI of an `Always` VM starts a new one (a reboot);
//     as in KubeVirt, `RerunOnFailure` restarts only a VMI that failed.
//   - "virt-handler": VMI phases Pending → Scheduling → Scheduled → Running, each after a
//     delay; the VMI waits in Pending for its volumes (DataVolumes Succeeded, PVCs bound),
//     in Scheduling when it asks for more than the simulated node has (ErrorUnschedulable).
//   - "Kube-OVN CNI": on scheduling, each network gets addresses from its Kube-OVN subnet
//     (a Multus network through its NetworkAttachmentDefinition's provider
//     `<nad>.<ns>.ovn`; the pod network from the namespace's or the default subnet),
//     honouring `<provider>.kubernetes.io/ip_address`, `mac_address` and `logical_switch`
//     annotations of the VM template; the VMI reports them in status.interfaces.
import { createHash } from 'node:crypto';
import { controllerFor } from '../operator/runtime/controller.js';
import {
  cached,
  cachedList,
  compact,
  conditionOf,
  controllerRef,
  createIfAbsent,
  deleteObject,
  isControlledBy,
  jsonEqual,
  markSimulated,
  nameOf,
  refsOf,
  parseQuantity,
  setCondition,
  SIM_NODE,
  SIMULATED,
  timestamp,
  writeStatus,
  type ConditionInput,
  type KubevirtCondition,
  type Obj,
  type Sim,
} from './common.js';
import type { DataVolume } from './cdi.js';
import type { Pvc } from './csi.js';
import { macFor } from './ipam.js';
import {
  annotationFor,
  DEFAULT_SUBNET,
  ensureIp,
  nadNetwork,
  OVN_PROVIDER,
  portName,
  type AddressBook,
  type Nad,
  type Subnet,
} from './kubeovn.js';
import { engines, kube } from '../operator/kinds/external.js';

export interface VmInterface {
  name: string;
  macAddress?: string;
  [binding: string]: unknown;
}
export interface VmNetwork {
  name: string;
  pod?: Record<string, unknown>;
  multus?: { networkName?: string; default?: boolean };
}
export interface VmVolume {
  name: string;
  dataVolume?: { name?: string };
  persistentVolumeClaim?: { claimName?: string };
  [source: string]: unknown;
}
export interface VmiSpec {
  domain?: {
    devices?: { interfaces?: VmInterface[]; autoattachPodInterface?: boolean; [k: string]: unknown };
    cpu?: { sockets?: number; cores?: number; threads?: number; [k: string]: unknown };
    memory?: { guest?: string };
    resources?: { requests?: Record<string, string> };
    [k: string]: unknown;
  };
  networks?: VmNetwork[];
  volumes?: VmVolume[];
  [k: string]: unknown;
}
export interface DataVolumeTemplate {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}
export interface VmSpec {
  running?: boolean;
  runStrategy?: string;
  instancetype?: { kind?: string; name?: string };
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: VmiSpec;
  };
  dataVolumeTemplates?: DataVolumeTemplate[];
}
export interface StateChangeRequest {
  action: 'Start' | 'Stop';
  uid?: string;
  data?: Record<string, string>;
}
export interface VmStatus {
  printableStatus?: string;
  ready?: boolean;
  created?: boolean;
  conditions?: KubevirtCondition[];
  runStrategy?: string;
  stateChangeRequests?: StateChangeRequest[];
}
export interface InterfaceStatus {
  name: string;
  interfaceName?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
  infoSource?: string;
  queueCount?: number;
  podInterfaceName?: string;
  linkState?: string;
}
export interface VmiStatus {
  phase?: string;
  conditions?: KubevirtCondition[];
  interfaces?: InterfaceStatus[];
  nodeName?: string;
  phaseTransitionTimestamps?: Array<{ phase: string; phaseTransitionTimestamp: string }>;
}
export type Vm = Obj<VmSpec, VmStatus>;
export type Vmi = Obj<VmiSpec, VmiStatus>;
export type Instancetype = Obj<{ cpu?: { guest?: number }; memory?: { guest?: string } }>;

/** What the simulated node offers; a VMI asking for more is unschedulable. */
export const NODE_CAPACITY = { cpus: 128, memory: 512n << 30n } as const;
export const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
const CLUSTER_INSTANCETYPE = 'VirtualMachineClusterInstancetype';

// ---------------------------------------------------------------------------------------
// Pure decisions: the VM controller.

/** The VM's run strategy (spec.runStrategy, else legacy spec.running, else Halted). */
export function runStrategyOf(vm: Vm): string {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  return vm.spec?.running === true ? 'Always' : 'Halted';
}

export const isFinal = (vmi: Vmi | undefined): boolean =>
  vmi?.status?.phase === 'Succeeded' || vmi?.status?.phase === 'Failed';

const firstRequest = (vm: Vm) => vm.status?.stateChangeRequests?.[0];
const hasStartRequest = (vm: Vm) => firstRequest(vm)?.action === 'Start';
const hasStopRequestFor = (vm: Vm, vmi: Vmi) =>
  firstRequest(vm)?.action === 'Stop' && !!vmi.metadata.uid && firstRequest(vm)?.uid === vmi.metadata.uid;

export interface RunDecision {
  start: boolean;
  stop: boolean;
  /** RerunOnFailure: remember to start again after the failed VMI is gone. */
  addStartRequest: boolean;
  error?: string;
}

/** KubeVirt's syncRunStrategy: start or stop the VMI for the run strategy. */
export function decideRun(vm: Vm, vmi: Vmi | undefined, runStrategy: string): RunDecision {
  const none: RunDecision = { start: false, stop: false, addStartRequest: false };
  const deleting = !!vmi?.metadata.deletionTimestamp;
  switch (runStrategy) {
    case 'Always':
      if (vmi) return { ...none, stop: !deleting && (isFinal(vmi) || hasStopRequestFor(vm, vmi)) };
      return { ...none, start: true };
    case 'RerunOnFailure':
      if (vmi) {
        const failed = vmi.status?.phase === 'Failed';
        const stop = !deleting && (failed || vmi.status?.phase === 'Succeeded' || hasStopRequestFor(vm, vmi));
        return { ...none, stop, addStartRequest: stop && failed };
      }
      // Start on request, or when the strategy has just been switched to RerunOnFailure.
      return { ...none, start: hasStartRequest(vm) || vm.status?.runStrategy !== runStrategy };
    case 'Manual':
      if (vmi) return { ...none, stop: !deleting && hasStopRequestFor(vm, vmi) };
      return { ...none, start: hasStartRequest(vm) };
    case 'Halted':
      return { ...none, stop: !!vmi && !deleting };
    case 'Once':
      return { ...none, start: !vmi };
    default:
      return { ...none, error: `unknown runstrategy: ${runStrategy}` };
  }
}

/** Whether the VM is meant to be running (KubeVirt's isSetToStart). */
export function isSetToStart(vm: Vm, vmi: Vmi | undefined, runStrategy: string): boolean {
  switch (runStrategy) {
    case 'Always':
      return true;
    case 'Manual':
      return vmi ? !hasStopRequestFor(vm, vmi) : hasStartRequest(vm);
    case 'RerunOnFailure':
      return vmi
        ? vmi.status?.phase !== 'Succeeded'
        : hasStartRequest(vm) || vm.status?.runStrategy !== runStrategy;
    case 'Once':
      return !vmi;
    default:
      return false;
  }
}

/** Drop a start request once its VMI exists, a stop request once its VMI is gone. */
export function trimRequests(
  requests: readonly StateChangeRequest[],
  vmi: Vmi | undefined,
): StateChangeRequest[] {
  const [first, ...rest] = requests;
  if (!first) return [];
  if (first.action === 'Start' && vmi && !isFinal(vmi)) return [...rest];
  if (first.action === 'Stop' && (!vmi || vmi.metadata.uid !== first.uid)) return [...rest];
  return [...requests];
}

/** The DataVolume KubeVirt creates from a template (name from the template, owned by the VM). */
export function dataVolumeFor(vm: Vm, template: DataVolumeTemplate): DataVolume {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: {
      name: template.metadata?.name ?? '',
      namespace: vm.metadata.namespace,
      labels: { ...template.metadata?.labels, ...SIMULATED },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerRef(vm, engines.virtualMachines)],
    },
    spec: template.spec ?? {},
  };
}

/** The VMI the VM controller creates (SetupVMIFromVM), with the instancetype applied. */
export function vmiFor(vm: Vm, instancetype: Instancetype | undefined): Vmi {
  const template = vm.spec?.template ?? {};
  const spec: VmiSpec = structuredClone(template.spec ?? {});
  if (instancetype) {
    const domain = (spec.domain ??= {});
    const guest = instancetype.spec?.cpu?.guest;
    if (guest) domain.cpu = { ...domain.cpu, sockets: guest, cores: 1, threads: 1 };
    const memory = instancetype.spec?.memory?.guest;
    if (memory) domain.memory = { ...domain.memory, guest: memory };
  }
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      name: nameOf(vm),
      namespace: vm.metadata.namespace,
      labels: { ...template.metadata?.labels, ...SIMULATED },
      annotations: {
        ...template.metadata?.annotations,
        'kubevirt.io/vm-generation': String(vm.metadata.generation ?? 1),
      },
      ownerReferences: [controllerRef(vm, engines.virtualMachines)],
    },
    spec,
  };
}

/** The claim a volume uses (a DataVolume's claim has the DataVolume's name). */
export function claimNameOf(volume: VmVolume): string | undefined {
  return volume.persistentVolumeClaim?.claimName ?? volume.dataVolume?.name;
}

export interface VolumeWorld {
  dataVolume(name: string): DataVolume | undefined;
  claim(name: string): Pvc | undefined;
}

/** KubeVirt's HasDataVolumeErrors: a volume's DataVolume failed, or its importer errors. */
export function dataVolumeError(volumes: readonly VmVolume[], world: VolumeWorld): string | undefined {
  for (const v of volumes) {
    const dv = v.dataVolume?.name ? world.dataVolume(v.dataVolume.name) : undefined;
    if (!dv) continue;
    if (dv.status?.phase === 'Failed') return `DataVolume ${nameOf(dv)} is in Failed phase`;
    const running = conditionOf(dv.status?.conditions, 'Running');
    if (running?.status === 'False' && (running.reason === 'Error' || running.reason === 'ImagePullFailed')) {
      return `DataVolume ${nameOf(dv)} importer has stopped running due to an error: ${running.message ?? ''}`;
    }
  }
  return undefined;
}

/** KubeVirt's HasDataVolumeProvisioning. */
export function dataVolumeProvisioning(volumes: readonly VmVolume[], world: VolumeWorld): boolean {
  return volumes.some((v) => {
    const dv = v.dataVolume?.name ? world.dataVolume(v.dataVolume.name) : undefined;
    if (!dv || dv.status?.phase === 'Succeeded' || dv.status?.phase === 'PendingPopulation') return false;
    const bound = conditionOf(dv.status?.conditions, 'Bound')?.status === 'True';
    return bound || dv.status?.phase !== 'WaitForFirstConsumer';
  });
}

export function unboundClaim(volumes: readonly VmVolume[], world: VolumeWorld): boolean {
  return volumes.some((v) => {
    const name = claimNameOf(v);
    const pvc = name ? world.claim(name) : undefined;
    return !!pvc && pvc.status?.phase !== 'Bound';
  });
}

export interface PrintableInput {
  vm: Vm;
  vmi: Vmi | undefined;
  runStrategy: string;
  world: VolumeWorld;
}

const vmiCondition = (vmi: Vmi | undefined, type: string) => conditionOf(vmi?.status?.conditions, type);

/** status.printableStatus, first match wins, in KubeVirt's order (setPrintableStatus). */
export function printableStatus({ vm, vmi, runStrategy, world }: PrintableInput): string {
  const volumes = vm.spec?.template?.spec?.volumes ?? [];
  const phase = vmi?.status?.phase ?? '';
  if (vm.metadata.deletionTimestamp) return 'Terminating';
  if (vmi && !isFinal(vmi) && (vmi.metadata.deletionTimestamp || runStrategy === 'Halted')) return 'Stopping';
  if (vmi && phase === 'Running') {
    return vmiCondition(vmi, 'Paused')?.status === 'True' ? 'Paused' : 'Running';
  }
  const sync = vmiCondition(vmi, 'Synchronized');
  if (sync?.status === 'False' && sync.reason === 'FailedPvcNotFound') return 'ErrorPvcNotFound';
  if (dataVolumeError(volumes, world)) return 'DataVolumeError';
  const scheduled = vmiCondition(vmi, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') return 'ErrorUnschedulable';
  if (dataVolumeProvisioning(volumes, world)) return 'Provisioning';
  if (isSetToStart(vm, vmi, runStrategy) && unboundClaim(volumes, world)) return 'WaitingForVolumeBinding';
  if (vmi && ['', 'Pending', 'Scheduling', 'Scheduled'].includes(phase)) return 'Starting';
  if (!vmi || isFinal(vmi)) return 'Stopped';
  return 'Unknown';
}

/** VM conditions: Ready from the VMI, Failure from a sync error, RestartRequired, and the VMI's others. */
export function vmConditions(
  vm: Vm,
  vmi: Vmi | undefined,
  failure: ConditionInput | undefined,
  restartRequired: boolean,
  now: string,
): KubevirtCondition[] {
  let list: KubevirtCondition[] = [...(vm.status?.conditions ?? [])];
  const ready = vmiCondition(vmi, 'Ready');
  if (!vmi) {
    list = setCondition(
      'kubevirt',
      list,
      { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist' },
      now,
    );
  } else if (!ready) {
    list = setCondition(
      'kubevirt',
      list,
      {
        type: 'Ready',
        status: 'False',
        reason: 'VMIConditionMissing',
        message: 'VMI is missing the Ready condition',
      },
      now,
    );
  } else {
    list = list.filter((c) => c.type !== 'Ready');
    list.unshift({ ...ready });
  }
  list = failure
    ? setCondition('kubevirt', list, { ...failure, type: 'Failure', status: 'True' }, now)
    : list.filter((c) => c.type !== 'Failure');
  list = restartRequired
    ? setCondition(
        'kubevirt',
        list,
        {
          type: 'RestartRequired',
          status: 'True',
          message: 'a non-live-updatable field was changed in the template spec',
        },
        now,
      )
    : list.filter((c) => c.type !== 'RestartRequired');
  if (vmi) {
    const own = new Set(['Ready', 'Failure', 'RestartRequired']);
    const fromVmi = (vmi.status?.conditions ?? []).filter((c) => !own.has(c.type));
    list = list.filter((c) => own.has(c.type) || fromVmi.some((v) => v.type === c.type));
    for (const c of fromVmi) {
      const index = list.findIndex((x) => x.type === c.type);
      if (index >= 0) list[index] = { ...c };
      else list.push({ ...c });
    }
  }
  return list;
}

/** volumeSnapshotStatuses: RBD-backed volumes can be snapshotted, others cannot. */
export function volumeSnapshotStatuses(vm: Vm): Array<Record<string, unknown>> {
  return (vm.spec?.template?.spec?.volumes ?? []).map((v) =>
    v.dataVolume || v.persistentVolumeClaim
      ? { name: v.name, enabled: true }
      : {
          name: v.name,
          enabled: false,
          reason: `Snapshot is not supported for this volumeSource type [${v.name}]`,
        },
  );
}

// ---------------------------------------------------------------------------------------
// Pure decisions: the VMI ("virt-handler" and the CNI).

export interface NetworkPlan {
  name: string;
  index: number;
  kind: 'pod' | 'multus';
  nadNamespace?: string;
  nadName?: string;
  macAddress?: string;
}

/** The VMI's networks with their interface index and requested MAC (a pod network when none is given). */
export function networkPlans(vmi: Vmi): NetworkPlan[] {
  const spec = vmi.spec ?? {};
  const interfaces = spec.domain?.devices?.interfaces ?? [];
  const networks =
    spec.networks ??
    (spec.domain?.devices?.autoattachPodInterface === false ? [] : [{ name: 'default', pod: {} }]);
  return networks.map((network, index) => {
    const mac = interfaces.find((i) => i.name === network.name)?.macAddress;
    if (network.multus?.networkName) {
      const [a, b] = network.multus.networkName.split('/');
      const nadNamespace = b === undefined ? vmi.metadata.namespace : a;
      const nadName = b === undefined ? a : b;
      return { name: network.name, index, kind: 'multus', nadNamespace, nadName, macAddress: mac };
    }
    return { name: network.name, index, kind: 'pod', macAddress: mac };
  });
}

/** Kube-OVN's per-provider annotations on the VM template (hence on the VMI and its pod). */
export function requestsFor(
  annotations: Record<string, string> | undefined,
  provider: string,
): { ip?: string; mac?: string; logicalSwitch?: string } {
  const a = annotations ?? {};
  return compact({
    ip: a[annotationFor(provider, 'ip_address')],
    mac: a[annotationFor(provider, 'mac_address')],
    logicalSwitch: a[annotationFor(provider, 'logical_switch')],
  });
}

/** The name of a Multus interface inside the launcher pod (`pod` + a hash of the network name). */
export function podInterfaceName(plan: NetworkPlan): string {
  if (plan.kind === 'pod') return 'eth0';
  const hash = createHash('sha256').update(`${plan.nadNamespace}/${plan.nadName}`).digest('hex');
  return `pod${hash.slice(0, 11)}`;
}

export function interfaceStatus(
  plan: NetworkPlan,
  addresses: readonly string[],
  mac: string,
): InterfaceStatus {
  return compact({
    name: plan.name,
    interfaceName: `eth${plan.index}`,
    ipAddress: addresses[0],
    ipAddresses: addresses.length ? [...addresses] : undefined,
    mac,
    infoSource: plan.kind === 'multus' ? 'domain, guest-agent, multus-status' : 'domain, guest-agent',
    queueCount: 1,
    podInterfaceName: podInterfaceName(plan),
    linkState: 'up',
  });
}

/** Why the simulated node cannot take the VMI (as the scheduler says it), if it cannot. */
export function unschedulableMessage(vmi: Vmi): string | undefined {
  const domain = vmi.spec?.domain ?? {};
  const memory = parseQuantity(domain.memory?.guest) ?? parseQuantity(domain.resources?.requests?.memory);
  const cpu = domain.cpu;
  const cpus = cpu
    ? (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1)
    : Number(domain.resources?.requests?.cpu ?? 0);
  const short: string[] = [];
  if (cpus > NODE_CAPACITY.cpus) short.push('Insufficient cpu');
  if (memory !== undefined && memory > NODE_CAPACITY.memory) short.push('Insufficient memory');
  return short.length ? `0/1 nodes are available: 1 ${short.join(', 1 ')}. (simulated)` : undefined;
}

export type VolumesReadiness =
  | { ready: true }
  | { ready: false; condition: 'Synchronized' | 'DataVolumesReady'; reason: string; message: string };

/** Whether the VMI's volumes can be attached: DataVolumes Succeeded, claims present and bound. */
export function volumesReadiness(vmi: Vmi, world: VolumeWorld): VolumesReadiness {
  for (const v of vmi.spec?.volumes ?? []) {
    const dvName = v.dataVolume?.name;
    const dv = dvName ? world.dataVolume(dvName) : undefined;
    if (dv && !['Succeeded', 'WaitForFirstConsumer', 'PendingPopulation'].includes(dv.status?.phase ?? '')) {
      return {
        ready: false,
        condition: 'DataVolumesReady',
        reason: 'NotAllDVsReady',
        message: `Not all of the VMI's DVs are ready: DataVolume ${dvName} is in phase ${dv.status?.phase ?? 'Pending'}`,
      };
    }
    const claim = claimNameOf(v);
    if (!claim) continue;
    const pvc = world.claim(claim);
    if (!pvc) {
      return {
        ready: false,
        condition: 'Synchronized',
        reason: 'FailedPvcNotFound',
        message: `PVC ${vmi.metadata.namespace}/${claim} does not exist, waiting for it to appear`,
      };
    }
    if (pvc.status?.phase !== 'Bound') {
      return {
        ready: false,
        condition: 'DataVolumesReady',
        reason: 'NotAllDVsReady',
        message: `PVC ${claim} is not bound`,
      };
    }
  }
  return { ready: true };
}

/** LiveMigratable: every claim shared (ReadWriteMany), as KubeVirt requires. */
export function liveMigratable(vmi: Vmi, world: VolumeWorld): ConditionInput {
  for (const v of vmi.spec?.volumes ?? []) {
    const claim = claimNameOf(v);
    const pvc = claim ? world.claim(claim) : undefined;
    if (pvc && !(pvc.spec?.accessModes ?? []).includes('ReadWriteMany')) {
      return {
        type: 'LiveMigratable',
        status: 'False',
        reason: 'DisksNotLiveMigratable',
        message: `cannot migrate VMI: PVC ${claim} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`,
      };
    }
  }
  return { type: 'LiveMigratable', status: 'True' };
}

export const NEXT_PHASE: Record<string, string> = {
  Pending: 'Scheduling',
  Scheduling: 'Scheduled',
  Scheduled: 'Running',
};

// ---------------------------------------------------------------------------------------
// Controllers.

function volumeWorld(sim: Sim, namespace: string | undefined): VolumeWorld {
  return {
    dataVolume: (name) => cached<DataVolume>(sim, engines.dataVolumes, { name, namespace }),
    claim: (name) => cached<Pvc>(sim, kube.persistentVolumeClaims, { name, namespace }),
  };
}

/** Whether the VM's volumes use the claim or DataVolume named `name`. */
const usesVolume = (spec: VmiSpec | undefined, name: string) =>
  (spec?.volumes ?? []).some((v) => claimNameOf(v) === name);

export function vmController(sim: Sim) {
  const vmsIn = (ns: string | undefined) => cachedList<Vm>(sim, engines.virtualMachines, ns);
  return controllerFor<Vm>(engines.virtualMachines)
    .named('sim-kubevirt-vm')
    .owns(engines.virtualMachineInstances)
    .owns(engines.dataVolumes)
    .watches<DataVolume>(engines.dataVolumes, (dv) =>
      refsOf(vmsIn(dv.metadata.namespace).filter((vm) => usesVolume(vm.spec?.template?.spec, nameOf(dv)))),
    )
    .watches<Pvc>(kube.persistentVolumeClaims, (pvc) =>
      refsOf(vmsIn(pvc.metadata.namespace).filter((vm) => usesVolume(vm.spec?.template?.spec, nameOf(pvc)))),
    )
    .watches<Instancetype>(engines.clusterInstancetypes, (it) =>
      refsOf(
        cachedList<Vm>(sim, engines.virtualMachines).filter(
          (vm) => vm.spec?.instancetype?.name === nameOf(it),
        ),
      ),
    )
    .reconcile(async (vm) => {
      if (vm.metadata.deletionTimestamp) return; // no finalizer: the VMI and DataVolumes go by garbage collection
      const ns = vm.metadata.namespace;
      const now = timestamp(sim.now());
      await markSimulated(sim, engines.virtualMachines, vm);
      const runStrategy = runStrategyOf(vm);
      const world = volumeWorld(sim, ns);
      let vmi = cached<Vmi>(sim, engines.virtualMachineInstances, { name: nameOf(vm), namespace: ns });
      if (vmi && !isControlledBy(vmi, vm)) vmi = undefined; // not ours to manage
      let failure: ConditionInput | undefined;
      let requests = [...(vm.status?.stateChangeRequests ?? [])];
      // Like KubeVirt's expectations: after creating a DataVolume, wait for the cache to show
      // it before reporting status, or the status would say Stopped for a moment.
      let awaitingCache = false;

      let instancetype: Instancetype | undefined;
      const itRef = vm.spec?.instancetype;
      if (itRef?.name) {
        instancetype =
          (itRef.kind ?? CLUSTER_INSTANCETYPE).toLowerCase() === CLUSTER_INSTANCETYPE.toLowerCase()
            ? cached<Instancetype>(sim, engines.clusterInstancetypes, { name: itRef.name })
            : undefined;
        if (!instancetype) {
          failure = {
            type: 'Failure',
            status: 'True',
            reason: 'FailedCreate',
            message: `failure while finding instancetype: virtualmachineclusterinstancetypes.instancetype.kubevirt.io "${itRef.name}" not found`,
          };
        }
      }

      if (!failure) {
        // Immediate DataVolume creation, whatever the run strategy.
        let volumesReady = true;
        for (const template of vm.spec?.dataVolumeTemplates ?? []) {
          const name = template.metadata?.name;
          if (!name) continue;
          const dv = world.dataVolume(name);
          if (!dv) {
            volumesReady = false;
            if (!world.claim(name)) {
              await createIfAbsent(sim, engines.dataVolumes, dataVolumeFor(vm, template));
              sim.logger.info('created DataVolume from template', {
                namespace: ns,
                vm: nameOf(vm),
                dataVolume: name,
              });
              awaitingCache = true;
            }
          } else if (
            !['Succeeded', 'WaitForFirstConsumer', 'PendingPopulation'].includes(dv.status?.phase ?? '')
          ) {
            volumesReady = false;
          }
        }
        if (volumesReady || runStrategy === 'Halted') {
          const decision = decideRun(vm, vmi, runStrategy);
          if (decision.error)
            failure = { type: 'Failure', status: 'True', reason: 'FailedCreate', message: decision.error };
          if (decision.stop && vmi) {
            await deleteObject(sim.client, engines.virtualMachineInstances, vmi);
            sim.logger.info('stopped VMI', { namespace: ns, vm: nameOf(vm), runStrategy });
            vmi = { ...vmi, metadata: { ...vmi.metadata, deletionTimestamp: new Date() } };
            if (decision.addStartRequest) requests = [{ action: 'Start' }, ...requests];
          } else if (decision.start && !vmi) {
            const created = await createIfAbsent(
              sim,
              engines.virtualMachineInstances,
              vmiFor(vm, instancetype),
            );
            if (created) sim.logger.info('started VMI', { namespace: ns, vm: nameOf(vm), runStrategy });
            // 409: the cache was behind; report on the VMI that exists.
            vmi = created ?? (await sim.client.get<Vmi>(engines.virtualMachineInstances, nameOf(vm), ns));
          }
        }
      }

      if (awaitingCache) return;
      const liveVmi = vmi && !vmi.metadata.deletionTimestamp ? vmi : undefined;
      requests = trimRequests(requests, liveVmi);
      const restartRequired = !!liveVmi && !jsonEqual(vmiFor(vm, instancetype).spec, liveVmi.spec);
      const created = !!vmi;
      const ready = vmiCondition(liveVmi, 'Ready')?.status === 'True';
      // KubeVirt records the strategy once the VM has been started (to spot a switch to RerunOnFailure).
      const recordStrategy = !!vm.status?.runStrategy || created;
      const status = compact({
        printableStatus: printableStatus({ vm, vmi, runStrategy, world }),
        created: created || undefined,
        ready: ready || undefined,
        conditions: vmConditions(vm, liveVmi, failure, restartRequired, now),
        runStrategy: recordStrategy ? runStrategy : undefined,
        stateChangeRequests: requests.length ? requests : undefined,
        observedGeneration: vm.metadata.generation,
        desiredGeneration: vm.metadata.generation,
        volumeSnapshotStatuses: volumeSnapshotStatuses(vm),
      });
      await writeStatus(sim, engines.virtualMachines, vm, status);
    });
}

type NetworksResult = { ok: true; interfaces: InterfaceStatus[] } | { ok: false; message: string };

/** Resolve every network of the VMI to a subnet and make sure it holds addresses there (Kube-OVN's CNI). */
async function attachNetworks(sim: Sim, book: AddressBook, vmi: Vmi): Promise<NetworksResult> {
  const ns = vmi.metadata.namespace ?? '';
  const subnets = cachedList<Subnet>(sim, engines.kubeOvnSubnets);
  const byName = (name: string) => subnets.find((s) => nameOf(s) === name);
  const ownedByVm = (vmi.metadata.ownerReferences ?? []).some(
    (o) => o.controller && o.kind === 'VirtualMachine',
  );
  const interfaces: InterfaceStatus[] = [];
  for (const plan of networkPlans(vmi)) {
    let provider = OVN_PROVIDER;
    let subnet: Subnet | undefined;
    if (plan.kind === 'multus') {
      const nad = cached<Nad>(sim, engines.networkAttachmentDefinitions, {
        name: plan.nadName ?? '',
        namespace: plan.nadNamespace,
      });
      if (!nad) {
        return {
          ok: false,
          message: `network-attachment-definitions.k8s.cni.cncf.io "${plan.nadName}" not found in namespace ${plan.nadNamespace}`,
        };
      }
      const network = nadNetwork(nad);
      if (network.kind === 'invalid') return { ok: false, message: network.message };
      if (network.kind === 'other') {
        // Not Kube-OVN's: the attachment works, the simulator just has no address to report.
        interfaces.push(
          interfaceStatus(plan, [], plan.macAddress ?? macFor(`${nameOf(vmi)}.${ns}.${plan.name}`)),
        );
        continue;
      }
      provider = network.provider;
      const wanted = requestsFor(vmi.metadata.annotations, provider).logicalSwitch;
      subnet = wanted ? byName(wanted) : subnets.find((s) => s.spec?.provider === provider);
      if (!subnet)
        return {
          ok: false,
          message: `no subnet found for provider ${provider}${wanted ? ` (logical switch ${wanted})` : ''}`,
        };
    } else {
      const wanted = requestsFor(vmi.metadata.annotations, OVN_PROVIDER).logicalSwitch;
      subnet = wanted
        ? byName(wanted)
        : (subnets.find(
            (s) =>
              (s.spec?.namespaces ?? []).includes(ns) && (s.spec?.provider || OVN_PROVIDER) === OVN_PROVIDER,
          ) ??
          subnets.find((s) => s.spec?.default === true) ??
          byName(DEFAULT_SUBNET));
      if (!subnet) return { ok: false, message: `no subnet found for the pod network of namespace ${ns}` };
    }
    const request = requestsFor(vmi.metadata.annotations, provider);
    const allocation = await ensureIp(sim, book, {
      name: portName(nameOf(vmi), ns, provider),
      podName: nameOf(vmi),
      namespace: ns,
      subnet,
      requested: request.ip,
      mac: request.mac ?? plan.macAddress,
      podType: ownedByVm ? 'VirtualMachine' : '',
      nodeName: SIM_NODE,
    });
    if (!allocation.ok) return { ok: false, message: allocation.message };
    interfaces.push(interfaceStatus(plan, allocation.addresses, allocation.mac));
  }
  return { ok: true, interfaces };
}

export function vmiController(sim: Sim, book: AddressBook) {
  const vmis = (ns?: string) => cachedList<Vmi>(sim, engines.virtualMachineInstances, ns);
  const inPhase = (phases: string[]) => (v: Vmi) => phases.includes(v.status?.phase ?? '');
  return controllerFor<Vmi>(engines.virtualMachineInstances)
    .named('sim-kubevirt-vmi')
    .watches<Nad>(engines.networkAttachmentDefinitions, (nad) =>
      refsOf(vmis(nad.metadata.namespace).filter(inPhase(['Scheduling', 'Scheduled']))),
    )
    .watches<Subnet>(engines.kubeOvnSubnets, () =>
      refsOf(vmis().filter(inPhase(['Scheduling', 'Scheduled']))),
    )
    .watches<DataVolume>(engines.dataVolumes, (dv) =>
      refsOf(
        vmis(dv.metadata.namespace).filter((v) => inPhase(['Pending'])(v) && usesVolume(v.spec, nameOf(dv))),
      ),
    )
    .watches<Pvc>(kube.persistentVolumeClaims, (pvc) =>
      refsOf(
        vmis(pvc.metadata.namespace).filter(
          (v) => inPhase(['Pending'])(v) && usesVolume(v.spec, nameOf(pvc)),
        ),
      ),
    )
    .reconcile(async (vmi) => {
      if (vmi.metadata.deletionTimestamp) return;
      const ns = vmi.metadata.namespace;
      const nowDate = sim.now();
      const now = timestamp(nowDate);
      const phase = vmi.status?.phase ?? '';
      if (isFinal(vmi)) return;
      const world = volumeWorld(sim, ns);
      const old = vmi.status?.conditions;
      /** Conditions of the new status: exactly `inputs`, timestamps kept where nothing changed. */
      const conditionsOf = (inputs: ConditionInput[]) => {
        let list = old;
        for (const input of inputs) list = setCondition('kubevirt', list, input, now);
        return (list ?? []).filter((c) => inputs.some((i) => i.type === c.type));
      };
      const write = (next: string, conditions: KubevirtCondition[], extra: Partial<VmiStatus> = {}) => {
        const transitions = [...(vmi.status?.phaseTransitionTimestamps ?? [])];
        if (next !== phase) transitions.push({ phase: next, phaseTransitionTimestamp: now });
        const scheduled = ['Scheduled', 'Running'].includes(next);
        return writeStatus(
          sim,
          engines.virtualMachineInstances,
          vmi,
          compact({
            phase: next,
            phaseTransitionTimestamps: transitions,
            conditions,
            nodeName: scheduled ? SIM_NODE : undefined,
            qosClass: 'Burstable',
            runtimeUser: 107,
            guestOSInfo: {},
            ...extra,
          }),
          // A VMI has no status subresource: its status is written with the object.
          {
            subresource: false,
            labels: scheduled ? { ...SIMULATED, [NODE_NAME_LABEL]: SIM_NODE } : { ...SIMULATED },
          },
        );
      };
      const notRunning: ConditionInput = {
        type: 'Ready',
        status: 'False',
        reason: 'PodNotExists',
        message: 'virt-launcher pod has not yet been scheduled',
      };
      const step = () => sim.delays.remaining(`${vmi.metadata.uid}/${phase}`);

      switch (phase) {
        case '':
          await write('Pending', conditionsOf([notRunning]));
          return;
        case 'Pending': {
          const volumes = volumesReadiness(vmi, world);
          if (!volumes.ready) {
            await write(
              'Pending',
              conditionsOf([
                notRunning,
                {
                  type: volumes.condition,
                  status: 'False',
                  reason: volumes.reason,
                  message: volumes.message,
                },
              ]),
            );
            return;
          }
          const wait = step();
          if (wait > 0) return { requeueAfterMs: wait };
          await write('Scheduling', conditionsOf([notRunning]));
          return;
        }
        case 'Scheduling': {
          const unschedulable = unschedulableMessage(vmi);
          if (unschedulable) {
            await write(
              'Scheduling',
              conditionsOf([
                notRunning,
                { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: unschedulable },
              ]),
            );
            return;
          }
          const wait = step();
          if (wait > 0) return { requeueAfterMs: wait };
          const networks = await attachNetworks(sim, book, vmi);
          if (!networks.ok) {
            await write(
              'Scheduling',
              conditionsOf([
                notRunning,
                { type: 'PodScheduled', status: 'True' },
                {
                  type: 'Synchronized',
                  status: 'False',
                  reason: 'FailedCreatePodSandBox',
                  message: `${networks.message} (simulated)`,
                },
              ]),
            );
            // Subnets, NADs and IPs re-trigger this through the watches; poll too, slowly.
            return { requeueAfterMs: 5_000 };
          }
          await write(
            'Scheduled',
            conditionsOf([
              {
                type: 'Ready',
                status: 'False',
                reason: 'GuestNotRunning',
                message: 'Guest VM is not reported as running',
              },
              { type: 'PodScheduled', status: 'True' },
            ]),
          );
          return;
        }
        case 'Scheduled':
        case 'Running': {
          if (phase === 'Running' && vmi.status?.interfaces) return;
          if (phase === 'Scheduled') {
            const wait = step();
            if (wait > 0) return { requeueAfterMs: wait };
          }
          const networks = await attachNetworks(sim, book, vmi);
          if (!networks.ok) throw new Error(`VMI ${ns}/${nameOf(vmi)}: ${networks.message}`);
          await write(
            'Running',
            conditionsOf([
              { type: 'Ready', status: 'True' },
              { type: 'PodScheduled', status: 'True' },
              liveMigratable(vmi, world),
              { type: 'AgentConnected', status: 'True' },
            ]),
            { interfaces: networks.interfaces },
          );
          sim.logger.info('VMI running', {
            namespace: ns,
            name: nameOf(vmi),
            addresses: networks.interfaces.flatMap((i) => i.ipAddresses ?? []),
          });
          return;
        }
        default:
          return;
      }
    });
}

/** Register the simulated KubeVirt controllers. */
export function addKubeVirtControllers(sim: Sim, book: AddressBook): void {
  sim.manager.add(vmController(sim));
  sim.manager.add(vmiController(sim, book));
}
