// Flavor → VirtualMachineClusterInstancetype, applied with a controller owner reference:
// deleting the flavor lets the garbage collector take the instancetype (running VMs keep
// their ControllerRevision copy).
//
// Nothing to resolve; desired: desiredInstancetype; apply; status: flavorStatus.
import { controllerFor } from '../../runtime/controller.js';
import type { FlavorObject } from '../../kinds/flavor.js';
import { desiredInstancetype, flavorStatus } from './desired.js';
import { Flavor, resourceOf } from '../../kinds/index.js';
import { engines } from '../../kinds/external.js';

export function flavorController() {
  return controllerFor<FlavorObject>(resourceOf(Flavor))
    .named('flavor')
    .owns(engines.clusterInstancetypes)
    .reconcile(async (flavor, ctx) => {
      const instancetype = desiredInstancetype(flavor);
      await ctx.client.apply(engines.clusterInstancetypes, instancetype);
      await ctx.status(flavor, flavorStatus(instancetype.metadata.name));
    });
}
