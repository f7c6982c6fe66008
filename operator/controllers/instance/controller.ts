// Instance → VirtualMachine (+ cloud-init and SSH key Secrets), power and reboot, and the
// Nova view of it all in status. Everything is owned by the Instance (controller
// references): deleting it lets the garbage collector take the VM, and KubeVirt the root
// disk and the VMI. No finalizer: nothing outside the API server needs cleaning up.
//
// Reboot is level-triggered: spec.rebootRequest.id differs from status.lastReboot.id →
// record the request in status, mark the VM with the uid of the VirtualMachineInstance being
// replaced, delete that VMI (uid precondition), and KubeVirt starts a new one (runStrategy
// Always). The reboot is complete when a VMI with another uid is Ready. Each step is
// written before the next is taken, so a crash at any line neither loses the request nor
// reboots twice.
import { createHash } from 'node:crypto';
import { stableJson } from '../engines.js';
import { controllerFor, type Manager, type ObjectRef } from '../../runtime/controller.js';
import { objectKey, type KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { FlavorObject } from '../../kinds/flavor.js';
import type { ImageObject } from '../../kinds/image.js';
import type { InstanceObject } from '../../kinds/instance.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { PortObject } from '../../kinds/port.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import type { VolumeObject } from '../../kinds/volume.js';
import { applyStatus, type KubeOvnIP, type VirtualMachine, type VirtualMachineInstance } from '../engines.js';
import {
  desiredCloudInitSecret,
  desiredSshKeySecret,
  desiredVirtualMachine,
  sshKeySecretName,
  type InstanceOptions,
} from './desired.js';
import { resolveInstance, type Lookups } from './resolve.js';
import { instanceStatus, rebootStep } from './status.js';
import {
  Flavor,
  Image,
  Instance,
  KeyPair,
  Network,
  Port,
  Subnet,
  Volume,
  resourceOf,
} from '../../kinds/index.js';
import { kube } from '../../kinds/external.js';
import { engines } from '../../kinds/external.js';

export interface InstanceControllerOptions extends InstanceOptions {
  /** Whether Kube-OVN runs here (its IP records fill in addresses of stopped instances). */
  kubeOvn: boolean;
}

function cacheLookups(manager: Manager): Lookups {
  return {
    flavor: (name) => manager.cached<FlavorObject>(resourceOf(Flavor), { name }),
    image: (namespace, name) => manager.cached<ImageObject>(resourceOf(Image), { namespace, name }),
    network: (namespace, name) => manager.cached<NetworkObject>(resourceOf(Network), { namespace, name }),
    subnets: (namespace) => manager.informer<SubnetObject>(resourceOf(Subnet)).store.list({ namespace }),
    keyPair: (namespace, name) => manager.cached<KeyPairObject>(resourceOf(KeyPair), { namespace, name }),
    port: (namespace, name) => manager.cached<PortObject>(resourceOf(Port), { namespace, name }),
    volume: (namespace, name) => manager.cached<VolumeObject>(resourceOf(Volume), { namespace, name }),
  };
}

/** Instances (from the cache) that `matches` selects. */
function instancesWhere(manager: Manager, matches: (instance: InstanceObject) => boolean): ObjectRef[] {
  return manager
    .informer<InstanceObject>(resourceOf(Instance))
    .store.list()
    .filter(matches)
    .map((i) => ({ name: i.metadata.name!, namespace: i.metadata.namespace }));
}

/** The instance named like an engine object in its namespace (VM, VMI and IP records use its name). */
function sameNamedInstance(
  manager: Manager,
  namespace: string | undefined,
  name: string | undefined,
): ObjectRef[] {
  if (!namespace || !name) return [];
  return manager.cached(resourceOf(Instance), { namespace, name }) ? [{ namespace, name }] : [];
}

function onNetwork(
  instance: InstanceObject,
  namespace: string | undefined,
  name: string | undefined,
): boolean {
  return (instance.spec.networks ?? []).some(
    (n) => n.network?.name === name && (n.network?.namespace ?? instance.metadata.namespace) === namespace,
  );
}

/** Annotation on the VM: hash of the VM and Secrets as last applied. */
const DESIRED_HASH = 'stratus.dev/desired-hash';

function desiredHash(objects: unknown): string {
  return createHash('sha256').update(stableJson(objects)).digest('hex').slice(0, 32);
}

export function instanceController(options: InstanceControllerOptions) {
  // Instances whose VM was created by this process without the desired-hash annotation,
  // with the hash of the VM and Secrets it then wrote (by namespace/name, for that uid). It
  // spares a new instance the second round of writes that would only stamp the hash; a
  // restarted process has no record, so it writes everything once more and stamps it then.
  const createdHere = new Map<string, { uid: string; hash: string }>();
  let builder = controllerFor<InstanceObject>(resourceOf(Instance))
    .named('instance')
    // Many instances arrive in bursts; each reconcile is a few independent API writes.
    .withConcurrency(32)
    // KubeVirt moves a new VM, its VMI and its disk through a handful of phases within
    // moments: one status write for the lot, not one per phase.
    .coalescing(200)
    .whenGone((ref) => createdHere.delete(objectKey(ref)))
    .owns(engines.virtualMachines)
    .watches(engines.virtualMachineInstances, (vmi: KubeObject, manager) =>
      sameNamedInstance(manager, vmi.metadata?.namespace, vmi.metadata?.name),
    )
    // A missing or not-yet-ready reference is waited for: its arrival wakes the instance.
    .watches(
      resourceOf(Image),
      (image: ImageObject, manager) =>
        instancesWhere(
          manager,
          (i) =>
            i.spec.image?.name === image.metadata.name &&
            (i.spec.image?.namespace ?? i.metadata.namespace) === image.metadata.namespace,
        ),
      {
        uses: (image) => [
          image.spec,
          image.status?.state,
          image.status?.message,
          image.status?.virtualSizeBytes,
        ],
      },
    )
    .watches(
      resourceOf(Network),
      (network: NetworkObject, manager) =>
        instancesWhere(manager, (i) => onNetwork(i, network.metadata.namespace, network.metadata.name)),
      { uses: (network) => [network.spec, network.status?.networkAttachmentDefinition] },
    )
    .watches(
      resourceOf(Subnet),
      (subnet: SubnetObject, manager) =>
        instancesWhere(manager, (i) => onNetwork(i, subnet.metadata.namespace, subnet.spec.network)),
      // Not the usage counters in status: they change with every address handed out.
      { uses: (subnet) => subnet.spec },
    )
    .watches(
      resourceOf(Flavor),
      (flavor: FlavorObject, manager) =>
        instancesWhere(manager, (i) => i.spec.flavor === flavor.metadata.name),
      { uses: (flavor) => flavor.spec },
    )
    .watches(resourceOf(KeyPair), (keyPair: KeyPairObject, manager) =>
      instancesWhere(
        manager,
        (i) =>
          i.metadata.namespace === keyPair.metadata.namespace && i.spec.keyName === keyPair.metadata.name,
      ),
    )
    .watches(resourceOf(Port), (port: PortObject, manager) =>
      instancesWhere(
        manager,
        (i) =>
          i.metadata.namespace === port.metadata.namespace &&
          (i.spec.networks ?? []).some((n) => n.port === port.metadata.name),
      ),
    )
    .watches(resourceOf(Volume), (volume: VolumeObject, manager) =>
      instancesWhere(
        manager,
        (i) =>
          i.metadata.namespace === volume.metadata.namespace && i.spec.bootVolume === volume.metadata.name,
      ),
    );
  if (options.kubeOvn) {
    builder = builder.watches(engines.kubeOvnIPs, (ip: KubeOvnIP, manager) =>
      sameNamedInstance(manager, ip.spec.namespace, ip.spec.podName),
    );
  }

  return builder.reconcile(async (instance, ctx) => {
    if (instance.metadata.deletionTimestamp) return;
    const namespace = instance.metadata.namespace!;
    const name = instance.metadata.name!;
    const vm = ctx.manager.cached<VirtualMachine>(engines.virtualMachines, { namespace, name });
    const vmi = ctx.manager.cached<VirtualMachineInstance>(engines.virtualMachineInstances, {
      namespace,
      name,
    });
    const ips = options.kubeOvn
      ? ctx.manager
          .informer<KubeOvnIP>(engines.kubeOvnIPs)
          .store.list()
          .filter((ip) => ip.spec.namespace === namespace && ip.spec.podName === name)
      : [];
    const now = new Date();
    const resolution = resolveInstance(instance, cacheLookups(ctx.manager), vm);

    if (resolution.kind !== 'ready') {
      const { status, ready } = instanceStatus(instance, {
        vm,
        vmi,
        ips,
        nics: [],
        ...(resolution.kind === 'waiting'
          ? { waiting: { reason: resolution.reason, message: resolution.message } }
          : { failure: { reason: resolution.reason, message: resolution.message } }),
        ...(instance.status?.lastReboot ? { lastReboot: instance.status.lastReboot } : {}),
        now,
      });
      await applyStatus(ctx, resourceOf(Instance), instance, status, ready);
      return;
    }

    const reboot = rebootStep(instance, vm, vmi, now);
    const writeStatus = async (current: VirtualMachine | undefined) => {
      const { status, ready } = instanceStatus(instance, {
        vm: current,
        vmi,
        ips,
        nics: resolution.inputs.nics,
        flavor: resolution.inputs.flavor,
        ...(reboot.lastReboot ? { lastReboot: reboot.lastReboot } : {}),
        now,
      });
      await applyStatus(ctx, resourceOf(Instance), instance, status, ready);
    };
    // Status first: a reboot's request (or completion) is on record before the VM changes.
    // A new instance has no VM and so no reboot under way: its VM goes first, one round
    // trip sooner, and its BUILD status follows.
    if (vm) await writeStatus(vm);

    let sshKeySecret: string | undefined;
    const secrets = [desiredCloudInitSecret(instance, resolution.inputs.nics)];
    if (resolution.publicKey) {
      const secret = desiredSshKeySecret(instance, resolution.publicKey.keyName, resolution.publicKey.key);
      secrets.push(secret);
      sshKeySecret = secret.metadata.name;
    } else if (instance.spec.keyName && vm?.spec.template.spec.accessCredentials?.length) {
      sshKeySecret = sshKeySecretName(name); // the key pair is gone; the instance keeps its key
    }
    const desired = desiredVirtualMachine(
      {
        ...resolution.inputs,
        ...(sshKeySecret ? { sshKeySecret } : {}),
        ...(reboot.target ? { rebootingVmi: reboot.target } : {}),
      },
      options,
    );
    // Everything below is derived from the same inputs: when the VM we last applied carries
    // their hash, re-applying would change nothing, so skip the writes (bursts of instances
    // otherwise pay four API calls for every status-only wake-up).
    const hash = desiredHash([desired, secrets]);
    const key = objectKey(instance);
    const uid = instance.metadata.uid ?? '';
    const remembered = createdHere.get(key);
    if (
      vm &&
      (vm.metadata?.annotations?.[DESIRED_HASH] === hash ||
        (remembered?.uid === uid && remembered.hash === hash))
    )
      return;
    if (vm) {
      // Secrets before the VM that names them, and the hash only on a VM written after its
      // Secrets: a VM carrying the hash proves both were applied.
      await Promise.all(secrets.map((secret) => ctx.client.apply(kube.secrets, secret)));
      desired.metadata.annotations = { ...desired.metadata.annotations, [DESIRED_HASH]: hash };
      // From here on the VM's annotation is the record (a stale memo could match a later
      // spec equal to the one the VM was created with, after another was applied in between).
      createdHere.delete(key);
    }
    // A new instance's VM goes first, alone — it is what the user waits for — and its
    // Secrets right after (nothing reads them before a virt-launcher pod mounts them, and the
    // kubelet waits for a late one). That VM goes without the hash, so Secrets lost to a
    // crash are not skipped later: the next process writes both again and stamps it.
    let created: VirtualMachine;
    try {
      created = await ctx.client.apply<VirtualMachine>(engines.virtualMachines, desired);
    } catch (error) {
      // KubeVirt's admission refused the VM: retrying the same spec cannot help, so say why
      // on the instance (Nova's ERROR with a fault) and look again later.
      if (!(error instanceof ApiError) || ![400, 403, 422].includes(error.code)) throw error;
      const refused = instanceStatus(instance, {
        vm,
        vmi,
        ips,
        nics: resolution.inputs.nics,
        failure: {
          reason: 'BackendRejected',
          message: `KubeVirt refused the virtual machine: ${error.message}`,
        },
        ...(instance.status?.lastReboot ? { lastReboot: instance.status.lastReboot } : {}),
        now,
      });
      await applyStatus(ctx, resourceOf(Instance), instance, refused.status, refused.ready);
      return { requeueAfterMs: 60_000 };
    }
    if (!vm) {
      ctx.logger.info('created the virtual machine');
      // Status from the VM as created, so the reconcile its arrival triggers has nothing new
      // to write.
      await Promise.all([
        ...secrets.map((secret) => ctx.client.apply(kube.secrets, secret)),
        writeStatus(created),
      ]);
      createdHere.set(key, { uid, hash });
    }

    if (reboot.target && vmi?.metadata?.uid === reboot.target) {
      try {
        await ctx.client.delete(engines.virtualMachineInstances, name, namespace, { uid: reboot.target });
      } catch (error) {
        // 409: the uid precondition failed — that VMI is already gone and replaced.
        if (!(error instanceof ApiError && error.code === 409)) throw error;
      }
      await ctx.events.record(
        resourceOf(Instance),
        instance,
        'Normal',
        'Rebooting',
        `deleted VirtualMachineInstance ${name} (uid ${reboot.target}); KubeVirt starts a new one`,
      );
    }
  });
}
