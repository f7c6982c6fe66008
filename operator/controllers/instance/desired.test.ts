import { networkConfigV2, networkData } from './network-data.js';
import { describe, expect, it } from 'vitest';
import type { FlavorObject } from '../../kinds/flavor.js';
import type { ImageObject } from '../../kinds/image.js';
import type { InstanceObject } from '../../kinds/instance.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import { kubeOvnSecurityGroupName, type VirtualMachine, type VirtualMachineInstance } from '../engines.js';
import {
  desiredCloudInitSecret,
  desiredInstance,
  desiredSshKeySecret,
  desiredVirtualMachine,
  nicId,
  nicMac,
  nicSeed,
  type ResolvedNic,
} from './desired.js';
import { bootFromVm, instanceReferences, referenceKey, resolveInstance, type Lookups } from './resolve.js';
import { instanceStatus, rebootStep } from './status.js';

// ---- fixtures ----------------------------------------------------------------------------

const UID = '6a1e3c2b-0000-4000-8000-000000000001';

function instance(
  spec: Partial<InstanceObject['spec']> = {},
  status?: InstanceObject['status'],
): InstanceObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Instance',
    metadata: { name: 'web-1', namespace: 'demo', uid: UID, generation: 1 },
    spec: {
      flavor: 'm1.small',
      image: { name: 'cirros', namespace: 'stratus-public' },
      configDrive: true,
      powerState: 'Running',
      networks: [{ network: { name: 'net1' }, fixedIPs: ['10.0.0.50'] }],
      keyName: 'mykey',
      userData: '#cloud-config\npackages: [nginx]\n',
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

const flavor: FlavorObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Flavor',
  metadata: { name: 'm1.small', uid: 'flv' },
  spec: { vcpus: 1, ramMiB: 2048, diskGiB: 20, ephemeralGiB: 0, swapMiB: 0, isPublic: true },
};

function image(
  status: ImageObject['status'] = { state: 'active', virtualSizeBytes: 2 * 2 ** 30 },
): ImageObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Image',
    metadata: { name: 'cirros', namespace: 'stratus-public', uid: 'img' },
    spec: {
      source: { url: 'https://example.com/c.img' },
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'public',
      protected: false,
      hidden: false,
      deactivated: false,
      minDiskGiB: 0,
      minRamMiB: 0,
      properties: { hw_disk_bus: 'scsi' },
    },
    status,
  };
}

const network: NetworkObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Network',
  metadata: { name: 'net1', namespace: 'demo', uid: 'net-uid' },
  spec: { adminStateUp: true, shared: false, external: false, portSecurityEnabled: true, mtu: 1400 },
  status: { networkAttachmentDefinition: 'net1' },
};

const subnets: SubnetObject[] = [
  {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Subnet',
    metadata: { name: 'v4', namespace: 'demo', creationTimestamp: '2025-01-01T00:00:00Z' as unknown as Date },
    spec: {
      network: 'net1',
      ipVersion: 4,
      cidr: '10.0.0.0/24',
      disableGateway: false,
      enableDHCP: true,
      dnsNameservers: ['8.8.8.8'],
      hostRoutes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.5' }],
    },
  },
  {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Subnet',
    metadata: { name: 'v6', namespace: 'demo', creationTimestamp: '2025-01-01T00:00:00Z' as unknown as Date },
    spec: {
      network: 'net1',
      ipVersion: 6,
      cidr: 'fd00:10::/64',
      disableGateway: false,
      enableDHCP: true,
      ipv6AddressMode: 'slaac',
      ipv6RAMode: 'slaac',
    },
  },
];

const keyPair: KeyPairObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'KeyPair',
  metadata: { name: 'mykey', namespace: 'demo' },
  spec: {
    type: 'ssh',
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILhiGOzN75I3ltJMjUTitTiaKJ4puw2YxDskw3j2aW1N alice',
  },
};

function lookups(overrides: Partial<Lookups> = {}): Lookups {
  return {
    flavor: (name) => (name === 'm1.small' ? flavor : undefined),
    image: (ns, name) => (ns === 'stratus-public' && name === 'cirros' ? image() : undefined),
    network: (ns, name) => (ns === 'demo' && name === 'net1' ? network : undefined),
    subnets: (ns) => (ns === 'demo' ? subnets : []),
    keyPair: (ns, name) => (ns === 'demo' && name === 'mykey' ? keyPair : undefined),
    port: () => undefined,
    volume: () => undefined,
    ...overrides,
  };
}

function ready(i = instance(), vm?: VirtualMachine) {
  const resolution = resolveInstance(i, lookups(), vm);
  if (resolution.kind !== 'ready') throw new Error(`not ready: ${resolution.message}`);
  return resolution;
}

const MAC = nicMac(nicSeed(UID, { namespace: 'demo', name: 'net1' }));
const NIC_ID = nicId(nicSeed(UID, { namespace: 'demo', name: 'net1' }));

// ---- the VirtualMachine ------------------------------------------------------------------

describe('desiredVirtualMachine', () => {
  const resolved = ready();
  const vm = desiredVirtualMachine(
    { ...resolved.inputs, sshKeySecret: 'web-1-ssh-keys' },
    { storageClass: 'rbd' },
  );
  const labels = {
    'app.kubernetes.io/managed-by': 'stratus-operator',
    'stratus.dev/project': 'demo',
    'stratus.dev/instance': 'web-1',
  };

  it('is named like the instance and owned by it', () => {
    expect(vm.apiVersion).toBe('kubevirt.io/v1');
    expect(vm.kind).toBe('VirtualMachine');
    expect(vm.metadata).toEqual({
      name: 'web-1',
      namespace: 'demo',
      labels,
      ownerReferences: [
        {
          apiVersion: 'stratus.dev/v1alpha1',
          kind: 'Instance',
          name: 'web-1',
          uid: UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  });

  it('runs Always, sized by the flavor’s instancetype', () => {
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec.instancetype).toEqual({
      kind: 'VirtualMachineClusterInstancetype',
      name: 'stratus-m1.small',
    });
    expect(
      desiredVirtualMachine(
        { ...resolved.inputs, instance: instance({ powerState: 'Stopped' }) },
        { storageClass: 'rbd' },
      ).spec.runStrategy,
    ).toBe('Halted');
  });

  it('clones the root disk from the image’s DataSource, sized from the flavor', () => {
    expect(vm.spec.dataVolumeTemplates).toEqual([
      {
        metadata: { name: 'web-1-root', labels },
        spec: {
          sourceRef: { kind: 'DataSource', name: 'image-cirros', namespace: 'stratus-public' },
          storage: {
            storageClassName: 'rbd',
            volumeMode: 'Block',
            accessModes: ['ReadWriteMany'],
            resources: { requests: { storage: '20Gi' } },
          },
        },
      },
    ]);
  });

  it('has the root disk (bus from hw_disk_bus), a config drive from the cloud-init Secret, and one bridged multus NIC', () => {
    const spec = vm.spec.template.spec;
    expect(spec.hostname).toBe('web-1');
    expect(spec.domain.firmware).toEqual({ uuid: UID });
    expect(spec.domain.devices).toEqual({
      autoattachPodInterface: false,
      disks: [
        { name: 'rootdisk', disk: { bus: 'scsi' }, bootOrder: 1 },
        { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
      ],
      interfaces: [{ name: 'nic0', bridge: {}, macAddress: MAC }],
    });
    expect(spec.volumes).toEqual([
      { name: 'rootdisk', dataVolume: { name: 'web-1-root' } },
      {
        name: 'cloudinitdisk',
        cloudInitConfigDrive: {
          secretRef: { name: 'web-1-cloudinit' },
          networkDataSecretRef: { name: 'web-1-cloudinit' },
        },
      },
    ]);
    expect(spec.networks).toEqual([{ name: 'nic0', multus: { networkName: 'demo/net1' } }]);
    expect(spec.accessCredentials).toEqual([
      {
        sshPublicKey: {
          source: { secret: { secretName: 'web-1-ssh-keys' } },
          propagationMethod: { configDrive: {} },
        },
      },
    ]);
  });

  it('binds the NIC through Kube-OVN’s per-attachment annotations', () => {
    expect(vm.spec.template.metadata).toEqual({
      labels,
      annotations: {
        'net1.demo.ovn.kubernetes.io/logical_switch': 'demo.net1',
        'net1.demo.ovn.kubernetes.io/mac_address': MAC,
        'net1.demo.ovn.kubernetes.io/ip_address': '10.0.0.50',
        'net1.demo.ovn.kubernetes.io/port_security': 'true',
        'net1.demo.ovn.kubernetes.io/security_groups': kubeOvnSecurityGroupName('demo', 'default'),
      },
    });
  });

  it('marks the VM while a reboot replaces a VMI, places the VM in its zone, and boots UEFI images', () => {
    const marked = desiredVirtualMachine(
      { ...resolved.inputs, instance: instance({ availabilityZone: 'zone-a' }), rebootingVmi: 'vmi-uid' },
      { storageClass: 'rbd' },
    );
    expect(marked.metadata.annotations).toEqual({ 'stratus.dev/rebooting-vmi': 'vmi-uid' });
    expect(marked.spec.template.spec.nodeSelector).toEqual({ 'topology.kubernetes.io/zone': 'zone-a' });
    const uefi = desiredVirtualMachine(
      {
        ...resolved.inputs,
        boot: {
          ...(resolved.inputs.boot as Extract<typeof resolved.inputs.boot, { kind: 'image' }>),
          properties: { hw_firmware_type: 'uefi', os_secure_boot: 'required' },
        },
      },
      { storageClass: 'rbd' },
    );
    expect(uefi.spec.template.spec.domain.firmware).toEqual({
      uuid: UID,
      bootloader: { efi: { secureBoot: true } },
    });
    expect(uefi.spec.template.spec.domain.features).toEqual({ smm: { enabled: true } });
  });
});

// ---- cloud-init ---------------------------------------------------------------------------

describe('cloud-init data', () => {
  const nics = ready().inputs.nics;

  it('describes the NIC in OpenStack network_data.json: static for the fixed IPv4, SLAAC for IPv6', () => {
    expect(networkData(nics)).toEqual({
      links: [
        {
          id: `tap${NIC_ID.slice(0, 11)}`,
          vif_id: NIC_ID,
          type: 'ovs',
          ethernet_mac_address: MAC,
          mtu: 1400,
        },
      ],
      networks: [
        {
          id: 'network0',
          type: 'ipv4',
          link: `tap${NIC_ID.slice(0, 11)}`,
          ip_address: '10.0.0.50',
          netmask: '255.255.255.0',
          routes: [
            { network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' },
            { network: '192.168.0.0', netmask: '255.255.0.0', gateway: '10.0.0.5' },
          ],
          network_id: 'net-uid',
          services: [{ type: 'dns', address: '8.8.8.8' }],
        },
        { id: 'network1', type: 'ipv6_slaac', link: `tap${NIC_ID.slice(0, 11)}`, network_id: 'net-uid' },
      ],
      services: [{ type: 'dns', address: '8.8.8.8' }],
    });
  });

  it('asks DHCP for addresses Kube-OVN allocates at start', () => {
    const dynamic: ResolvedNic[] = nics.map((n) => ({ ...n, fixedIPs: [] }));
    const data = networkData(dynamic) as { networks: Array<{ type: string }> };
    expect(data.networks.map((n) => n.type)).toEqual(['ipv4_dhcp', 'ipv6_slaac']);
  });

  it('writes netplan v2 instead for NoCloud instances', () => {
    expect(networkConfigV2(nics)).toEqual({
      version: 2,
      ethernets: {
        nic0: {
          match: { macaddress: MAC },
          dhcp4: false,
          dhcp6: false,
          'accept-ra': true,
          addresses: ['10.0.0.50/24'],
          routes: [
            { to: '0.0.0.0/0', via: '10.0.0.1' },
            { to: '192.168.0.0/16', via: '10.0.0.5' },
          ],
          nameservers: { addresses: ['8.8.8.8'] },
          mtu: 1400,
        },
      },
    });
  });

  it('keeps user data and network data in a Secret owned by the instance', () => {
    const secret = desiredCloudInitSecret(instance(), nics);
    expect(secret.metadata).toMatchObject({ name: 'web-1-cloudinit', namespace: 'demo' });
    const data = secret.data as Record<string, string>;
    expect(Buffer.from(data.userdata!, 'base64').toString()).toBe('#cloud-config\npackages: [nginx]\n');
    expect(JSON.parse(Buffer.from(data.networkdata!, 'base64').toString())).toEqual(networkData(nics));
    const binary = desiredCloudInitSecret(
      instance({ userData: undefined, userDataBase64: 'H4sIAAAA' }),
      nics,
    );
    expect((binary.data as Record<string, string>).userdata).toBe('H4sIAAAA');
  });

  it('leaves secretRef out without user data (KubeVirt then writes only network data)', () => {
    const vm = desiredVirtualMachine(ready(instance({ userData: undefined })).inputs, {
      storageClass: 'rbd',
    });
    expect(vm.spec.template.spec.volumes[1]).toEqual({
      name: 'cloudinitdisk',
      cloudInitConfigDrive: { networkDataSecretRef: { name: 'web-1-cloudinit' } },
    });
    expect(desiredCloudInitSecret(instance({ userData: undefined }), nics).data).not.toHaveProperty(
      'userdata',
    );
  });

  it('puts the public key in its own Secret for accessCredentials', () => {
    const secret = desiredSshKeySecret(instance(), 'mykey', `${keyPair.spec.publicKey}\n`);
    expect(secret.metadata.name).toBe('web-1-ssh-keys');
    expect(Buffer.from((secret.data as Record<string, string>).mykey!, 'base64').toString()).toBe(
      keyPair.spec.publicKey,
    );
  });
});

// ---- resolution ---------------------------------------------------------------------------

describe('resolveInstance', () => {
  it('waits for a missing image, network, flavor or key pair, naming each', () => {
    const waiting = resolveInstance(
      instance(),
      lookups({ image: () => undefined, network: () => undefined }),
    );
    expect(waiting).toEqual({
      kind: 'waiting',
      reason: 'WaitingForImage',
      message: 'image stratus-public/cirros not found; network demo/net1 not found',
    });
    expect(resolveInstance(instance(), lookups({ network: () => undefined }))).toMatchObject({
      reason: 'WaitingForNetwork',
      message: 'network demo/net1 not found',
    });
    expect(resolveInstance(instance(), lookups({ flavor: () => undefined })).kind).toBe('waiting');
    expect(resolveInstance(instance(), lookups({ keyPair: () => undefined }))).toMatchObject({
      reason: 'WaitingForKeyPair',
    });
  });

  it('waits for an image still importing and a network without its attachment yet', () => {
    expect(
      resolveInstance(instance(), lookups({ image: () => image({ state: 'saving', progress: 30 }) })),
    ).toMatchObject({
      kind: 'waiting',
      reason: 'WaitingForImage',
      message: 'image stratus-public/cirros is saving; waiting until it is active',
    });
    expect(
      resolveInstance(instance(), lookups({ network: () => ({ ...network, status: {} }) })),
    ).toMatchObject({
      reason: 'WaitingForNetwork',
      message: 'network demo/net1 is not ready yet (its attachment is being created)',
    });
  });

  it('fails, as Nova does, when the flavor’s disk is smaller than the image', () => {
    const big = image({ state: 'active', virtualSizeBytes: 40 * 2 ** 30 });
    expect(resolveInstance(instance(), lookups({ image: () => big }))).toMatchObject({
      kind: 'failed',
      reason: 'FlavorDiskTooSmall',
    });
    expect(ready(instance({ rootDiskGiB: 50 })).inputs.boot).toMatchObject({ sizeGiB: 50 });
    expect(
      resolveInstance(
        instance({ networks: [{ network: { name: 'net1' } }, { network: { name: 'net1' } }] }),
        lookups(),
      ),
    ).toMatchObject({
      kind: 'failed',
      reason: 'DuplicateNetwork',
    });
  });

  it('sizes the root disk from the image when the flavor says 0', () => {
    const zero = { ...flavor, spec: { ...flavor.spec, diskGiB: 0 } };
    const r = resolveInstance(instance(), lookups({ flavor: () => zero }));
    expect(r.kind === 'ready' && r.inputs.boot).toMatchObject({ kind: 'image', sizeGiB: 2 });
  });

  it('keeps what the VM booted with once the image is gone', () => {
    const vm = desiredVirtualMachine(ready().inputs, { storageClass: 'rbd' });
    expect(bootFromVm(vm, instance())).toEqual(ready().inputs.boot);
    const r = resolveInstance(instance(), lookups({ image: () => undefined, keyPair: () => undefined }), vm);
    expect(r.kind).toBe('ready');
  });
});

describe('instanceReferences (the field index that finds the instances an event concerns)', () => {
  it('files an instance under every object it names, defaulting namespaces to its own', () => {
    const refs = instanceReferences(
      instance({
        networks: [
          { network: { name: 'net1' } },
          { port: 'p1' },
          { network: { name: 'ext', namespace: 'pub' } },
        ],
      }),
    );
    expect(refs.sort()).toEqual(
      [
        'flavor:m1.small',
        'image:stratus-public/cirros',
        'keypair:demo/mykey',
        'network:demo/net1',
        'network:pub/ext',
        'port:demo/p1',
      ].sort(),
    );
    expect(
      instanceReferences(instance({ image: undefined, bootVolume: 'root', keyName: undefined })),
    ).toContain('volume:demo/root');
  });

  it('uses the keys an event on the named object looks up', () => {
    expect(instanceReferences(instance())).toContain(
      referenceKey('network', network.metadata.namespace, 'net1'),
    );
    expect(instanceReferences(instance())).toContain(referenceKey('flavor', undefined, flavor.metadata.name));
  });
});

describe('desiredInstance', () => {
  it('is the VM and its Secrets, with a hash that moves only when they do', () => {
    const resolved = ready();
    const first = desiredInstance(resolved.inputs, resolved.publicKey, undefined, undefined, {
      storageClass: 'rbd',
    });
    expect(first.vm.metadata.name).toBe('web-1');
    expect(first.secrets.map((s) => s.metadata.name)).toEqual(['web-1-cloudinit', 'web-1-ssh-keys']);
    const again = desiredInstance(resolved.inputs, resolved.publicKey, undefined, undefined, {
      storageClass: 'rbd',
    });
    expect(again.hash).toBe(first.hash);
    const rebooting = desiredInstance(resolved.inputs, resolved.publicKey, undefined, 'vmi-uid', {
      storageClass: 'rbd',
    });
    expect(rebooting.hash).not.toBe(first.hash);
  });

  it('keeps the key Secret written at boot once the key pair is gone', () => {
    const resolved = ready();
    const booted = desiredInstance(resolved.inputs, resolved.publicKey, undefined, undefined, {
      storageClass: 'rbd',
    });
    const later = desiredInstance(resolved.inputs, undefined, booted.vm, undefined, { storageClass: 'rbd' });
    expect(later.secrets.map((s) => s.metadata.name)).toEqual(['web-1-cloudinit']);
    expect(later.vm.spec.template.spec.accessCredentials).toEqual(
      booted.vm.spec.template.spec.accessCredentials,
    );
  });
});

// ---- status ---------------------------------------------------------------------------------

describe('instanceStatus', () => {
  const nics = ready().inputs.nics;
  const now = new Date('2025-06-01T12:00:00.500Z');
  const vm = (printableStatus?: string): VirtualMachine => ({
    metadata: { name: 'web-1', namespace: 'demo' },
    spec: {} as VirtualMachine['spec'],
    ...(printableStatus ? { status: { printableStatus } } : {}),
  });
  const running: VirtualMachineInstance = {
    metadata: { name: 'web-1', namespace: 'demo', uid: 'vmi-1' },
    status: {
      phase: 'Running',
      nodeName: 'node-a',
      conditions: [{ type: 'Ready', status: 'True' }],
      interfaces: [{ name: 'nic0', ipAddresses: ['10.0.0.50', 'fd00:10::5', 'fe80::1'], mac: MAC }],
      phaseTransitionTimestamps: [{ phase: 'Running', phaseTransitionTimestamp: '2025-06-01T11:59:00Z' }],
    },
  };

  it('is BUILD while waiting, with the waiting reason', () => {
    const { status, ready: r } = instanceStatus(instance(), {
      ips: [],
      nics: [],
      waiting: { reason: 'WaitingForImage', message: 'image stratus-public/cirros not found' },
      now,
    });
    expect(status).toMatchObject({ state: 'BUILD', taskState: 'scheduling', powerState: 'NOSTATE' });
    expect(r).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'WaitingForImage',
      message: 'image stratus-public/cirros not found',
    });
  });

  it('is ACTIVE with addresses per network once the VMI is Ready, and records launchedAt', () => {
    const { status, ready: r } = instanceStatus(instance(), {
      vm: vm('Running'),
      vmi: running,
      ips: [],
      nics,
      flavor: ready().inputs.flavor,
      now,
    });
    expect(r).toMatchObject({ status: 'True', reason: 'Running' });
    expect(status).toMatchObject({
      state: 'ACTIVE',
      powerState: 'RUNNING',
      host: 'node-a',
      virtualMachine: 'web-1',
      rootDisk: 'web-1-root',
      hostname: 'web-1',
      launchedAt: '2025-06-01T11:59:00Z',
      flavor: { name: 'm1.small', vcpus: 1, ramMiB: 2048, diskGiB: 20 },
    });
    expect(status.addresses).toEqual([
      {
        network: { name: 'net1', namespace: 'demo' },
        version: 4,
        address: '10.0.0.50',
        macAddress: MAC,
        type: 'fixed',
      },
      {
        network: { name: 'net1', namespace: 'demo' },
        version: 6,
        address: 'fd00:10::5',
        macAddress: MAC,
        type: 'fixed',
      },
    ]);
  });

  it('reads addresses of a stopped VM from Kube-OVN’s IP records', () => {
    const { status } = instanceStatus(instance({ powerState: 'Stopped' }), {
      vm: vm('Stopped'),
      ips: [
        {
          spec: {
            podName: 'web-1',
            namespace: 'demo',
            subnet: 'demo.net1',
            v4IpAddress: '10.0.0.50',
            macAddress: MAC,
          },
        },
      ],
      nics,
      now,
    });
    expect(status).toMatchObject({ state: 'SHUTOFF', powerState: 'SHUTDOWN' });
    expect(status.addresses?.map((a) => a.address)).toEqual(['10.0.0.50']);
  });

  it('maps KubeVirt’s trouble to ERROR with a fault', () => {
    const failing = vm('ErrorUnschedulable');
    failing.status!.conditions = [
      { type: 'Failure', status: 'True', message: '0/3 nodes are available: insufficient memory' },
    ];
    const { status, ready: r } = instanceStatus(instance(), { vm: failing, ips: [], nics, now });
    expect(status.state).toBe('ERROR');
    expect(status.fault).toEqual({
      code: 500,
      message: 'ErrorUnschedulable: 0/3 nodes are available: insufficient memory',
      createdAt: '2025-06-01T12:00:00Z',
    });
    expect(r.reason).toBe('ErrorUnschedulable');
  });

  it('shows powering-off, powering-on and reboots as Nova does', () => {
    const launched = instance({}, { launchedAt: '2025-06-01T10:00:00Z' });
    expect(
      instanceStatus(
        { ...launched, spec: { ...launched.spec, powerState: 'Stopped' } },
        { vm: vm('Stopping'), vmi: running, ips: [], nics, now },
      ).status,
    ).toMatchObject({
      state: 'ACTIVE',
      taskState: 'powering-off',
    });
    expect(instanceStatus(launched, { vm: vm('Starting'), ips: [], nics, now }).status).toMatchObject({
      state: 'SHUTOFF',
      taskState: 'powering-on',
    });
    expect(
      instanceStatus(launched, {
        vm: vm('Running'),
        vmi: running,
        ips: [],
        nics,
        lastReboot: { id: 'r1', type: 'HARD' },
        now,
      }).status,
    ).toMatchObject({
      state: 'HARD_REBOOT',
      taskState: 'rebooting_hard',
    });
    expect(instanceStatus(instance(), { vm: vm('Provisioning'), ips: [], nics, now }).status).toMatchObject({
      state: 'BUILD',
      taskState: 'block_device_mapping',
    });
  });
});

describe('rebootStep', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const vm = (annotation?: string): VirtualMachine => ({
    metadata: {
      name: 'web-1',
      ...(annotation ? { annotations: { 'stratus.dev/rebooting-vmi': annotation } } : {}),
    },
    spec: {} as VirtualMachine['spec'],
  });
  const vmi = (uid: string, isReady: boolean): VirtualMachineInstance => ({
    metadata: { name: 'web-1', uid },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] },
  });

  it('starts a reboot for a new request id by targeting the running VMI', () => {
    const i = instance({ rebootRequest: { id: 'r1', type: 'SOFT' } });
    expect(rebootStep(i, vm(), vmi('a', true), now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT' },
      target: 'a',
    });
  });

  it('keeps targeting the old VMI until one with another uid is Ready, then completes', () => {
    const i = instance(
      { rebootRequest: { id: 'r1', type: 'SOFT' } },
      { lastReboot: { id: 'r1', type: 'SOFT' } },
    );
    expect(rebootStep(i, vm('a'), vmi('a', true), now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT' },
      target: 'a',
    });
    expect(rebootStep(i, vm('a'), undefined, now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT' },
      target: 'a',
    });
    expect(rebootStep(i, vm('a'), vmi('b', false), now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT' },
      target: 'a',
    });
    expect(rebootStep(i, vm('a'), vmi('b', true), now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT', completedAt: '2025-06-01T12:00:00Z' },
    });
  });

  it('never reboots twice for one id, and records a request while stopped as done', () => {
    const done = instance(
      { rebootRequest: { id: 'r1', type: 'SOFT' } },
      { lastReboot: { id: 'r1', type: 'SOFT', completedAt: 'x' } },
    );
    expect(rebootStep(done, vm(), vmi('b', true), now)).toEqual({
      lastReboot: { id: 'r1', type: 'SOFT', completedAt: 'x' },
    });
    const stopped = instance({ powerState: 'Stopped', rebootRequest: { id: 'r2', type: 'HARD' } });
    expect(rebootStep(stopped, vm(), undefined, now)).toEqual({
      lastReboot: { id: 'r2', type: 'HARD', completedAt: '2025-06-01T12:00:00Z' },
    });
  });
});
