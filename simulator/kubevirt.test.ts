import { describe, expect, it } from 'vitest';
import type { DataVolume } from './cdi.js';
import type { KubevirtCondition } from './common.js';
import type { Pvc } from './csi.js';
import {
  dataVolumeError,
  dataVolumeFor,
  decideRun,
  interfaceStatus,
  liveMigratable,
  networkPlans,
  printableStatus,
  requestsFor,
  runStrategyOf,
  trimRequests,
  unschedulableMessage,
  vmConditions,
  vmiFor,
  volumesReadiness,
  volumeSnapshotStatuses,
  type Instancetype,
  type Vm,
  type Vmi,
  type VolumeWorld,
} from './kubevirt.js';

const vm = (spec: Vm['spec'] = {}, status: Vm['status'] = {}): Vm => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { name: 'web', namespace: 'demo', uid: 'vm-uid', generation: 3 },
  spec,
  status,
});
const vmi = (phase?: string, extra: Partial<Vmi> = {}): Vmi => ({
  metadata: { name: 'web', namespace: 'demo', uid: 'vmi-uid', ...extra.metadata },
  spec: extra.spec ?? {},
  status: { phase, ...extra.status },
});
const cond = (type: string, status: 'True' | 'False', reason?: string): KubevirtCondition => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  lastProbeTime: null,
  lastTransitionTime: 't0',
});
const noVolumes: VolumeWorld = { dataVolume: () => undefined, claim: () => undefined };

describe('run strategy', () => {
  it('reads runStrategy, else legacy running, else Halted', () => {
    expect(runStrategyOf(vm({ runStrategy: 'RerunOnFailure' }))).toBe('RerunOnFailure');
    expect(runStrategyOf(vm({ running: true }))).toBe('Always');
    expect(runStrategyOf(vm({ running: false }))).toBe('Halted');
    expect(runStrategyOf(vm({}))).toBe('Halted');
  });

  it('Always: starts a missing VMI (a deleted VMI is a reboot) and replaces a finished one', () => {
    expect(decideRun(vm(), undefined, 'Always')).toMatchObject({ start: true, stop: false });
    expect(decideRun(vm(), vmi('Running'), 'Always')).toMatchObject({ start: false, stop: false });
    expect(decideRun(vm(), vmi('Failed'), 'Always')).toMatchObject({ stop: true });
    expect(decideRun(vm(), vmi('Succeeded'), 'Always')).toMatchObject({ stop: true });
  });

  it('RerunOnFailure: restarts a failed VMI only; a deleted one stays stopped once the strategy is recorded', () => {
    expect(decideRun(vm({}, {}), undefined, 'RerunOnFailure')).toMatchObject({ start: true });
    const recorded = vm({}, { runStrategy: 'RerunOnFailure' });
    expect(decideRun(recorded, undefined, 'RerunOnFailure')).toMatchObject({ start: false });
    expect(decideRun(recorded, vmi('Failed'), 'RerunOnFailure')).toMatchObject({
      stop: true,
      addStartRequest: true,
    });
    expect(decideRun(recorded, vmi('Succeeded'), 'RerunOnFailure')).toMatchObject({
      stop: true,
      addStartRequest: false,
    });
    const requested = vm({}, { runStrategy: 'RerunOnFailure', stateChangeRequests: [{ action: 'Start' }] });
    expect(decideRun(requested, undefined, 'RerunOnFailure')).toMatchObject({ start: true });
  });

  it('Halted stops, Once starts once, Manual follows requests, unknown is an error', () => {
    expect(decideRun(vm(), vmi('Running'), 'Halted')).toMatchObject({ stop: true });
    expect(decideRun(vm(), undefined, 'Halted')).toMatchObject({ start: false, stop: false });
    expect(decideRun(vm(), undefined, 'Once')).toMatchObject({ start: true });
    expect(decideRun(vm(), vmi('Succeeded'), 'Once')).toMatchObject({ start: false, stop: false });
    expect(decideRun(vm(), undefined, 'Manual')).toMatchObject({ start: false });
    const stop = vm({}, { stateChangeRequests: [{ action: 'Stop', uid: 'vmi-uid' }] });
    expect(decideRun(stop, vmi('Running'), 'Manual')).toMatchObject({ stop: true });
    expect(decideRun(vm(), undefined, 'Sometimes').error).toMatch(/unknown runstrategy/);
  });

  it('does not stop a VMI that is already going', () => {
    const going = vmi('Running', { metadata: { name: 'web', deletionTimestamp: new Date() } });
    expect(decideRun(vm(), going, 'Halted')).toMatchObject({ stop: false });
  });

  it('trims a start request once its VMI exists, a stop request once its VMI is gone', () => {
    expect(trimRequests([{ action: 'Start' }], vmi('Pending'))).toEqual([]);
    expect(trimRequests([{ action: 'Start' }], undefined)).toEqual([{ action: 'Start' }]);
    expect(trimRequests([{ action: 'Stop', uid: 'vmi-uid' }], vmi('Running'))).toHaveLength(1);
    expect(trimRequests([{ action: 'Stop', uid: 'vmi-uid' }], undefined)).toEqual([]);
  });
});

describe('children', () => {
  const template = {
    metadata: {
      labels: { app: 'web' },
      annotations: { 'net1.demo.ovn.kubernetes.io/ip_address': '10.0.0.5' },
    },
    spec: { domain: { devices: {} }, networks: [{ name: 'default', pod: {} }] },
  };

  it('builds the VMI from the template, owned by the VM, with the instancetype applied', () => {
    const it: Instancetype = {
      metadata: { name: 'm1.small' },
      spec: { cpu: { guest: 2 }, memory: { guest: '4Gi' } },
    };
    const out = vmiFor(vm({ template }), it);
    expect(out.metadata).toMatchObject({
      name: 'web',
      namespace: 'demo',
      labels: { app: 'web', 'stratus.dev/simulated': 'true' },
      annotations: { 'net1.demo.ovn.kubernetes.io/ip_address': '10.0.0.5', 'kubevirt.io/vm-generation': '3' },
    });
    expect(out.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        name: 'web',
        uid: 'vm-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(out.spec?.domain).toMatchObject({
      cpu: { sockets: 2, cores: 1, threads: 1 },
      memory: { guest: '4Gi' },
    });
    // The template itself is not modified.
    expect(template.spec.domain).toEqual({ devices: {} });
  });

  it('builds DataVolumes from the templates, named by them and owned by the VM', () => {
    const dv = dataVolumeFor(vm(), {
      metadata: { name: 'web-root', labels: { disk: 'root' } },
      spec: { source: { blank: {} } },
    });
    expect(dv.metadata).toMatchObject({
      name: 'web-root',
      namespace: 'demo',
      labels: { disk: 'root', 'stratus.dev/simulated': 'true' },
    });
    expect(dv.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'VirtualMachine',
      uid: 'vm-uid',
      controller: true,
    });
    expect(dv.spec).toEqual({ source: { blank: {} } });
  });
});

describe('printableStatus', () => {
  const volumes = [{ name: 'root', dataVolume: { name: 'root' } }];
  const withVolumes = (status: Vm['status'] = {}) => vm({ template: { spec: { volumes } } }, status);
  const dvWorld = (dv: Partial<DataVolume['status']>, pvc?: Pvc['status']): VolumeWorld => ({
    dataVolume: () => ({ metadata: { name: 'root' }, status: dv }),
    claim: () => (pvc ? { metadata: { name: 'root' }, status: pvc } : undefined),
  });

  it('follows KubeVirt precedence', () => {
    const p = (v: Vm, i: Vmi | undefined, world: VolumeWorld = noVolumes, rs = 'Always') =>
      printableStatus({ vm: v, vmi: i, runStrategy: rs, world });
    expect(p(vm(), vmi('Running'))).toBe('Running');
    expect(p(vm(), vmi('Running', { status: { conditions: [cond('Paused', 'True')] } }))).toBe('Paused');
    expect(p(vm(), vmi('Scheduling'))).toBe('Starting');
    expect(p(vm(), vmi(undefined))).toBe('Starting');
    expect(p(vm(), undefined)).toBe('Stopped');
    expect(p(vm(), vmi('Succeeded'))).toBe('Stopped');
    expect(p(vm(), vmi('Running'), noVolumes, 'Halted')).toBe('Stopping');
    expect(p(vm(), vmi('Running', { metadata: { name: 'web', deletionTimestamp: new Date() } }))).toBe(
      'Stopping',
    );
    const deleting = vm();
    deleting.metadata.deletionTimestamp = new Date();
    expect(p(deleting, vmi('Running'))).toBe('Terminating');
    const unschedulable = vmi('Scheduling', {
      status: { conditions: [cond('PodScheduled', 'False', 'Unschedulable')] },
    });
    expect(p(vm(), unschedulable)).toBe('ErrorUnschedulable');
    const noPvc = vmi('Pending', {
      status: { conditions: [cond('Synchronized', 'False', 'FailedPvcNotFound')] },
    });
    expect(p(vm(), noPvc)).toBe('ErrorPvcNotFound');
    expect(p(withVolumes(), undefined, dvWorld({ phase: 'ImportInProgress' }))).toBe('Provisioning');
    expect(p(withVolumes(), undefined, dvWorld({ phase: 'Failed' }))).toBe('DataVolumeError');
    const erroring = dvWorld({
      phase: 'ImportInProgress',
      conditions: [{ ...cond('Running', 'False', 'Error'), lastHeartbeatTime: 't' }],
    });
    expect(p(withVolumes(), undefined, erroring)).toBe('DataVolumeError');
    expect(p(withVolumes(), undefined, dvWorld({ phase: 'Succeeded' }, { phase: 'Pending' }))).toBe(
      'WaitingForVolumeBinding',
    );
  });

  it('explains DataVolume errors', () => {
    expect(
      dataVolumeError([{ name: 'root', dataVolume: { name: 'root' } }], dvWorld({ phase: 'Failed' })),
    ).toBe('DataVolume root is in Failed phase');
  });
});

describe('VM conditions and snapshot statuses', () => {
  it('mirrors the VMI Ready condition and its others, adds Failure and RestartRequired', () => {
    const running = vmi('Running', {
      status: { conditions: [cond('Ready', 'True'), cond('LiveMigratable', 'True')] },
    });
    const list = vmConditions(
      vm({}, { conditions: [cond('Synchronized', 'False', 'Old')] }),
      running,
      undefined,
      true,
      't1',
    );
    expect(list.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['RestartRequired', 'True'],
      ['LiveMigratable', 'True'],
    ]);
    const none = vmConditions(
      vm(),
      undefined,
      { type: 'Failure', status: 'True', reason: 'FailedCreate', message: 'x' },
      false,
      't1',
    );
    expect(none).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'VMINotExists',
        message: 'VMI does not exist',
        lastProbeTime: null,
        lastTransitionTime: 't1',
      },
      {
        type: 'Failure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'x',
        lastProbeTime: null,
        lastTransitionTime: 't1',
      },
    ]);
  });

  it('reports which volumes can be snapshotted', () => {
    const v = vm({
      template: {
        spec: {
          volumes: [
            { name: 'root', dataVolume: { name: 'r' } },
            { name: 'ci', cloudInitNoCloud: {} },
          ],
        },
      },
    });
    expect(volumeSnapshotStatuses(v)).toEqual([
      { name: 'root', enabled: true },
      { name: 'ci', enabled: false, reason: 'Snapshot is not supported for this volumeSource type [ci]' },
    ]);
  });
});

describe('VMI networking and scheduling', () => {
  it('plans networks with their interface index and MAC; the pod network by default', () => {
    const plans = networkPlans(
      vmi('', {
        spec: {
          domain: {
            devices: {
              interfaces: [
                { name: 'a', bridge: {} },
                { name: 'b', macAddress: '02:00:00:00:00:01' },
              ],
            },
          },
          networks: [
            { name: 'a', multus: { networkName: 'other/net1' } },
            { name: 'b', multus: { networkName: 'net2' } },
          ],
        },
      }),
    );
    expect(plans).toEqual([
      { name: 'a', index: 0, kind: 'multus', nadNamespace: 'other', nadName: 'net1', macAddress: undefined },
      {
        name: 'b',
        index: 1,
        kind: 'multus',
        nadNamespace: 'demo',
        nadName: 'net2',
        macAddress: '02:00:00:00:00:01',
      },
    ]);
    expect(networkPlans(vmi(''))).toEqual([
      { name: 'default', index: 0, kind: 'pod', macAddress: undefined },
    ]);
    expect(
      networkPlans(vmi('', { spec: { domain: { devices: { autoattachPodInterface: false } } } })),
    ).toEqual([]);
  });

  it('reads Kube-OVN annotations per provider', () => {
    const a = {
      'net1.demo.ovn.kubernetes.io/ip_address': '10.0.0.5,fd00::5',
      'net1.demo.ovn.kubernetes.io/mac_address': '02:00:00:00:00:05',
      'ovn.kubernetes.io/logical_switch': 'custom',
    };
    expect(requestsFor(a, 'net1.demo.ovn')).toEqual({ ip: '10.0.0.5,fd00::5', mac: '02:00:00:00:00:05' });
    expect(requestsFor(a, 'ovn')).toEqual({ logicalSwitch: 'custom' });
  });

  it('reports an interface as KubeVirt does', () => {
    const plan = { name: 'net0', index: 1, kind: 'multus' as const, nadNamespace: 'demo', nadName: 'net1' };
    const status = interfaceStatus(plan, ['10.0.0.5', 'fd00::5'], '00:00:00:aa:bb:cc');
    expect(status).toMatchObject({
      name: 'net0',
      interfaceName: 'eth1',
      ipAddress: '10.0.0.5',
      ipAddresses: ['10.0.0.5', 'fd00::5'],
      mac: '00:00:00:aa:bb:cc',
      infoSource: 'domain, guest-agent, multus-status',
    });
    expect(status.podInterfaceName).toMatch(/^pod[0-9a-f]{11}$/);
  });

  it('finds VMIs too big for the simulated node', () => {
    expect(
      unschedulableMessage(vmi('', { spec: { domain: { memory: { guest: '4Gi' }, cpu: { sockets: 4 } } } })),
    ).toBeUndefined();
    expect(unschedulableMessage(vmi('', { spec: { domain: { memory: { guest: '1Ti' } } } }))).toBe(
      '0/1 nodes are available: 1 Insufficient memory. (simulated)',
    );
    expect(unschedulableMessage(vmi('', { spec: { domain: { cpu: { sockets: 200 } } } }))).toMatch(
      /Insufficient cpu/,
    );
  });

  it('holds a VMI in Pending until its volumes are ready', () => {
    const spec = {
      volumes: [
        { name: 'root', dataVolume: { name: 'root' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      ],
    };
    const world = (dvPhase: string, data?: string): VolumeWorld => ({
      dataVolume: (n) => (n === 'root' ? { metadata: { name: n }, status: { phase: dvPhase } } : undefined),
      claim: (n) =>
        n === 'root' || data
          ? {
              metadata: { name: n },
              spec: { accessModes: ['ReadWriteMany'] },
              status: { phase: n === 'root' ? 'Bound' : data },
            }
          : undefined,
    });
    expect(volumesReadiness(vmi('Pending', { spec }), world('ImportInProgress', 'Bound'))).toMatchObject({
      ready: false,
      condition: 'DataVolumesReady',
    });
    expect(volumesReadiness(vmi('Pending', { spec }), world('Succeeded'))).toMatchObject({
      ready: false,
      condition: 'Synchronized',
      reason: 'FailedPvcNotFound',
    });
    expect(volumesReadiness(vmi('Pending', { spec }), world('Succeeded', 'Bound'))).toEqual({ ready: true });
    expect(liveMigratable(vmi('Running', { spec }), world('Succeeded', 'Bound'))).toEqual({
      type: 'LiveMigratable',
      status: 'True',
    });
  });
});
