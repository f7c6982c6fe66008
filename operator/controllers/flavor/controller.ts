// Flavor → VirtualMachineClusterInstancetype, applied with a controller owner reference:
// deleting the flavor lets the garbage collector take the instancetype (running VMs keep
// their ControllerRevision copy).
import { controllerFor } from '../../runtime/controller.js';
import type { FlavorObject } from '../../kinds/flavor.js';
import { applyStatus } from '../engines.js';
import { desiredInstancetype } from './desired.js';
import { Flavor, resourceOf } from '../../kinds/index.js';
import { engines } from '../../kinds/external.js';

export function flavorController() {
  return controllerFor<FlavorObject>(resourceOf(Flavor))
    .named('flavor')
    .owns(engines.clusterInstancetypes)
    .reconcile(async (flavor, ctx) => {
      if (flavor.metadata.deletionTimestamp) return;
      const instancetype = desiredInstancetype(flavor);
      await ctx.client.apply(engines.clusterInstancetypes, instancetype);
      await applyStatus(
        ctx,
        resourceOf(Flavor),
        flavor,
        { instancetype: instancetype.metadata.name },
        {
          type: 'Ready',
          status: 'True',
          reason: 'Provisioned',
          message: `VirtualMachineClusterInstancetype ${instancetype.metadata.name} is in place`,
        },
      );
    });
}
