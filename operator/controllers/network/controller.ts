// Network → NetworkAttachmentDefinition + Kube-OVN Subnet (rebuilt from the network's
// Subnets); Subnet → status only (its block lives in the network's Kube-OVN Subnet).
//
// The Kube-OVN Subnet is cluster-scoped and so cannot be owned by the namespaced Network:
// the Network carries our finalizer, and deleting it deletes its Subnets and the Kube-OVN
// Subnet (Kube-OVN refuses that while addresses are in use; we retry) before letting go.
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../runtime/finalizer.js';
import type { KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import { applyStatus, kubeOvnSubnetName, type KubeOvnSubnet } from '../engines.js';
import {
  desiredKubeOvnSubnet,
  desiredNetworkAttachmentDefinition,
  NETWORK_LABELS,
  networkStatus,
  kubeOvnReadiness,
  subnetStatus,
} from './desired.js';
import { primarySubnets } from '../../domain/subnet.js';
import { Network, Subnet, resourceOf } from '../../kinds/index.js';
import { engines } from '../../kinds/external.js';

/** The Network a Kube-OVN Subnet was made for, from its labels. */
function networkOfKubeOvnSubnet(object: KubeObject) {
  const labels = object.metadata?.labels ?? {};
  const name = labels[NETWORK_LABELS.network];
  const namespace = labels[NETWORK_LABELS.networkNamespace];
  return name && namespace ? [{ name, namespace }] : [];
}

function subnetsOf(ctx: ReconcileContext, namespace: string): SubnetObject[] {
  return ctx.manager.informer<SubnetObject>(resourceOf(Subnet)).store.list({ namespace });
}

async function cleanUp(network: NetworkObject, ctx: ReconcileContext): Promise<void> {
  const namespace = network.metadata.namespace!;
  const name = network.metadata.name!;
  // Neutron deletes a network's subnets with it (admission refused the delete if in use).
  const mine = subnetsOf(ctx, namespace).filter((s) => s.spec.network === name);
  await Promise.all(
    mine.map((s) =>
      ctx.client.delete(resourceOf(Subnet), s.metadata.name!, namespace, { uid: s.metadata.uid }),
    ),
  );
  try {
    await ctx.client.delete(engines.kubeOvnSubnets, kubeOvnSubnetName(namespace, name));
  } catch (error) {
    // Kube-OVN refuses while addresses are in use; say so and retry with backoff.
    if (error instanceof ApiError && error.code >= 400 && error.code < 500) {
      await ctx.events.record(resourceOf(Network), network, 'Warning', 'DeleteBlocked', error.message);
    }
    throw error;
  }
  await removeFinalizer(ctx.client, resourceOf(Network), network);
  ctx.logger.info('network cleaned up');
}

export function networkController() {
  return (
    controllerFor<NetworkObject>(resourceOf(Network))
      .named('network')
      .owns(engines.networkAttachmentDefinitions)
      // What a Network is made of reads its Subnets' specs and Kube-OVN's verdict on the
      // subnet: not the address counters, which change with every NIC.
      .watches(
        resourceOf(Subnet),
        (subnet: SubnetObject) => [{ name: subnet.spec.network, namespace: subnet.metadata.namespace }],
        {
          uses: (subnet) => [
            subnet.spec,
            subnet.metadata.creationTimestamp,
            subnet.metadata.deletionTimestamp,
          ],
        },
      )
      .watches(engines.kubeOvnSubnets, networkOfKubeOvnSubnet, {
        uses: (subnet: KubeOvnSubnet) => [subnet.metadata?.labels, subnet.spec, kubeOvnReadiness(subnet)],
      })
      .reconcile(async (network, ctx) => {
        if (network.metadata.deletionTimestamp) {
          if (hasFinalizer(network)) await cleanUp(network, ctx);
          return;
        }
        const current = await addFinalizer(ctx.client, resourceOf(Network), network);
        const namespace = network.metadata.namespace!;
        const name = network.metadata.name!;
        const subnets = primarySubnets(name, subnetsOf(ctx, namespace));

        await ctx.client.apply(
          engines.networkAttachmentDefinitions,
          desiredNetworkAttachmentDefinition(network),
        );
        const desired = desiredKubeOvnSubnet(network, subnets);
        const kubeOvnName = kubeOvnSubnetName(namespace, name);
        try {
          if (desired) await ctx.client.apply(engines.kubeOvnSubnets, desired);
          else if (ctx.manager.cached(engines.kubeOvnSubnets, { name: kubeOvnName }))
            await ctx.client.delete(engines.kubeOvnSubnets, kubeOvnName);
        } catch (error) {
          // Kube-OVN's webhook refuses some changes (a new gateway while addresses are in
          // use, overlapping blocks): the tenant must act, so report it and look again later.
          if (!(error instanceof ApiError) || error.code < 400 || error.code >= 500 || error.code === 429)
            throw error;
          await applyStatus(
            ctx,
            resourceOf(Network),
            current,
            { ...(current.status ?? {}), state: 'ERROR' },
            {
              type: 'Ready',
              status: 'False',
              reason: 'BackendRejected',
              message: `Kube-OVN refused subnet ${kubeOvnName}: ${error.message}`,
            },
          );
          return { requeueAfterMs: 60_000 };
        }
        const kubeOvnSubnet = ctx.manager.cached<KubeOvnSubnet>(engines.kubeOvnSubnets, {
          name: kubeOvnName,
        });
        const { status, ready } = networkStatus(network, { subnets, kubeOvnSubnet, applied: true });
        await applyStatus(ctx, resourceOf(Network), current, status, ready);
      })
  );
}

export function subnetController() {
  const subnetsOfNetwork = (
    namespace: string | undefined,
    network: string | undefined,
    manager: ReconcileContext['manager'],
  ) =>
    manager
      .informer<SubnetObject>(resourceOf(Subnet))
      .store.list({ namespace })
      .filter((s) => s.spec.network === network)
      .map((s) => ({ name: s.metadata.name!, namespace: s.metadata.namespace }));
  return (
    controllerFor<SubnetObject>(resourceOf(Subnet))
      .named('subnet')
      // Kube-OVN's address counters tick with every NIC: one status write per flurry.
      .coalescing(250)
      .watches(resourceOf(Network), (network: NetworkObject, manager) =>
        subnetsOfNetwork(network.metadata.namespace, network.metadata.name, manager),
      )
      // A sibling's arrival or departure can change which Subnet is a family's block.
      .watches(resourceOf(Subnet), (subnet: SubnetObject, manager) =>
        subnetsOfNetwork(subnet.metadata.namespace, subnet.spec.network, manager),
      )
      .watches(engines.kubeOvnSubnets, (object: KubeObject, manager) =>
        networkOfKubeOvnSubnet(object).flatMap((n) => subnetsOfNetwork(n.namespace, n.name, manager)),
      )
      .reconcile(async (subnet, ctx) => {
        if (subnet.metadata.deletionTimestamp) return;
        const namespace = subnet.metadata.namespace!;
        const network = ctx.manager.cached<NetworkObject>(resourceOf(Network), {
          name: subnet.spec.network,
          namespace,
        });
        const primaries = primarySubnets(subnet.spec.network, subnetsOf(ctx, namespace));
        const kubeOvnSubnet = ctx.manager.cached<KubeOvnSubnet>(engines.kubeOvnSubnets, {
          name: kubeOvnSubnetName(namespace, subnet.spec.network),
        });
        const { status, ready } = subnetStatus(subnet, network, primaries, kubeOvnSubnet);
        await applyStatus(ctx, resourceOf(Subnet), subnet, status, ready);
      })
  );
}
