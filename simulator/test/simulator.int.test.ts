// The backend simulator against a real control plane of its own (the kube-controller-manager's
// PV binder and garbage collector included): each engine behaviour, its restart safety, and
// that everything it writes is labelled as simulated. Private, because the simulator acts on
// every engine object in the cluster, which would interfere with tests that play the
// engines by hand.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { KubeClient } from '../../operator/runtime/client.js';
import { createLogger } from '../../operator/runtime/logger.js';
import type { ResourceDescriptor } from '../../operator/runtime/resource.js';
import type { KubeObject } from '../../operator/runtime/store.js';
import { eventually } from '../../harness/testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix, useKubeconfig } from '../../harness/testing/kube.js';
import { ControlPlane } from '../../harness/control-plane.js';
import type { DataSource, DataVolume } from '../cdi.js';
import { conditionOf, deleteObject, SIMULATED_LABEL, type Obj } from '../common.js';
import type { Pv, Pvc, StorageClass } from '../csi.js';
import { installCrds, installObjects } from '../fixtures.js';
import { addressOf } from '../ipam.js';
import type { Eip, Ip, Subnet, Vpc } from '../kubeovn.js';
import type { Vm, Vmi } from '../kubevirt.js';
import { startSimulator, type Simulator } from '../simulator.js';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../snapshots.js';
import { engines, kube } from '../../operator/kinds/external.js';

const logLines: string[] = [];
let simulator: Simulator;
let client: KubeClient;

async function start(delay = { minMs: 0, maxMs: 0 }): Promise<Simulator> {
  return startSimulator({
    kubeConfig: kubeConfig(),
    delay,
    logger: createLogger({ level: 'info', component: 'simulator', sink: (line) => logLines.push(line) }),
    informer: { stallTimeoutMs: 150_000 },
  });
}

let controlPlane: ControlPlane | undefined;

beforeAll(async () => {
  controlPlane = await ControlPlane.start({ log: () => {} });
  useKubeconfig(controlPlane.kubeconfigPath);
  client = new KubeClient(kubeConfig(), { fieldManager: 'stratus-test' });
  simulator = await start();
});

afterAll(async () => {
  await simulator?.stop();
  client?.close();
  await controlPlane?.stop();
});

const storageClasses: ResourceDescriptor = {
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'storageclasses',
  kind: 'StorageClass',
  namespaced: false,
};

/** Delete by name (our own DELETE: KubeClient.delete's body corrupts its keep-alive socket). */
function remove(resource: ResourceDescriptor, name: string, namespace?: string) {
  return deleteObject(client, resource, { metadata: { name, namespace } });
}

async function get<T extends KubeObject>(resource: ResourceDescriptor, name: string, namespace?: string) {
  return client.get<T>(resource, name, namespace);
}

/** Create an object; cluster-scoped ones are deleted when the test ends (namespaces take the rest). */
async function create<T extends KubeObject>(resource: ResourceDescriptor, object: T): Promise<T> {
  const created = await client.create(resource, object);
  if (!resource.namespaced) {
    onTestFinished(async () => {
      await remove(resource, created.metadata!.name!).catch(() => undefined);
    });
  }
  return created;
}

async function until<T extends KubeObject>(
  resource: ResourceDescriptor,
  name: string,
  namespace: string | undefined,
  predicate: (o: T) => boolean,
  description: string,
): Promise<T> {
  return eventually(
    async () => {
      const o = await get<T>(resource, name, namespace);
      return o && predicate(o) ? o : undefined;
    },
    { timeoutMs: 60_000, description },
  );
}

const pvc = (name: string, namespace: string, size: string, extra: Record<string, unknown> = {}): Pvc => ({
  metadata: { name, namespace },
  spec: {
    accessModes: ['ReadWriteMany'],
    volumeMode: 'Block',
    resources: { requests: { storage: size } },
    storageClassName: 'rbd',
    ...extra,
  },
});

const httpDv = (name: string, namespace: string, url: string, size = '1Gi'): DataVolume => ({
  metadata: { name, namespace },
  spec: { source: { http: { url } }, storage: { resources: { requests: { storage: size } } } },
});

describe('fixtures', () => {
  it('installs the engine CRDs and classes, idempotently, and says SIMULATION at start', async () => {
    for (const [group, version] of [
      ['kubevirt.io', 'v1'],
      ['instancetype.kubevirt.io', 'v1beta1'],
      ['cdi.kubevirt.io', 'v1beta1'],
      ['snapshot.storage.k8s.io', 'v1'],
      ['kubeovn.io', 'v1'],
      ['k8s.cni.cncf.io', 'v1'],
    ]) {
      expect(await client.serves(group!, version!), `${group}/${version}`).toBe(true);
    }
    const crds = await installCrds(client);
    expect(crds).toHaveLength(19);
    await installObjects(client);
    const crd = await get<Obj>(kube.customResourceDefinitions, 'virtualmachines.kubevirt.io');
    expect(crd?.metadata.labels?.[SIMULATED_LABEL]).toBe('true');
    const rbd = await get<StorageClass>(storageClasses, 'rbd');
    expect(rbd).toMatchObject({ provisioner: 'rook-ceph.rbd.csi.ceph.com', allowVolumeExpansion: true });
    expect(await get(engines.volumeSnapshotClasses, 'rbd')).toMatchObject({
      driver: 'rook-ceph.rbd.csi.ceph.com',
    });
    expect(logLines.some((l) => l.includes('SIMULATION'))).toBe(true);
  });
});

describe('CSI (Rook-Ceph RBD)', () => {
  it('provisions a claim that the real binder binds, grows it, and deletes the released volume', async () => {
    const ns = await freshNamespace('sim-csi');
    const claim = await client.create(kube.persistentVolumeClaims, pvc('data', ns, '1Gi'));
    const bound = await until<Pvc>(
      kube.persistentVolumeClaims,
      'data',
      ns,
      (c) => c.status?.phase === 'Bound',
      'the claim to be bound',
    );
    expect(bound.spec?.volumeName).toBe(`pvc-${claim.metadata.uid}`);
    const pv = await get<Pv>(kube.persistentVolumes, bound.spec!.volumeName!);
    expect(pv?.metadata.labels?.[SIMULATED_LABEL]).toBe('true');
    expect(pv?.spec).toMatchObject({ volumeMode: 'Block', csi: { driver: 'rook-ceph.rbd.csi.ceph.com' } });

    await client.patch(
      kube.persistentVolumeClaims,
      'data',
      ns,
      { spec: { resources: { requests: { storage: '3Gi' } } } },
      'merge',
    );
    await until<Pvc>(
      kube.persistentVolumeClaims,
      'data',
      ns,
      (c) => c.status?.capacity?.storage === '3Gi',
      'the claim to grow',
    );
    expect((await get<Pv>(kube.persistentVolumes, bound.spec!.volumeName!))?.spec?.capacity?.storage).toBe(
      '3Gi',
    );

    await remove(kube.persistentVolumeClaims, 'data', ns);
    await eventually(async () => !(await get(kube.persistentVolumes, bound.spec!.volumeName!)), {
      timeoutMs: 60_000,
      description: 'the released volume to be deleted',
    });
  });
});

describe('CDI', () => {
  it('imports over http into a bound claim owned by the DataVolume', async () => {
    const ns = await freshNamespace('sim-cdi');
    const dv = await client.create(
      engines.dataVolumes,
      httpDv('cirros', ns, 'https://download.cirros-cloud.net/cirros.img'),
    );
    const done = await until<DataVolume>(
      engines.dataVolumes,
      'cirros',
      ns,
      (d) => d.status?.phase === 'Succeeded',
      'import',
    );
    expect(done.status).toMatchObject({ progress: '100.0%', claimName: 'cirros', restartCount: 0 });
    expect(conditionOf(done.status?.conditions, 'Ready')?.status).toBe('True');
    expect(conditionOf(done.status?.conditions, 'Bound')).toMatchObject({ status: 'True', reason: 'Bound' });
    expect(done.metadata.labels?.[SIMULATED_LABEL]).toBe('true');
    const claim = await get<Pvc>(kube.persistentVolumeClaims, 'cirros', ns);
    expect(claim?.status?.phase).toBe('Bound');
    // spec.storage left the modes out: RBD's profile is shared raw block.
    expect(claim?.spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      volumeMode: 'Block',
      storageClassName: 'rbd',
    });
    expect(claim?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DataVolume',
      uid: dv.metadata.uid,
      controller: true,
    });
  });

  it('fails an unreachable import the way CDI does, and a fatal one for good', async () => {
    const ns = await freshNamespace('sim-cdi');
    await client.create(engines.dataVolumes, httpDv('unreachable', ns, 'https://images.invalid/disk.qcow2'));
    await client.create(
      engines.dataVolumes,
      httpDv('corrupt', ns, 'https://example.com/simulate-fatal.qcow2'),
    );
    const failing = await until<DataVolume>(
      engines.dataVolumes,
      'unreachable',
      ns,
      (d) => (d.status?.restartCount ?? 0) >= 2,
      'the importer to restart',
    );
    expect(failing.status?.phase).toBe('ImportInProgress');
    const running = conditionOf(failing.status?.conditions, 'Running');
    expect(running).toMatchObject({ status: 'False', reason: 'Error' });
    expect(running?.message).toMatch(/^Unable to connect to http data source: .*\(simulated\)$/);
    const fatal = await until<DataVolume>(
      engines.dataVolumes,
      'corrupt',
      ns,
      (d) => d.status?.phase === 'Failed',
      'a fatal failure',
    );
    expect(conditionOf(fatal.status?.conditions, 'Running')).toMatchObject({
      status: 'False',
      reason: 'ChecksumError',
    });
  });

  it('clones once the source claim is bound, directly and through a DataSource', async () => {
    const ns = await freshNamespace('sim-cdi');
    const golden = await freshNamespace('sim-golden');
    const clone: DataVolume = {
      metadata: { name: 'root', namespace: ns },
      spec: { source: { pvc: { namespace: golden, name: 'image' } }, storage: {} },
    };
    await client.create(engines.dataVolumes, clone);
    await until<DataVolume>(
      engines.dataVolumes,
      'root',
      ns,
      (d) => d.status?.phase === 'CloneScheduled',
      'the clone to wait',
    );
    expect(await get(kube.persistentVolumeClaims, 'root', ns)).toBeUndefined();

    await client.create(engines.dataSources, {
      metadata: { name: 'image', namespace: golden },
      spec: { source: { pvc: { name: 'image', namespace: golden } } },
    });
    await until<DataSource>(
      engines.dataSources,
      'image',
      golden,
      (d) => conditionOf(d.status?.conditions, 'Ready')?.reason === 'NotFound',
      'the DataSource to see no PVC',
    );
    await client.create(
      engines.dataVolumes,
      httpDv('image', golden, 'https://example.com/image.qcow2', '2Gi'),
    );
    const ds = await until<DataSource>(
      engines.dataSources,
      'image',
      golden,
      (d) => conditionOf(d.status?.conditions, 'Ready')?.status === 'True',
      'the DataSource to be ready',
    );
    expect(ds.metadata.labels?.[SIMULATED_LABEL]).toBe('true');
    await until<DataVolume>(
      engines.dataVolumes,
      'root',
      ns,
      (d) => d.status?.phase === 'Succeeded',
      'the clone',
    );
    // No size asked: the clone takes the source's.
    expect(
      (await get<Pvc>(kube.persistentVolumeClaims, 'root', ns))?.spec?.resources?.requests?.storage,
    ).toBe('2Gi');

    await client.create(engines.dataVolumes, {
      metadata: { name: 'root2', namespace: ns },
      spec: {
        sourceRef: { kind: 'DataSource', namespace: golden, name: 'image' },
        storage: { resources: { requests: { storage: '5Gi' } } },
      },
    });
    await until<DataVolume>(
      engines.dataVolumes,
      'root2',
      ns,
      (d) => d.status?.phase === 'Succeeded',
      'the sourceRef clone',
    );
    expect(
      (await get<Pvc>(kube.persistentVolumeClaims, 'root2', ns))?.spec?.resources?.requests?.storage,
    ).toBe('5Gi');

    await client.create(engines.dataVolumes, {
      metadata: { name: 'empty', namespace: ns },
      spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } },
    });
    await until<DataVolume>(
      engines.dataVolumes,
      'empty',
      ns,
      (d) => d.status?.phase === 'Succeeded',
      'a blank volume',
    );
  });
});

describe('snapshots', () => {
  it('snapshots a bound claim, restores it, and cleans up the content', async () => {
    const ns = await freshNamespace('sim-snap');
    await client.create(kube.persistentVolumeClaims, pvc('vol', ns, '2Gi'));
    const snapshot = await client.create<VolumeSnapshot>(engines.volumeSnapshots, {
      metadata: { name: 'snap', namespace: ns },
      spec: { source: { persistentVolumeClaimName: 'vol' } },
    });
    // A restore asked for before the snapshot is ready waits for it.
    await client.create(
      kube.persistentVolumeClaims,
      pvc('restored', ns, '2Gi', {
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' },
      }),
    );
    const ready = await until<VolumeSnapshot>(
      engines.volumeSnapshots,
      'snap',
      ns,
      (s) => s.status?.readyToUse === true,
      'snapshot',
    );
    const contentName = `snapcontent-${snapshot.metadata.uid}`;
    expect(ready.status).toMatchObject({ boundVolumeSnapshotContentName: contentName, restoreSize: '2Gi' });
    expect(ready.status?.creationTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const content = await get<VolumeSnapshotContent>(engines.volumeSnapshotContents, contentName);
    expect(content?.spec).toMatchObject({
      driver: 'rook-ceph.rbd.csi.ceph.com',
      deletionPolicy: 'Delete',
      volumeSnapshotClassName: 'rbd',
      volumeSnapshotRef: { name: 'snap', namespace: ns, uid: snapshot.metadata.uid },
    });
    await until<Pvc>(
      kube.persistentVolumeClaims,
      'restored',
      ns,
      (c) => c.status?.phase === 'Bound',
      'the restored claim',
    );

    await remove(engines.volumeSnapshots, 'snap', ns);
    await eventually(async () => !(await get(engines.volumeSnapshotContents, contentName)), {
      timeoutMs: 60_000,
      description: 'the content to be deleted',
    });
  });
});

// ---------------------------------------------------------------------------------------

function subnet(
  name: string,
  cidrBlock: string,
  provider: string,
  extra: Record<string, unknown> = {},
): Subnet {
  return { metadata: { name }, spec: { cidrBlock, provider, ...extra } };
}

function nad(name: string, namespace: string) {
  return {
    metadata: { name, namespace },
    spec: {
      config: JSON.stringify({
        cniVersion: '0.3.1',
        type: 'kube-ovn',
        server_socket: '/run/openvswitch/kube-ovn-daemon.sock',
        provider: `${name}.${namespace}.ovn`,
      }),
    },
  };
}

function vm(
  name: string,
  namespace: string,
  options: {
    network: string;
    annotations?: Record<string, string>;
    runStrategy?: string;
    url?: string;
    instancetype?: string;
  },
): Vm {
  return {
    metadata: { name, namespace },
    spec: {
      runStrategy: options.runStrategy ?? 'Always',
      ...(options.instancetype
        ? { instancetype: { kind: 'VirtualMachineClusterInstancetype', name: options.instancetype } }
        : {}),
      dataVolumeTemplates: [
        {
          metadata: { name: `${name}-root` },
          spec: {
            source: { http: { url: options.url ?? 'https://example.com/cirros.qcow2' } },
            storage: { resources: { requests: { storage: '1Gi' } } },
          },
        },
      ],
      template: {
        metadata: { annotations: options.annotations ?? {}, labels: { app: name } },
        spec: {
          domain: {
            devices: {
              interfaces: [{ name: 'net0', bridge: {} }],
              disks: [{ name: 'root', disk: { bus: 'virtio' } }],
            },
          },
          networks: [{ name: 'net0', multus: { networkName: options.network } }],
          volumes: [{ name: 'root', dataVolume: { name: `${name}-root` } }],
        },
      },
    },
  };
}

const runningVmi = (name: string, ns: string, previousUid?: string) =>
  until<Vmi>(
    engines.virtualMachineInstances,
    name,
    ns,
    (v) => v.status?.phase === 'Running' && v.metadata.uid !== previousUid,
    `VMI ${name} to run`,
  );

describe('KubeVirt with Kube-OVN networking', () => {
  it('runs a VM with an address from its subnet, reboots it, stops it and releases the address', async () => {
    const ns = await freshNamespace('sim-vm');
    const provider = `net1.${ns}.ovn`;
    const sn = `sim-${randomSuffix()}`;
    await create(
      engines.kubeOvnSubnets,
      subnet(sn, '10.77.0.0/24,fd00:77::/64', provider, { excludeIps: ['10.77.0.2..10.77.0.9'] }),
    );
    await client.create(engines.networkAttachmentDefinitions, nad('net1', ns));
    await client.create(engines.virtualMachines, vm('web', ns, { network: `${ns}/net1` }));
    await client.create(
      engines.virtualMachines,
      vm('db', ns, {
        network: `${ns}/net1`,
        annotations: {
          [`${provider}.kubernetes.io/ip_address`]: '10.77.0.50,fd00:77::50',
          [`${provider}.kubernetes.io/mac_address`]: '02:00:00:00:00:50',
        },
      }),
    );

    const web = await runningVmi('web', ns);
    const db = await runningVmi('db', ns);
    expect(web.status?.interfaces?.[0]).toMatchObject({
      name: 'net0',
      interfaceName: 'eth0',
      ipAddress: '10.77.0.10',
      ipAddresses: ['10.77.0.10', 'fd00:77::2'],
      infoSource: 'domain, guest-agent, multus-status',
    });
    expect(db.status?.interfaces?.[0]).toMatchObject({
      ipAddresses: ['10.77.0.50', 'fd00:77::50'],
      mac: '02:00:00:00:00:50',
    });
    expect(web.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'VirtualMachine',
      name: 'web',
      controller: true,
    });
    expect(web.metadata.labels).toMatchObject({ app: 'web', [SIMULATED_LABEL]: 'true' });
    expect(web.status?.nodeName).toBeTruthy();
    expect(web.status?.phaseTransitionTimestamps?.map((p) => p.phase)).toEqual([
      'Pending',
      'Scheduling',
      'Scheduled',
      'Running',
    ]);

    const ipName = `web.${ns}.${provider}`;
    const ip = await get<Ip>(engines.kubeOvnIPs, ipName);
    expect(ip?.spec).toMatchObject({
      podName: 'web',
      namespace: ns,
      subnet: sn,
      podType: 'VirtualMachine',
      v4IpAddress: '10.77.0.10',
      v6IpAddress: 'fd00:77::2',
    });
    expect(ip?.metadata.labels).toMatchObject({
      [SIMULATED_LABEL]: 'true',
      'ovn.kubernetes.io/ip_reserved': 'false',
    });

    const webVm = await until<Vm>(
      engines.virtualMachines,
      'web',
      ns,
      (v) => v.status?.printableStatus === 'Running',
      'the VM to run',
    );
    expect(webVm.status).toMatchObject({ ready: true, created: true, runStrategy: 'Always' });
    expect(conditionOf(webVm.status?.conditions, 'Ready')?.status).toBe('True');
    const rootDv = await get<DataVolume>(engines.dataVolumes, 'web-root', ns);
    expect(rootDv?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'VirtualMachine', name: 'web' });
    expect(rootDv?.status?.phase).toBe('Succeeded');

    const usage = await until<Subnet>(
      engines.kubeOvnSubnets,
      sn,
      undefined,
      (s) => s.status?.v4usingIPs === 2,
      'the subnet to count 2',
    );
    expect(usage.status).toMatchObject({ v6usingIPs: 2, v4availableIPs: 254 - 9 - 2 });
    expect(usage.spec).toMatchObject({
      gateway: '10.77.0.1,fd00:77::1',
      protocol: 'Dual',
      vpc: 'ovn-cluster',
    });

    // Reboot: delete the VMI; runStrategy Always starts a new one with the same address.
    await remove(engines.virtualMachineInstances, 'web', ns);
    const rebooted = await runningVmi('web', ns, web.metadata.uid);
    expect(rebooted.status?.interfaces?.[0]?.ipAddresses).toEqual(['10.77.0.10', 'fd00:77::2']);

    // Halt: the VMI goes, the VM says Stopped, the address stays reserved for the VM.
    await client.patch(engines.virtualMachines, 'web', ns, { spec: { runStrategy: 'Halted' } }, 'merge');
    await until<Vm>(
      engines.virtualMachines,
      'web',
      ns,
      (v) => v.status?.printableStatus === 'Stopped',
      'the VM to stop',
    );
    expect(await get(engines.virtualMachineInstances, 'web', ns)).toBeUndefined();
    expect(await get(engines.kubeOvnIPs, ipName)).toBeDefined();

    // Deleting the VM releases its address.
    await remove(engines.virtualMachines, 'web', ns);
    await eventually(async () => !(await get(engines.kubeOvnIPs, ipName)), {
      timeoutMs: 60_000,
      description: 'the IP to be released',
    });
  });

  it('reports DataVolumeError, ErrorUnschedulable and a missing instancetype like KubeVirt', async () => {
    const ns = await freshNamespace('sim-vm');
    await create(engines.kubeOvnSubnets, subnet(`sim-${randomSuffix()}`, '10.78.0.0/24', `net1.${ns}.ovn`));
    await client.create(engines.networkAttachmentDefinitions, nad('net1', ns));
    await client.create(
      engines.virtualMachines,
      vm('broken', ns, { network: 'net1', url: 'https://images.invalid/x.img' }),
    );
    await until<Vm>(
      engines.virtualMachines,
      'broken',
      ns,
      (v) => v.status?.printableStatus === 'DataVolumeError',
      'DataVolumeError',
    );

    const huge = `sim-huge-${randomSuffix()}`;
    await create(engines.clusterInstancetypes, {
      metadata: { name: huge },
      spec: { cpu: { guest: 512 }, memory: { guest: '2Ti' } },
    });
    await client.create(engines.virtualMachines, vm('big', ns, { network: 'net1', instancetype: huge }));
    const big = await until<Vm>(
      engines.virtualMachines,
      'big',
      ns,
      (v) => v.status?.printableStatus === 'ErrorUnschedulable',
      'unschedulable',
    );
    expect(conditionOf(big.status?.conditions, 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
    });
    const bigVmi = await get<Vmi>(engines.virtualMachineInstances, 'big', ns);
    expect(bigVmi?.spec?.domain?.cpu).toMatchObject({ sockets: 512 });

    await client.create(
      engines.virtualMachines,
      vm('orphan', ns, { network: 'net1', instancetype: `missing-${randomSuffix()}` }),
    );
    const orphan = await until<Vm>(
      engines.virtualMachines,
      'orphan',
      ns,
      (v) => conditionOf(v.status?.conditions, 'Failure')?.status === 'True',
      'a Failure condition',
    );
    expect(orphan.status?.printableStatus).toBe('Stopped');
    expect(await get(engines.virtualMachineInstances, 'orphan', ns)).toBeUndefined();
  });
});

describe('Kube-OVN', () => {
  it('reports Vpc and Subnet status, EIPs from the external subnet, NAT rules and security groups', async () => {
    const s = randomSuffix();
    const vpcName = `sim-vpc-${s}`;
    await create(engines.kubeOvnVpcs, { metadata: { name: vpcName }, spec: { namespaces: [] } });
    await create(engines.kubeOvnSubnets, subnet(`sim-int-${s}`, '192.168.10.0/24', 'ovn', { vpc: vpcName }));
    await create(
      engines.kubeOvnSubnets,
      subnet(`sim-ext-${s}`, '172.30.0.0/24', 'ovn', {
        vpc: vpcName,
        excludeIps: ['172.30.0.1..172.30.0.99'],
      }),
    );
    const vpc = await until<Vpc>(
      engines.kubeOvnVpcs,
      vpcName,
      undefined,
      (v) => (v.status?.subnets as string[] | undefined)?.length === 2,
      'vpc',
    );
    expect(vpc.status).toMatchObject({ standby: true, default: false, router: vpcName });
    const internal = await until<Subnet>(
      engines.kubeOvnSubnets,
      `sim-int-${s}`,
      undefined,
      (x) => conditionOf(x.status?.conditions, 'Ready')?.status === 'True',
      'subnet ready',
    );
    expect(conditionOf(internal.status?.conditions, 'Validated')?.status).toBe('True');
    expect(internal.status).toMatchObject({ v4availableIPs: 253, v4usingIPs: 0 });

    // An overlapping subnet in the same VPC is refused.
    await create(
      engines.kubeOvnSubnets,
      subnet(`sim-dup-${s}`, '192.168.10.128/25', 'ovn', { vpc: vpcName }),
    );
    await until<Subnet>(
      engines.kubeOvnSubnets,
      `sim-dup-${s}`,
      undefined,
      (x) => conditionOf(x.status?.conditions, 'Validated')?.status === 'False',
      'the overlap to be refused',
    );
    const stillValid = await get<Subnet>(engines.kubeOvnSubnets, `sim-int-${s}`);
    expect(conditionOf(stillValid?.status?.conditions, 'Validated')?.status).toBe('True');

    const gw = `sim-gw-${s}`;
    await create(engines.vpcNatGateways, {
      metadata: { name: gw },
      spec: {
        vpc: vpcName,
        subnet: `sim-int-${s}`,
        lanIp: '192.168.10.254',
        externalSubnets: [`sim-ext-${s}`],
      },
    });
    await until<Obj<unknown, { ready?: boolean }>>(
      engines.vpcNatGateways,
      gw,
      undefined,
      (g) => g.status?.ready === true,
      'nat gw',
    );
    const eipName = `sim-eip-${s}`;
    await create(engines.iptablesEips, {
      metadata: { name: eipName },
      spec: { natGwDp: gw, externalSubnet: `sim-ext-${s}` },
    });
    const eip = await until<Eip>(
      engines.iptablesEips,
      eipName,
      undefined,
      (e) => e.status?.ready === true,
      'eip',
    );
    expect(eip.status?.ip).toBe('172.30.0.100');
    expect(eip.spec?.v4ip).toBe('172.30.0.100');

    await create(engines.iptablesFipRules, {
      metadata: { name: `sim-fip-${s}` },
      spec: { eip: eipName, internalIp: '192.168.10.5' },
    });
    await create(engines.iptablesSnatRules, {
      metadata: { name: `sim-snat-${s}` },
      spec: { eip: eipName, internalCIDR: '192.168.10.0/24' },
    });
    const fip = await until<Obj<unknown, Record<string, unknown>>>(
      engines.iptablesFipRules,
      `sim-fip-${s}`,
      undefined,
      (f) => f.status?.ready === true,
      'fip',
    );
    expect(fip.status).toMatchObject({ v4ip: '172.30.0.100', natGwDp: gw, internalIp: '192.168.10.5' });
    await until<Obj<unknown, Record<string, unknown>>>(
      engines.iptablesSnatRules,
      `sim-snat-${s}`,
      undefined,
      (f) => f.status?.ready === true,
      'snat',
    );
    await until<Eip>(
      engines.iptablesEips,
      eipName,
      undefined,
      (e) => e.status?.nat === 'fip,snat',
      'the EIP to list its NAT rules',
    );
    await until<Subnet>(
      engines.kubeOvnSubnets,
      `sim-ext-${s}`,
      undefined,
      (x) => x.status?.v4usingIPs === 1,
      'the EIP to be counted',
    );

    const sg = `sim-sg-${s}`;
    await create(engines.kubeOvnSecurityGroups, {
      metadata: { name: sg },
      spec: {
        allowSameGroupTraffic: true,
        ingressRules: [
          {
            ipVersion: 'ipv4',
            protocol: 'tcp',
            portRangeMin: 22,
            portRangeMax: 22,
            policy: 'allow',
            priority: 1,
            remoteType: 'address',
            remoteAddress: '0.0.0.0/0',
          },
        ],
      },
    });
    const group = await until<Obj<unknown, Record<string, unknown>>>(
      engines.kubeOvnSecurityGroups,
      sg,
      undefined,
      (g) => !!g.status?.portGroup,
      'sg',
    );
    expect(group.status).toMatchObject({
      portGroup: `ovn.sg.${sg}`.replaceAll('-', '.'),
      allowSameGroupTraffic: true,
      ingressLastSyncSuccess: true,
    });
  });

  it('fills in an IP reservation a client creates, and a VM gets the reserved address', async () => {
    const ns = await freshNamespace('sim-port');
    const provider = `net1.${ns}.ovn`;
    const sn = `sim-${randomSuffix()}`;
    await create(engines.kubeOvnSubnets, subnet(sn, '10.79.0.0/24', provider));
    await client.create(engines.networkAttachmentDefinitions, nad('net1', ns));
    const reservation = `app.${ns}.${provider}`;
    await create(engines.kubeOvnIPs, {
      metadata: { name: reservation },
      spec: {
        subnet: sn,
        podName: 'app',
        namespace: ns,
        podType: 'VirtualMachine',
        v4IpAddress: '10.79.0.42',
      },
    });
    const filled = await until<Ip>(
      engines.kubeOvnIPs,
      reservation,
      undefined,
      (i) => !!i.spec?.macAddress,
      'the reservation',
    );
    expect(filled.spec).toMatchObject({ ipAddress: '10.79.0.42', v4IpAddress: '10.79.0.42' });
    expect(filled.metadata.labels?.['ovn.kubernetes.io/ip_reserved']).toBe('true');
    await client.create(engines.virtualMachines, vm('app', ns, { network: `${ns}/net1` }));
    const vmi = await runningVmi('app', ns);
    expect(vmi.status?.interfaces?.[0]).toMatchObject({
      ipAddress: '10.79.0.42',
      mac: filled.spec?.macAddress,
    });
  });
});

describe('restart safety', () => {
  it('picks up where it left off after a restart: no duplicates, allocations kept', async () => {
    const ns = await freshNamespace('sim-restart');
    const provider = `net1.${ns}.ovn`;
    const sn = `sim-${randomSuffix()}`;
    await create(engines.kubeOvnSubnets, subnet(sn, '10.80.0.0/24', provider));
    await client.create(engines.networkAttachmentDefinitions, nad('net1', ns));
    await client.create(engines.virtualMachines, vm('first', ns, { network: 'net1' }));
    const first = await runningVmi('first', ns);
    const firstIp = first.status?.interfaces?.[0]?.ipAddress;

    await simulator.stop();
    // While the simulator is down, a VM is created; nothing happens to it.
    await client.create(engines.virtualMachines, vm('second', ns, { network: 'net1' }));
    // Back with realistic step delays: every step now waits through a requeue.
    simulator = await start({ minMs: 10, maxMs: 40 });

    const second = await runningVmi('second', ns);
    expect(second.status?.phaseTransitionTimestamps?.map((p) => p.phase)).toEqual([
      'Pending',
      'Scheduling',
      'Scheduled',
      'Running',
    ]);
    const secondIp = second.status?.interfaces?.[0]?.ipAddress;
    expect(addressOf(secondIp ?? '')).toBeDefined();
    expect(secondIp).not.toBe(firstIp);
    const again = await get<Vmi>(engines.virtualMachineInstances, 'first', ns);
    expect(again?.metadata.uid).toBe(first.metadata.uid);
    expect(again?.status?.interfaces?.[0]?.ipAddress).toBe(firstIp);
    const ips = listIps().filter((i) => i.spec?.namespace === ns);
    expect(ips.map((i) => i.metadata.name).sort()).toEqual([
      `first.${ns}.${provider}`,
      `second.${ns}.${provider}`,
    ]);
    const dvs = await get<DataVolume>(engines.dataVolumes, 'second-root', ns);
    expect(dvs?.status?.phase).toBe('Succeeded');

    // Everything the simulator created or wrote says so.
    const cache = <T extends KubeObject>(r: ResourceDescriptor) =>
      simulator.manager.informer<T>(r).store.list({ namespace: ns });
    const claims = cache<Pvc>(kube.persistentVolumeClaims);
    const written = [
      ...cache(engines.virtualMachines),
      ...cache(engines.virtualMachineInstances),
      ...cache(engines.dataVolumes),
      ...claims,
      ...ips,
      ...(await Promise.all(claims.map((c) => get<Pv>(kube.persistentVolumes, c.spec!.volumeName!)))),
    ];
    expect(written.length).toBeGreaterThanOrEqual(10);
    for (const object of written) {
      expect(object?.metadata?.labels?.[SIMULATED_LABEL], `${object?.kind} ${object?.metadata?.name}`).toBe(
        'true',
      );
    }
  });
});

function listIps(): Ip[] {
  return simulator.manager.informer<Ip>(engines.kubeOvnIPs).store.list();
}
