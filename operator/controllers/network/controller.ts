// Network → NetworkAttachmentDefinition + Kube-OVN Subnet (rebuilt from the network's
// Subnets); Subnet → status only (its block lives in the network's Kube-OVN Subnet).
//
// Each reads as resolve (the network's Subnets from the cache, by index) → desired (pure,
// desired.ts) → apply → status (pure, desired.ts).
//
// The Kube-OVN Subnet is cluster-scoped and so cannot be owned by the namespaced Network:
// the controller has a cleanup, so the runtime gives each Network our finalizer, and
// deleting it deletes its Subnets and the Kube-OVN Subnet (Kube-OVN refuses that while
// addresses are in use; we retry) before the finalizer goes.
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import { backendRejection } from '../../runtime/errors.js';
import type { KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import { kubeOvnSubnetName, type KubeOvnSubnet } from '../engines.js';
import {
  desiredKubeOvnSubnet,
  desiredNetworkAttachmentDefinition,
  NETWORK_LABELS,
  networkRejectedStatus,
  networkStatus,
  kubeOvnReadiness,
  subnetStatus,
} from './desired.js';
import { primarySubnets } from '../../domain/subnet.js';
import { Network, Subnet, resourceOf } from '../../kinds/index.js';
import { engines } from '../../kinds/external.js';
import type { Manager } from '../../runtime/manager.js';

/** Field index of Subnets by their network, `namespace/network`. */
export const SUBNETS_BY_NETWORK = 'subnet.spec.network';

const subnetNetworkKey = (subnet: SubnetObject): string[] => [
  `${subnet.metadata.namespace}/${subnet.spec.network}`,
];

/** The Subnets of a network, from the cache by index. */
function subnetsOf(manager: Manager, namespace: string | undefined, network: string | undefined) {
  return manager.byIndex<SubnetObject>(resourceOf(Subnet), SUBNETS_BY_NETWORK, `${namespace}/${network}`);
}

/** The Network a Kube-OVN Subnet was made for, from its labels. */
function networkOfKubeOvnSubnet(object: KubeObject) {
  const labels = object.metadata?.labels ?? {};
  const name = labels[NETWORK_LABELS.network];
  const namespace = labels[NETWORK_LABELS.networkNamespace];
  return name && namespace ? [{ name, namespace }] : [];
}

async function cleanUp(network: NetworkObject, ctx: ReconcileContext): Promise<void> {
  const namespace = network.metadata.namespace!;
  const name = network.metadata.name!;
  // Neutron deletes a network's subnets with it (admission refused the delete if in use).
  await Promise.all(
    subnetsOf(ctx.manager, namespace, name).map((s) =>
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
  ctx.logger.info('network cleaned up');
}

export function networkController() {
  return (
    controllerFor<NetworkObject>(resourceOf(Network))
      .named('network')
      .indexField(resourceOf(Subnet), SUBNETS_BY_NETWORK, subnetNetworkKey)
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
      .cleanup(cleanUp)
      .reconcile(async (network, ctx) => {
        const namespace = network.metadata.namespace!;
        const name = network.metadata.name!;
        const subnets = primarySubnets(name, subnetsOf(ctx.manager, namespace, name));

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
          const rejection = backendRejection(error, `Kube-OVN refused subnet ${kubeOvnName}`);
          if (!rejection) throw error;
          await ctx.status(network, networkRejectedStatus(network, rejection));
          return { requeueAfterMs: rejection.requeueAfterMs };
        }
        const kubeOvnSubnet = ctx.manager.cached<KubeOvnSubnet>(engines.kubeOvnSubnets, {
          name: kubeOvnName,
        });
        await ctx.status(network, networkStatus(network, { subnets, kubeOvnSubnet, applied: true }));
      })
  );
}

export function subnetController() {
  const siblings = (manager: Manager, namespace: string | undefined, network: string | undefined) =>
    subnetsOf(manager, namespace, network).map((s) => ({
      name: s.metadata.name!,
      namespace: s.metadata.namespace,
    }));
  return (
    controllerFor<SubnetObject>(resourceOf(Subnet))
      .named('subnet')
      .indexField(resourceOf(Subnet), SUBNETS_BY_NETWORK, subnetNetworkKey)
      // Kube-OVN's address counters tick with every NIC: one status write per flurry.
      .coalescing(250)
      .watches(resourceOf(Network), (network: NetworkObject, manager) =>
        siblings(manager, network.metadata.namespace, network.metadata.name),
      )
      // A sibling's arrival or departure can change which Subnet is a family's block.
      .watches(resourceOf(Subnet), (subnet: SubnetObject, manager) =>
        siblings(manager, subnet.metadata.namespace, subnet.spec.network),
      )
      .watches(engines.kubeOvnSubnets, (object: KubeObject, manager) =>
        networkOfKubeOvnSubnet(object).flatMap((n) => siblings(manager, n.namespace, n.name)),
      )
      .reconcile(async (subnet, ctx) => {
        const namespace = subnet.metadata.namespace!;
        const network = ctx.manager.cached<NetworkObject>(resourceOf(Network), {
          name: subnet.spec.network,
          namespace,
        });
        const primaries = primarySubnets(
          subnet.spec.network,
          subnetsOf(ctx.manager, namespace, subnet.spec.network),
        );
        const kubeOvnSubnet = ctx.manager.cached<KubeOvnSubnet>(engines.kubeOvnSubnets, {
          name: kubeOvnSubnetName(namespace, subnet.spec.network),
        });
        await ctx.status(subnet, subnetStatus(subnet, network, primaries, kubeOvnSubnet));
      })
  );
}
