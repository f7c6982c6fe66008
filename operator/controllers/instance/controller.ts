// Instance → VirtualMachine (+ cloud-init and SSH key Secrets), power and reboot, and the
// Nova view of it all in status. Everything is owned by the Instance (controller
// references): deleting it lets the garbage collector take the VM, and KubeVirt the root
// disk and the VMI. No finalizer: nothing outside the API server needs cleaning up.
//
// resolve (resolve.ts: what the instance names, from the caches — or why it waits, or why
// it can never boot: a terminal failure) → desired (desired.ts: desiredInstance, pure) →
// apply (skipped when the VM carries the hash of what we would apply) → status (status.ts:
// instanceStatus, pure).
//
// Reboot is level-triggered: spec.rebootRequest.id differs from status.lastReboot.id →
// record the request in status, mark the VM with the uid of the VirtualMachineInstance being
// replaced, delete that VMI (uid precondition), and KubeVirt starts a new one (runStrategy
// Always). The reboot is complete when a VMI with another uid is Ready. Each step is
// written before the next is taken, so a crash at any line neither loses the request nor
// reboots twice.
import { controllerFor, type ObjectRef, type ReconcileContext } from '../../runtime/controller.js';
import { backendRejection } from '../../runtime/errors.js';
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
import type { KubeOvnIP, VirtualMachine, VirtualMachineInstance } from '../engines.js';
import { DESIRED_HASH, desiredInstance, type DesiredInstance, type InstanceOptions } from './desired.js';
import { instanceReferences, referenceKey, resolveInstance, type Lookups } from './resolve.js';
import { instanceStatus, rebootStep, type InstanceObservation } from './status.js';
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
import { engines, kube } from '../../kinds/external.js';
import type { Manager } from '../../runtime/manager.js';

export interface InstanceControllerOptions extends InstanceOptions {
  /** Whether Kube-OVN runs here (its IP records fill in addresses of stopped instances). */
  kubeOvn: boolean;
}

/** Field index of Instances by what they name (see instanceReferences). */
const INSTANCES_BY_REFERENCE = 'instance.references';
/** Field index of Kube-OVN IPs by the pod (for us: the instance) they were handed to, `namespace/name`. */
const IPS_BY_POD = 'ip.spec.pod';

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

/** Instances (from the cache, by index) that name the object `key` stands for. */
function instancesNaming(manager: Manager, key: string): ObjectRef[] {
  return manager
    .byIndex<InstanceObject>(resourceOf(Instance), INSTANCES_BY_REFERENCE, key)
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

/** What the engines show of an instance: its VM, VMI and Kube-OVN address records. */
function observe(instance: InstanceObject, manager: Manager, kubeOvn: boolean) {
  const ref = { namespace: instance.metadata.namespace!, name: instance.metadata.name! };
  return {
    vm: manager.cached<VirtualMachine>(engines.virtualMachines, ref),
    vmi: manager.cached<VirtualMachineInstance>(engines.virtualMachineInstances, ref),
    ips: kubeOvn ? manager.byIndex<KubeOvnIP>(engines.kubeOvnIPs, IPS_BY_POD, objectKey(ref)) : [],
  };
}

/** Delete the VMI a reboot replaces (uid precondition); KubeVirt starts a new one. */
async function replaceVmi(instance: InstanceObject, target: string, ctx: ReconcileContext): Promise<void> {
  const name = instance.metadata.name!;
  try {
    await ctx.client.delete(engines.virtualMachineInstances, name, instance.metadata.namespace, {
      uid: target,
    });
  } catch (error) {
    // 409: the uid precondition failed — that VMI is already gone and replaced.
    if (!(error instanceof ApiError && error.code === 409)) throw error;
  }
  await ctx.events.record(
    resourceOf(Instance),
    instance,
    'Normal',
    'Rebooting',
    `deleted VirtualMachineInstance ${name} (uid ${target}); KubeVirt starts a new one`,
  );
}

/** Wake the instances that name an object of each kind they read when it changes. */
function watchReferences(
  builder: ReturnType<typeof controllerFor<InstanceObject>>,
): ReturnType<typeof controllerFor<InstanceObject>> {
  const named =
    (kind: Parameters<typeof referenceKey>[0]) =>
    (object: KubeObject, manager: Manager): ObjectRef[] =>
      instancesNaming(manager, referenceKey(kind, object.metadata?.namespace, object.metadata?.name));
  return (
    builder
      // A missing or not-yet-ready reference is waited for: its arrival wakes the instance.
      .watches(resourceOf(Image), named('image'), {
        uses: (image: ImageObject) => [
          image.spec,
          image.status?.state,
          image.status?.message,
          image.status?.virtualSizeBytes,
        ],
      })
      .watches(resourceOf(Network), named('network'), {
        uses: (network: NetworkObject) => [network.spec, network.status?.networkAttachmentDefinition],
      })
      .watches(
        resourceOf(Subnet),
        (subnet: SubnetObject, manager) =>
          instancesNaming(manager, referenceKey('network', subnet.metadata.namespace, subnet.spec.network)),
        // Not the usage counters in status: they change with every address handed out.
        { uses: (subnet) => subnet.spec },
      )
      .watches(
        resourceOf(Flavor),
        (flavor: FlavorObject, manager) =>
          instancesNaming(manager, referenceKey('flavor', undefined, flavor.metadata.name)),
        { uses: (flavor) => flavor.spec },
      )
      .watches(resourceOf(KeyPair), named('keypair'))
      .watches(resourceOf(Port), named('port'))
      .watches(resourceOf(Volume), named('volume'))
  );
}

/**
 * Instances whose VM was created by this process without the desired-hash annotation, with
 * the hash of the VM and Secrets it then wrote (by namespace/name, for that uid). It spares a
 * new instance the second round of writes that would only stamp the hash; a restarted
 * process has no record, so it writes everything once more and stamps it then.
 */
type CreatedHere = Map<string, { uid: string; hash: string }>;

/** What the instance shows: instanceStatus over what was observed. */
const statusOf = (
  instance: InstanceObject,
  observed: Omit<InstanceObservation, 'nics'> & Partial<Pick<InstanceObservation, 'nics'>>,
) => instanceStatus(instance, { nics: [], ...observed });

/**
 * Apply the VM and its Secrets unless the VM already carries their hash; answers whether it
 * wrote. `created` runs beside the Secrets once a new instance's VM exists.
 */
async function applyInstance(
  createdHere: CreatedHere,
  instance: InstanceObject,
  desired: DesiredInstance,
  vm: VirtualMachine | undefined,
  ctx: ReconcileContext,
  created: (vm: VirtualMachine) => Promise<void>,
): Promise<boolean> {
  const key = objectKey(instance);
  const uid = instance.metadata.uid ?? '';
  const remembered = createdHere.get(key);
  // Everything is derived from the same inputs: when the VM we last applied carries their
  // hash, re-applying would change nothing (bursts of instances otherwise pay four API
  // calls for every status-only wake-up).
  if (
    vm &&
    (vm.metadata?.annotations?.[DESIRED_HASH] === desired.hash ||
      (remembered?.uid === uid && remembered.hash === desired.hash))
  )
    return false;
  if (vm) {
    // Secrets before the VM that names them, and the hash only on a VM written after its
    // Secrets: a VM carrying the hash proves both were applied.
    await Promise.all(desired.secrets.map((secret) => ctx.client.apply(kube.secrets, secret)));
    desired.vm.metadata.annotations = { ...desired.vm.metadata.annotations, [DESIRED_HASH]: desired.hash };
    // From here on the VM's annotation is the record (a stale memo could match a later
    // spec equal to the one the VM was created with, after another was applied in between).
    createdHere.delete(key);
  }
  // A new instance's VM goes first, alone — it is what the user waits for — and its
  // Secrets right after (nothing reads them before a virt-launcher pod mounts them, and the
  // kubelet waits for a late one). That VM goes without the hash, so Secrets lost to a
  // crash are not skipped later: the next process writes both again and stamps it.
  const applied = await ctx.client.apply<VirtualMachine>(engines.virtualMachines, desired.vm);
  if (!vm) {
    ctx.logger.info('created the virtual machine');
    await Promise.all([
      ...desired.secrets.map((secret) => ctx.client.apply(kube.secrets, secret)),
      created(applied),
    ]);
    createdHere.set(key, { uid, hash: desired.hash });
  }
  return true;
}

export function instanceController(options: InstanceControllerOptions) {
  const createdHere: CreatedHere = new Map();

  let builder = controllerFor<InstanceObject>(resourceOf(Instance))
    .named('instance')
    // Many instances arrive in bursts; each reconcile is a few independent API writes.
    .withConcurrency(32)
    // KubeVirt moves a new VM, its VMI and its disk through a handful of phases within
    // moments: one status write for the lot, not one per phase.
    .coalescing(200)
    .whenGone((ref) => createdHere.delete(objectKey(ref)))
    .indexField(resourceOf(Instance), INSTANCES_BY_REFERENCE, instanceReferences)
    .owns(engines.virtualMachines)
    .watches(engines.virtualMachineInstances, (vmi: KubeObject, manager) =>
      sameNamedInstance(manager, vmi.metadata?.namespace, vmi.metadata?.name),
    );
  builder = watchReferences(builder);
  if (options.kubeOvn) {
    builder = builder
      .indexField(engines.kubeOvnIPs, IPS_BY_POD, (ip: KubeOvnIP) =>
        ip.spec.namespace && ip.spec.podName ? [`${ip.spec.namespace}/${ip.spec.podName}`] : [],
      )
      .watches(engines.kubeOvnIPs, (ip: KubeOvnIP, manager) =>
        sameNamedInstance(manager, ip.spec.namespace, ip.spec.podName),
      );
  }

  return builder.reconcile(async (instance, ctx) => {
    const { vm, vmi, ips } = observe(instance, ctx.manager, options.kubeOvn);
    const now = new Date();
    const lastReboot = instance.status?.lastReboot ? { lastReboot: instance.status.lastReboot } : {};

    const resolution = resolveInstance(instance, cacheLookups(ctx.manager), vm);
    if (resolution.kind === 'waiting') {
      const { reason, message } = resolution;
      await ctx.status(
        instance,
        statusOf(instance, { vm, vmi, ips, waiting: { reason, message }, ...lastReboot, now }),
      );
      return;
    }
    if (resolution.kind === 'failed') {
      // It can never boot as specified (Nova's ERROR with a fault): not retried.
      const { reason, message } = resolution;
      const view = statusOf(instance, { vm, vmi, ips, failure: { reason, message }, ...lastReboot, now });
      await ctx.status(instance, { ...view, terminal: true });
      return;
    }

    const reboot = rebootStep(instance, vm, vmi, now);
    const { nics, flavor } = resolution.inputs;
    const rebooting = reboot.lastReboot ? { lastReboot: reboot.lastReboot } : {};
    const statusFrom = (current: VirtualMachine | undefined) =>
      ctx.status(instance, statusOf(instance, { vm: current, vmi, ips, nics, flavor, ...rebooting, now }));
    // Status first: a reboot's request (or completion) is on record before the VM changes.
    // A new instance has no VM and so no reboot under way: its VM goes first, one round
    // trip sooner, and its BUILD status follows.
    if (vm) await statusFrom(vm);

    const desired = desiredInstance(resolution.inputs, resolution.publicKey, vm, reboot.target, options);
    let applied: boolean;
    try {
      // Status from the VM as created, so the reconcile its arrival triggers has nothing new
      // to write.
      applied = await applyInstance(createdHere, instance, desired, vm, ctx, statusFrom);
    } catch (error) {
      // KubeVirt's admission refused the VM: say why on the instance (Nova's ERROR with a
      // fault) and look again later.
      const rejection = backendRejection(error, 'KubeVirt refused the virtual machine');
      if (!rejection) throw error;
      const { reason, message } = rejection;
      await ctx.status(
        instance,
        statusOf(instance, { vm, vmi, ips, nics, failure: { reason, message }, ...lastReboot, now }),
      );
      return { requeueAfterMs: rejection.requeueAfterMs };
    }
    if (!applied) return;
    if (reboot.target && vmi?.metadata?.uid === reboot.target) await replaceVmi(instance, reboot.target, ctx);
  });
}
