// The compute and network controllers against the real apiserver, with the engines' CRDs
// installed from the simulator's fixtures (simulator/crds). No engine runs here: where
// KubeVirt, CDI or Kube-OVN would write a status or create a VirtualMachineInstance, the
// test does it by hand (`engine` client, its own field manager) — clearly playing the engine
// — and checks that the operator reads it back. The simulator end to end comes later.
//
// Admission webhooks are on (the environment tests see is the one users get), so every
// object an Instance names exists before the Instance is created.
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyCrds } from '../../../harness/crds.js';
import { repoRoot } from '../../../harness/binaries.js';
import { eventually } from '../../../harness/testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix } from '../../../harness/testing/kube.js';
import { KubeClient } from '../../runtime/client.js';
import { createLogger } from '../../runtime/logger.js';
import { type ResourceDescriptor } from '../../runtime/resource.js';
import type { KubeObject } from '../../runtime/store.js';
import type { ImageObject } from '../../kinds/image.js';
import type { InstanceObject } from '../../kinds/instance.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import type { FlavorObject } from '../../kinds/flavor.js';
import {
  kubeOvnSecurityGroupName,
  type ClusterInstancetype,
  type DataSource,
  type DataVolume,
  type KubeOvnSubnet,
  type NetworkAttachmentDefinition,
  type VirtualMachine,
  type VirtualMachineInstance,
} from '../engines.js';
import { flavorController } from '../flavor/controller.js';
import { imageController } from '../image/controller.js';
import { instanceController } from '../instance/controller.js';
import { nicId, nicMac, nicSeed } from '../instance/desired.js';
import { keyPairController } from '../keypair/controller.js';
import { sshFingerprint } from '../keypair/desired.js';
import { networkController, subnetController } from '../network/controller.js';
import { Flavor, Image, Instance, KeyPair, Network, Subnet, resourceOf } from '../../kinds/index.js';
import { kube } from '../../kinds/external.js';
import { engines } from '../../kinds/external.js';
import { Manager } from '../../runtime/manager.js';

const PUBLIC = 'stratus-public';
const ENGINE_CRDS = join(repoRoot, 'simulator', 'crds');
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILhiGOzN75I3ltJMjUTitTiaKJ4puw2YxDskw3j2aW1N alice@example';

let manager: Manager;
let stop: AbortController;
let running: Promise<void>;
/** The tenant: writes stratus.dev objects (through admission). */
let tenant: KubeClient;
/** Plays KubeVirt, CDI and Kube-OVN: writes their statuses and VMIs. */
let engine: KubeClient;
const flavors: string[] = [];
const publicImages: string[] = [];

beforeAll(async () => {
  applyCrds(inject('kubectl'), inject('kubeconfig'), ENGINE_CRDS);
  const kc = kubeConfig();
  tenant = new KubeClient(kc, { fieldManager: 'test-tenant' });
  engine = new KubeClient(kc, { fieldManager: 'test-playing-the-engines' });
  await tenant.apply(kube.namespaces, { metadata: { name: PUBLIC } });
  manager = new Manager({
    kubeConfig: kc,
    logger: createLogger({ level: (process.env.STRATUS_TEST_LOG_LEVEL ?? 'error') as 'error' }),
  });
  manager.add(flavorController());
  manager.add(imageController({ storageClass: 'rbd', defaultDiskGiB: 10 }));
  manager.add(keyPairController({ recheckMs: 300 }));
  manager.add(networkController());
  manager.add(subnetController());
  manager.add(instanceController({ storageClass: 'rbd', kubeOvn: true }));
  stop = new AbortController();
  setMaxListeners(64, stop.signal); // one listener per informer waiting to sync
  await manager.startInformers(stop.signal);
  running = manager.runControllers(stop.signal);
});

afterAll(async () => {
  for (const name of publicImages)
    await tenant?.delete(resourceOf(Image), name, PUBLIC).catch(() => undefined);
  for (const name of flavors) await tenant?.delete(resourceOf(Flavor), name).catch(() => undefined);
  stop?.abort();
  await running?.catch(() => undefined);
  await manager?.stopInformers();
  tenant?.close();
  engine?.close();
});

// ---- helpers -------------------------------------------------------------------------------

interface Conditioned {
  status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}

function condition(object: Conditioned | undefined, type = 'Ready') {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** Poll `resource/name` until `check` accepts it; returns it. */
async function until<T extends KubeObject>(
  resource: ResourceDescriptor,
  name: string,
  namespace: string | undefined,
  check: (object: T) => boolean,
  description: string,
  timeoutMs = 30_000,
): Promise<T> {
  return eventually(
    async () => {
      const object = await tenant.get<T>(resource, name, namespace);
      return object && check(object) ? object : undefined;
    },
    { description, timeoutMs },
  );
}

async function gone(
  resource: ResourceDescriptor,
  name: string,
  namespace: string | undefined,
  timeoutMs = 90_000,
) {
  await eventually(async () => (await tenant.get(resource, name, namespace)) === undefined, {
    description: `${resource.kind} ${namespace ?? ''}/${name} to be deleted`,
    timeoutMs,
  });
}

async function createFlavor(spec: Partial<FlavorObject['spec']> = {}): Promise<string> {
  const name = `m1.test-${randomSuffix()}`;
  flavors.push(name);
  await tenant.apply(resourceOf(Flavor), {
    metadata: { name },
    spec: { vcpus: 2, ramMiB: 2048, diskGiB: 20, ...spec },
  });
  return name;
}

/** Play CDI: the import of a DataVolume finished (and the CSI driver bound its PVC). */
async function finishImport(namespace: string, name: string, capacity = '10Gi') {
  await until<DataVolume>(engines.dataVolumes, name, namespace, () => true, `DataVolume ${name}`);
  await engine.apply(kube.persistentVolumeClaims, {
    metadata: { name, namespace },
    spec: {
      accessModes: ['ReadWriteMany'],
      volumeMode: 'Block',
      storageClassName: 'rbd',
      resources: { requests: { storage: capacity } },
    },
  });
  await engine.apply(
    kube.persistentVolumeClaims,
    { metadata: { name, namespace }, status: { phase: 'Bound', capacity: { storage: capacity } } },
    { subresource: 'status' },
  );
  await engine.apply(
    engines.dataVolumes,
    {
      metadata: { name, namespace },
      status: {
        phase: 'Succeeded',
        progress: '100.0%',
        claimName: name,
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    { subresource: 'status' },
  );
}

// ---- Flavor ------------------------------------------------------------------------------------

describe('Flavor → VirtualMachineClusterInstancetype', () => {
  it('sizes the instancetype from the flavor and owns it', async () => {
    const name = await createFlavor({ vcpus: 4, ramMiB: 8192, extraSpecs: { 'hw:cpu_policy': 'dedicated' } });
    const flavor = await until<FlavorObject>(
      resourceOf(Flavor),
      name,
      undefined,
      (f) => condition(f)?.status === 'True',
      'flavor Ready',
    );
    expect(flavor.status?.instancetype).toBe(`stratus-${name}`);
    const it = (await tenant.get<ClusterInstancetype>(engines.clusterInstancetypes, `stratus-${name}`))!;
    expect(it.spec).toEqual({ cpu: { guest: 4, dedicatedCPUPlacement: true }, memory: { guest: '8192Mi' } });
    expect(it.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Flavor', name, uid: flavor.metadata.uid, controller: true }),
    ]);
  });
});

// ---- Image -------------------------------------------------------------------------------------

describe('Image → golden DataVolume + DataSource', () => {
  it('imports into a block RWX disk on the RBD class and reports the import as Glance does', async () => {
    const ns = await freshNamespace('image');
    await tenant.apply(resourceOf(Image), {
      metadata: { name: 'ubuntu', namespace: ns },
      spec: {
        source: { url: 'https://cloud-images.example/ubuntu.img' },
        diskFormat: 'qcow2',
        minDiskGiB: 4,
      },
    });
    const dv = await until<DataVolume>(
      engines.dataVolumes,
      'image-ubuntu',
      ns,
      () => true,
      'golden DataVolume',
    );
    expect(dv.metadata?.annotations).toMatchObject({
      'cdi.kubevirt.io/storage.bind.immediateRequested': 'true',
      'cdi.kubevirt.io/storage.deleteAfterCompletion': 'false',
    });
    expect(dv.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Image', name: 'ubuntu', controller: true }),
    ]);
    expect(dv.spec).toEqual({
      source: { http: { url: 'https://cloud-images.example/ubuntu.img' } },
      contentType: 'kubevirt',
      storage: {
        storageClassName: 'rbd',
        volumeMode: 'Block',
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: '4Gi' } },
      },
    });
    const ds = await until<DataSource>(engines.dataSources, 'image-ubuntu', ns, () => true, 'DataSource');
    expect(ds.spec).toEqual({ source: { pvc: { name: 'image-ubuntu', namespace: ns } } });
    await until<ImageObject>(
      resourceOf(Image),
      'ubuntu',
      ns,
      (i) => i.status?.state === 'queued',
      'image queued',
    );

    // Playing CDI: the download runs...
    await engine.apply(
      engines.dataVolumes,
      {
        metadata: { name: 'image-ubuntu', namespace: ns },
        status: { phase: 'ImportInProgress', progress: '42.7%' },
      },
      { subresource: 'status' },
    );
    await until<ImageObject>(
      resourceOf(Image),
      'ubuntu',
      ns,
      (i) => i.status?.state === 'saving' && i.status.progress === 42,
      'image saving at 42%',
    );
    // ...and completes.
    await finishImport(ns, 'image-ubuntu', '4Gi');
    const active = await until<ImageObject>(
      resourceOf(Image),
      'ubuntu',
      ns,
      (i) => i.status?.state === 'active',
      'image active',
    );
    expect(active.status).toMatchObject({
      progress: 100,
      sizeBytes: 4 * 2 ** 30,
      virtualSizeBytes: 4 * 2 ** 30,
      dataVolume: 'image-ubuntu',
      pvc: 'image-ubuntu',
      dataSource: 'image-ubuntu',
    });
    expect(condition(active as Conditioned)).toMatchObject({ status: 'True', reason: 'Active' });
  });

  it('reports a format it cannot import as a terminal failure: Degraded, a Warning, no retry until fixed', async () => {
    const ns = await freshNamespace('image');
    await tenant.apply(resourceOf(Image), {
      metadata: { name: 'appliance', namespace: ns },
      spec: { diskFormat: 'qcow2', containerFormat: 'ova' },
    });
    const failed = await until<ImageObject>(
      resourceOf(Image),
      'appliance',
      ns,
      (i) => condition(i, 'Degraded')?.status === 'True',
      'Degraded',
    );
    expect(failed.status?.state).toBe('killed');
    expect(condition(failed as Conditioned)).toMatchObject({ status: 'False', reason: 'UnsupportedFormat' });
    expect(condition(failed as Conditioned, 'Degraded')).toMatchObject({
      reason: 'UnsupportedFormat',
      message: condition(failed as Conditioned)?.message,
    });
    const warnings = await eventually(
      async () => {
        const events = await tenant.list<KubeObject & { type: string; reason: string }>(kube.events, {
          namespace: ns,
        });
        const found = events.filter((e) => e.type === 'Warning' && e.reason === 'UnsupportedFormat');
        return found.length > 0 ? found : undefined;
      },
      { description: 'a Warning event', timeoutMs: 30_000 },
    );
    expect(warnings).toHaveLength(1);

    // Fixed (allowed while the image has no data): it converges, and Degraded goes.
    await tenant.apply(resourceOf(Image), {
      metadata: { name: 'appliance', namespace: ns },
      spec: { diskFormat: 'qcow2', containerFormat: 'bare' },
    });
    const fixed = await until<ImageObject>(
      resourceOf(Image),
      'appliance',
      ns,
      (i) => i.status?.state === 'queued',
      'queued',
    );
    expect(condition(fixed as Conditioned)).toMatchObject({ status: 'False', reason: 'NoData' });
    expect(condition(fixed as Conditioned, 'Degraded')).toBeUndefined();
  });

  it('reports a failed import as killed with CDI’s reason', async () => {
    const ns = await freshNamespace('image');
    await tenant.apply(resourceOf(Image), {
      metadata: { name: 'broken', namespace: ns },
      spec: { source: { url: 'https://cloud-images.example/missing.img' }, diskFormat: 'raw' },
    });
    await until<DataVolume>(engines.dataVolumes, 'image-broken', ns, () => true, 'golden DataVolume');
    await engine.apply(
      engines.dataVolumes,
      {
        metadata: { name: 'image-broken', namespace: ns },
        status: {
          phase: 'Failed',
          conditions: [
            {
              type: 'Running',
              status: 'False',
              reason: 'Error',
              message: 'HTTP request errored: 404 Not Found',
            },
          ],
        },
      },
      { subresource: 'status' },
    );
    const killed = await until<ImageObject>(
      resourceOf(Image),
      'broken',
      ns,
      (i) => i.status?.state === 'killed',
      'image killed',
    );
    expect(killed.status?.message).toBe('HTTP request errored: 404 Not Found');
  });
});

// ---- KeyPair -----------------------------------------------------------------------------------

describe('KeyPair', () => {
  it('fingerprints an imported key as Nova does', async () => {
    const ns = await freshNamespace('keypair');
    await tenant.apply(resourceOf(KeyPair), {
      metadata: { name: 'alice', namespace: ns },
      spec: { publicKey: ED25519 },
    });
    const kp = await until<KeyPairObject>(
      resourceOf(KeyPair),
      'alice',
      ns,
      (k) => !!k.status?.fingerprint,
      'fingerprint',
    );
    expect(kp.status).toMatchObject({
      fingerprint: '61:4c:f4:15:ff:2e:96:a2:3d:08:ed:c5:c8:1b:fe:f8',
      publicKey: ED25519,
      generated: false,
    });
  });

  it('hands a generated private key out once, in a one-shot Secret, and forgets it once read', async () => {
    const ns = await freshNamespace('keypair');
    await tenant.apply(resourceOf(KeyPair), { metadata: { name: 'gen', namespace: ns }, spec: {} });
    const kp = await until<KeyPairObject>(
      resourceOf(KeyPair),
      'gen',
      ns,
      (k) => !!k.status?.privateKeySecret,
      'generated',
    );
    expect(kp.status?.generated).toBe(true);
    expect(kp.status?.publicKey).toMatch(/^ssh-rsa AAAA/);
    expect(kp.status?.fingerprint).toBe(sshFingerprint(kp.status!.publicKey!));
    expect(JSON.stringify(kp.status)).not.toContain('PRIVATE KEY');
    const secret = (await tenant.get<KubeObject & { data: Record<string, string>; type: string }>(
      kube.secrets,
      'gen-private-key',
      ns,
    ))!;
    expect(secret.type).toBe('stratus.dev/private-key');
    expect(secret.metadata?.annotations?.['stratus.dev/one-shot']).toBe('true');
    expect(Buffer.from(secret.data.privateKey!, 'base64').toString()).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----/,
    );
    expect(Buffer.from(secret.data.publicKey!, 'base64').toString()).toBe(kp.status?.publicKey);

    // The reader (the OpenStack API) takes the key and deletes the Secret: it is never made again.
    await tenant.delete(kube.secrets, 'gen-private-key', ns);
    const after = await until<KeyPairObject>(
      resourceOf(KeyPair),
      'gen',
      ns,
      (k) => k.status?.privateKeySecret === undefined,
      'privateKeySecret cleared',
    );
    expect(after.status?.publicKey).toBe(kp.status?.publicKey);
    expect(await tenant.get(kube.secrets, 'gen-private-key', ns)).toBeUndefined();
  });
});

// ---- Network / Subnet --------------------------------------------------------------------------

async function createNetwork(ns: string, name = 'net1') {
  await tenant.apply(resourceOf(Network), { metadata: { name, namespace: ns }, spec: { mtu: 1400 } });
  await tenant.apply(resourceOf(Subnet), {
    metadata: { name: `${name}-v4`, namespace: ns },
    spec: {
      network: name,
      cidr: '10.20.0.0/24',
      allocationPools: [{ start: '10.20.0.10', end: '10.20.0.200' }],
      dnsNameservers: ['10.20.0.2'],
    },
  });
  await tenant.apply(resourceOf(Subnet), {
    metadata: { name: `${name}-v6`, namespace: ns },
    spec: {
      network: name,
      ipVersion: 6,
      cidr: 'fd00:20::/64',
      ipv6AddressMode: 'slaac',
      ipv6RAMode: 'slaac',
    },
  });
}

describe('Network + Subnets → Kube-OVN Subnet + NetworkAttachmentDefinition', () => {
  it('builds one dual-stack Kube-OVN Subnet in the project Vpc, follows Kube-OVN, and cleans up', async () => {
    const ns = await freshNamespace('net');
    await createNetwork(ns);
    const kovnName = `${ns}.net1`;
    const kovn = await until<KubeOvnSubnet>(
      engines.kubeOvnSubnets,
      kovnName,
      undefined,
      (s) => s.spec.protocol === 'Dual',
      'dual-stack Kube-OVN Subnet',
    );
    expect(kovn.metadata?.labels).toMatchObject({
      'stratus.dev/network': 'net1',
      'stratus.dev/network-namespace': ns,
    });
    expect(kovn.spec).toEqual({
      vpc: `stratus-${ns}`,
      protocol: 'Dual',
      cidrBlock: '10.20.0.0/24,fd00:20::/64',
      gateway: '10.20.0.1,fd00:20::1',
      excludeIps: ['10.20.0.1..10.20.0.9', '10.20.0.201..10.20.0.254', 'fd00:20::1'],
      provider: `net1.${ns}.ovn`,
      gatewayType: 'distributed',
      disableGatewayCheck: true,
      enableDHCP: true,
      dhcpV4Options: 'dns_server={10.20.0.2}',
      enableIPv6RA: true,
      ipv6RAConfigs: 'address_mode=slaac,max_interval=30,min_interval=5,send_periodic=true',
      mtu: 1400,
    });
    const nad = (await tenant.get<NetworkAttachmentDefinition>(
      engines.networkAttachmentDefinitions,
      'net1',
      ns,
    ))!;
    expect(JSON.parse(nad.spec.config)).toMatchObject({ type: 'kube-ovn', provider: `net1.${ns}.ovn` });

    const building = await until<NetworkObject>(
      resourceOf(Network),
      'net1',
      ns,
      (n) => n.status?.networkAttachmentDefinition === 'net1',
      'network status',
    );
    expect(building.status).toMatchObject({
      state: 'BUILD',
      subnets: ['net1-v4', 'net1-v6'],
      vpc: `stratus-${ns}`,
      mtu: 1400,
    });
    expect(building.metadata.finalizers).toContain('stratus.dev/cleanup');

    // Playing Kube-OVN: the logical switch is up.
    await engine.apply(
      engines.kubeOvnSubnets,
      {
        metadata: { name: kovnName },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'ResetLogicalSwitchAclSuccess' }],
          v4usingIPs: 0,
          v4availableIPs: 191,
          v6usingIPs: 0,
          v6availableIPs: 1000,
        },
      },
      { subresource: 'status' },
    );
    await until<NetworkObject>(
      resourceOf(Network),
      'net1',
      ns,
      (n) => n.status?.state === 'ACTIVE',
      'network ACTIVE',
    );
    const v4 = await until<SubnetObject>(
      resourceOf(Subnet),
      'net1-v4',
      ns,
      (s) => s.status?.state === 'ACTIVE',
      'subnet ACTIVE',
    );
    expect(v4.status).toMatchObject({
      gatewayIP: '10.20.0.1',
      kubeOvnSubnet: kovnName,
      usedIPs: 0,
      availableIPs: 191,
    });

    // Removing the IPv6 subnet rebuilds the Kube-OVN Subnet single-stack.
    await tenant.delete(resourceOf(Subnet), 'net1-v6', ns);
    await until<KubeOvnSubnet>(
      engines.kubeOvnSubnets,
      kovnName,
      undefined,
      (s) => s.spec.protocol === 'IPv4',
      'IPv4 only',
    );

    // Deleting the network takes its subnets and the cluster-scoped Kube-OVN Subnet along.
    await tenant.delete(resourceOf(Network), 'net1', ns);
    await gone(resourceOf(Network), 'net1', ns);
    await gone(engines.kubeOvnSubnets, kovnName, undefined);
    await gone(resourceOf(Subnet), 'net1-v4', ns);
  });
});

// ---- Instance ----------------------------------------------------------------------------------

describe('Instance → VirtualMachine', () => {
  it('waits for its image, boots with everything it names, powers off and on, reboots, and goes away', async () => {
    const ns = await freshNamespace('inst');
    const flavor = await createFlavor();
    const image = `cirros-${randomSuffix()}`;
    publicImages.push(image);
    await createNetwork(ns);
    await tenant.apply(resourceOf(KeyPair), {
      metadata: { name: 'alice', namespace: ns },
      spec: { publicKey: ED25519 },
    });
    await until<NetworkObject>(
      resourceOf(Network),
      'net1',
      ns,
      (n) => !!n.status?.networkAttachmentDefinition,
      'network',
    );
    await until<KeyPairObject>(resourceOf(KeyPair), 'alice', ns, (k) => !!k.status?.publicKey, 'key pair');

    // A public image registered without data yet (Glance "queued").
    await tenant.apply(resourceOf(Image), {
      metadata: { name: image, namespace: PUBLIC },
      spec: { visibility: 'public' },
    });
    await tenant.apply(resourceOf(Instance), {
      metadata: { name: 'web-1', namespace: ns },
      spec: {
        flavor,
        image: { name: image, namespace: PUBLIC },
        keyName: 'alice',
        userData: '#cloud-config\nhostname: web-1\n',
        networks: [{ network: { name: 'net1' }, fixedIPs: ['10.20.0.50'] }],
      },
    });
    let instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => condition(i)?.reason === 'WaitingForImage',
      'instance waiting for the image',
    );
    expect(condition(instance as Conditioned)?.message).toBe(
      `image ${PUBLIC}/${image} is queued; waiting until it is active`,
    );
    expect(instance.status).toMatchObject({ state: 'BUILD', taskState: 'scheduling' });
    expect(await tenant.get(engines.virtualMachines, 'web-1', ns)).toBeUndefined();

    // The image goes away: the instance names what is missing.
    await tenant.delete(resourceOf(Image), image, PUBLIC);
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => condition(i)?.message === `image ${PUBLIC}/${image} not found`,
      'instance waiting for a missing image',
    );
    expect(condition(instance as Conditioned)).toMatchObject({ status: 'False', reason: 'WaitingForImage' });

    // It comes back with data; once imported, the instance proceeds on its own.
    await tenant.apply(resourceOf(Image), {
      metadata: { name: image, namespace: PUBLIC },
      spec: {
        visibility: 'public',
        source: { url: 'https://images.example/cirros.img' },
        diskFormat: 'qcow2',
        minDiskGiB: 1,
      },
    });
    await finishImport(PUBLIC, `image-${image}`, '1Gi');
    const vm = await until<VirtualMachine>(
      engines.virtualMachines,
      'web-1',
      ns,
      () => true,
      'the VirtualMachine',
    );
    instance = (await tenant.get<InstanceObject>(resourceOf(Instance), 'web-1', ns))!;
    const uid = instance.metadata.uid!;
    const mac = nicMac(nicSeed(uid, { namespace: ns, name: 'net1' }));
    const labels = {
      'app.kubernetes.io/managed-by': 'stratus-operator',
      'stratus.dev/project': ns,
      'stratus.dev/instance': 'web-1',
    };

    // The VirtualMachine, field by field.
    expect(vm.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Instance',
        name: 'web-1',
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(vm.metadata?.labels).toEqual(labels);
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec.instancetype).toEqual({
      kind: 'VirtualMachineClusterInstancetype',
      name: `stratus-${flavor}`,
    });
    expect(vm.spec.dataVolumeTemplates).toEqual([
      {
        metadata: { name: 'web-1-root', labels },
        spec: {
          sourceRef: { kind: 'DataSource', name: `image-${image}`, namespace: PUBLIC },
          storage: {
            storageClassName: 'rbd',
            volumeMode: 'Block',
            accessModes: ['ReadWriteMany'],
            resources: { requests: { storage: '20Gi' } },
          },
        },
      },
    ]);
    const template = vm.spec.template;
    expect(template.metadata).toEqual({
      labels,
      annotations: {
        [`net1.${ns}.ovn.kubernetes.io/logical_switch`]: `${ns}.net1`,
        [`net1.${ns}.ovn.kubernetes.io/mac_address`]: mac,
        [`net1.${ns}.ovn.kubernetes.io/ip_address`]: '10.20.0.50',
        [`net1.${ns}.ovn.kubernetes.io/port_security`]: 'true',
        [`net1.${ns}.ovn.kubernetes.io/security_groups`]: kubeOvnSecurityGroupName(ns, 'default'),
      },
    });
    expect(template.spec.hostname).toBe('web-1');
    expect(template.spec.domain).toEqual({
      firmware: { uuid: uid },
      devices: {
        autoattachPodInterface: false,
        disks: [
          { name: 'rootdisk', disk: { bus: 'virtio' }, bootOrder: 1 },
          { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
        ],
        interfaces: [{ name: 'nic0', bridge: {}, macAddress: mac }],
      },
    });
    expect(template.spec.networks).toEqual([{ name: 'nic0', multus: { networkName: `${ns}/net1` } }]);
    expect(template.spec.volumes).toEqual([
      { name: 'rootdisk', dataVolume: { name: 'web-1-root' } },
      {
        name: 'cloudinitdisk',
        cloudInitConfigDrive: {
          secretRef: { name: 'web-1-cloudinit' },
          networkDataSecretRef: { name: 'web-1-cloudinit' },
        },
      },
    ]);
    expect(template.spec.accessCredentials).toEqual([
      {
        sshPublicKey: {
          source: { secret: { secretName: 'web-1-ssh-keys' } },
          propagationMethod: { configDrive: {} },
        },
      },
    ]);

    // Its cloud-init: user data as given, network data in OpenStack's format, the key on its own.
    type SecretData = KubeObject & { data: Record<string, string> };
    const cloudInit = (await tenant.get<SecretData>(kube.secrets, 'web-1-cloudinit', ns))!;
    expect(cloudInit.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Instance', uid, controller: true }),
    ]);
    expect(Buffer.from(cloudInit.data.userdata!, 'base64').toString()).toBe(
      '#cloud-config\nhostname: web-1\n',
    );
    const network = (await tenant.get<NetworkObject>(resourceOf(Network), 'net1', ns))!;
    const port = nicId(nicSeed(uid, { namespace: ns, name: 'net1' }));
    const link = `tap${port.slice(0, 11)}`;
    expect(JSON.parse(Buffer.from(cloudInit.data.networkdata!, 'base64').toString())).toEqual({
      links: [{ id: link, vif_id: port, type: 'ovs', ethernet_mac_address: mac, mtu: 1400 }],
      networks: [
        {
          id: 'network0',
          type: 'ipv4',
          link,
          ip_address: '10.20.0.50',
          netmask: '255.255.255.0',
          routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.20.0.1' }],
          network_id: network.metadata.uid,
          services: [{ type: 'dns', address: '10.20.0.2' }],
        },
        { id: 'network1', type: 'ipv6_slaac', link, network_id: network.metadata.uid },
      ],
      services: [{ type: 'dns', address: '10.20.0.2' }],
    });
    const keys = (await tenant.get<SecretData>(kube.secrets, 'web-1-ssh-keys', ns))!;
    expect(Buffer.from(keys.data.alice!, 'base64').toString()).toBe(ED25519);

    // Playing KubeVirt: the VM runs, its VMI reports the NIC's addresses.
    const startVmi = async () => {
      // KubeVirt's VirtualMachineInstance has no status subresource: virt-handler writes it whole.
      const vmi = await engine.apply<VirtualMachineInstance>(engines.virtualMachineInstances, {
        metadata: { name: 'web-1', namespace: ns },
        spec: { domain: { devices: {} } },
        status: {
          phase: 'Running',
          nodeName: 'node-a',
          conditions: [{ type: 'Ready', status: 'True' }],
          interfaces: [
            {
              name: 'nic0',
              ipAddresses: ['10.20.0.50', 'fd00:20::2', 'fe80::1'],
              mac,
              infoSource: 'domain, guest-agent, multus-status',
            },
          ],
          phaseTransitionTimestamps: [{ phase: 'Running', phaseTransitionTimestamp: '2025-06-01T10:00:00Z' }],
        },
      });
      await engine.apply(
        engines.virtualMachines,
        {
          metadata: { name: 'web-1', namespace: ns },
          status: { printableStatus: 'Running', ready: true, created: true },
        },
        { subresource: 'status' },
      );
      return vmi.metadata!.uid!;
    };
    const firstVmi = await startVmi();
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => i.status?.state === 'ACTIVE',
      'ACTIVE',
    );
    expect(condition(instance as Conditioned)).toMatchObject({ status: 'True', reason: 'Running' });
    expect(instance.status).toMatchObject({
      powerState: 'RUNNING',
      host: 'node-a',
      hostname: 'web-1',
      virtualMachine: 'web-1',
      rootDisk: 'web-1-root',
      launchedAt: '2025-06-01T10:00:00Z',
      flavor: { name: flavor, vcpus: 2, ramMiB: 2048, diskGiB: 20 },
    });
    expect(instance.status?.addresses).toEqual([
      {
        network: { name: 'net1', namespace: ns },
        version: 4,
        address: '10.20.0.50',
        macAddress: mac,
        type: 'fixed',
      },
      {
        network: { name: 'net1', namespace: ns },
        version: 6,
        address: 'fd00:20::2',
        macAddress: mac,
        type: 'fixed',
      },
    ]);

    // Stop: runStrategy Halted; KubeVirt (played) stops it; Nova says SHUTOFF.
    await tenant.apply(resourceOf(Instance), {
      metadata: { name: 'web-1', namespace: ns },
      spec: { ...instance.spec, powerState: 'Stopped' },
    });
    await until<VirtualMachine>(
      engines.virtualMachines,
      'web-1',
      ns,
      (v) => v.spec.runStrategy === 'Halted',
      'Halted',
    );
    await tenant.delete(engines.virtualMachineInstances, 'web-1', ns);
    await engine.apply(
      engines.virtualMachines,
      {
        metadata: { name: 'web-1', namespace: ns },
        status: { printableStatus: 'Stopped', ready: false, created: false },
      },
      { subresource: 'status' },
    );
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => i.status?.state === 'SHUTOFF',
      'SHUTOFF',
    );
    expect(instance.status?.powerState).toBe('SHUTDOWN');

    // Start again: runStrategy Always.
    await tenant.apply(resourceOf(Instance), {
      metadata: { name: 'web-1', namespace: ns },
      spec: { ...instance.spec, powerState: 'Running' },
    });
    await until<VirtualMachine>(
      engines.virtualMachines,
      'web-1',
      ns,
      (v) => v.spec.runStrategy === 'Always',
      'Always',
    );
    const secondVmi = await startVmi();
    expect(secondVmi).not.toBe(firstVmi);
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => i.status?.state === 'ACTIVE',
      'ACTIVE again',
    );
    expect(instance.status?.launchedAt).toBe('2025-06-01T10:00:00Z'); // the first launch, as Nova keeps it

    // Reboot: the operator deletes the VMI (KubeVirt would recreate it under Always).
    await tenant.apply(resourceOf(Instance), {
      metadata: { name: 'web-1', namespace: ns },
      spec: { ...instance.spec, rebootRequest: { id: 'reboot-1', type: 'HARD' } },
    });
    await eventually(
      async () => {
        const vmi = await tenant.get<VirtualMachineInstance>(engines.virtualMachineInstances, 'web-1', ns);
        return vmi === undefined || vmi.metadata?.uid !== secondVmi;
      },
      { description: 'the VMI to be deleted for the reboot' },
    );
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => i.status?.state === 'HARD_REBOOT',
      'HARD_REBOOT',
    );
    expect(instance.status?.lastReboot).toEqual({ id: 'reboot-1', type: 'HARD' });
    expect(instance.status?.taskState).toBe('rebooting_hard');
    const marked = (await tenant.get<VirtualMachine>(engines.virtualMachines, 'web-1', ns))!;
    expect(marked.metadata?.annotations?.['stratus.dev/rebooting-vmi']).toBe(secondVmi);
    // Playing KubeVirt: a new VMI comes up.
    const thirdVmi = await startVmi();
    instance = await until<InstanceObject>(
      resourceOf(Instance),
      'web-1',
      ns,
      (i) => !!i.status?.lastReboot?.completedAt && i.status.state === 'ACTIVE',
      'reboot complete',
    );
    expect(instance.status?.lastReboot).toMatchObject({ id: 'reboot-1', type: 'HARD' });
    await until<VirtualMachine>(
      engines.virtualMachines,
      'web-1',
      ns,
      (v) => v.metadata?.annotations?.['stratus.dev/rebooting-vmi'] === undefined,
      'the reboot mark removed',
    );
    // Level-triggered: the same request id never reboots again.
    const vmiNow = (await tenant.get<VirtualMachineInstance>(engines.virtualMachineInstances, 'web-1', ns))!;
    expect(vmiNow.metadata?.uid).toBe(thirdVmi);

    // Deleting the instance leaves no VirtualMachine (owner references + garbage collection).
    await tenant.delete(resourceOf(Instance), 'web-1', ns);
    await gone(engines.virtualMachines, 'web-1', ns);
    await gone(kube.secrets, 'web-1-cloudinit', ns);
    await gone(kube.secrets, 'web-1-ssh-keys', ns);

    await tenant.delete(resourceOf(Network), 'net1', ns);
    await gone(resourceOf(Network), 'net1', ns);
  });

  it('refuses to boot an image larger than the flavor’s disk, as Nova does', async () => {
    const ns = await freshNamespace('inst');
    const flavor = await createFlavor({ diskGiB: 1 });
    await tenant.apply(resourceOf(Image), {
      metadata: { name: 'big', namespace: ns },
      spec: { source: { url: 'https://images.example/big.img' }, diskFormat: 'raw', minDiskGiB: 8 },
    });
    await finishImport(ns, 'image-big', '8Gi');
    await until<ImageObject>(
      resourceOf(Image),
      'big',
      ns,
      (i) => i.status?.state === 'active',
      'image active',
    );
    await tenant.apply(resourceOf(Instance), {
      metadata: { name: 'tiny', namespace: ns },
      spec: { flavor, image: { name: 'big' } },
    });
    const instance = await until<InstanceObject>(
      resourceOf(Instance),
      'tiny',
      ns,
      (i) => i.status?.state === 'ERROR',
      'ERROR',
    );
    expect(condition(instance as Conditioned)?.reason).toBe('FlavorDiskTooSmall');
    expect(instance.status?.fault).toMatchObject({
      code: 400,
      message: `flavor ${flavor} has a 1 GiB root disk but image ${ns}/big needs 8 GiB; pick a larger flavor or set rootDiskGiB`,
    });
    expect(await tenant.get(engines.virtualMachines, 'tiny', ns)).toBeUndefined();
  });
});
