// Subnet admission: the network exists, CIDRs in a project do not overlap (one Kube-OVN
// Vpc routes them all), and a subnet that routers or ports use is not deleted.
import { Network, Port, Router, Subnet } from '../../operator/kinds/index.js';
import { overlappingSubnets } from '../../operator/domain/subnet.js';
import { inUse, others, projectKindAdmission, use, usersOf } from './common.js';
import { localRef } from './refs.js';

export const subnetAdmission = projectKindAdmission(Subnet, {
  async validate(ctx) {
    const spec = ctx.object.spec;
    const denials = [];
    const network = await localRef(ctx, 'spec.network', Network, spec.network);
    if (network.denial) denials.push(network.denial);
    if (ctx.operation === 'CREATE') {
      for (const other of overlappingSubnets(spec.cidr, await others(ctx, Subnet))) {
        denials.push({
          field: 'spec.cidr',
          code: 409 as const,
          message: `${spec.cidr} overlaps ${other.spec.cidr} of subnet "${other.metadata?.name}"; subnets of one project share a router domain, pick a CIDR that does not overlap`,
        });
      }
    }
    return denials;
  },
  validateDelete: async (ctx) =>
    inUse(
      ctx,
      await usersOf(ctx, [
        use(Router, (r) => (r.spec?.interfaces ?? []).some((i) => i.subnet === ctx.name)),
        use(Port, (p) => (p.spec?.fixedIPs ?? []).some((f) => f.subnet === ctx.name)),
      ]),
      'remove the router interfaces and ports on it first',
    ),
});
