// Router admission: the gateway is an external network, interfaces name existing subnets
// or ports of this project.
import type { Denial } from '../admission.js';
import { Port, Router, Subnet } from '../../operator/kinds/index.js';
import { projectKindAdmission } from './common.js';
import { denialsOf, localRef } from './refs.js';
import { externalNetworkRef } from './visibility.js';

export const routerAdmission = projectKindAdmission(Router, {
  async validate(ctx) {
    const spec = ctx.object.spec;
    const checks: Array<Promise<{ denial?: Denial }>> = [];
    const gateway = spec.externalGateway?.network;
    if (gateway) checks.push(externalNetworkRef(ctx, 'spec.externalGateway.network', gateway));
    (spec.interfaces ?? []).forEach((i, n) => {
      if (i.subnet) checks.push(localRef(ctx, `spec.interfaces[${n}].subnet`, Subnet, i.subnet));
      if (i.port) checks.push(localRef(ctx, `spec.interfaces[${n}].port`, Port, i.port));
    });
    return denialsOf(checks);
  },
});
