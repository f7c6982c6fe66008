// Subnet admission: the network exists, CIDRs in a project do not overlap (one Kube-OVN
// Vpc routes them all), and a subnet that routers or ports use is not deleted.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { cidrsOverlap, creatorUnchanged, inUse, nameOf, others, specOf, stampCreator } from './common.js';
import { localRef } from './refs.js';

interface SubnetSpec {
  network: string;
  cidr: string;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') {
    const [routers, ports] = await Promise.all([
      ctx.lookup.list('routers', ctx.namespace),
      ctx.lookup.list('ports', ctx.namespace),
    ]);
    const users = [
      ...routers
        .filter((r) =>
          (specOf<{ interfaces?: Array<{ subnet?: string }> }>(r)?.interfaces ?? []).some(
            (i) => i.subnet === ctx.name,
          ),
        )
        .map((r) => `router "${nameOf(r)}"`),
      ...ports
        .filter((p) =>
          (specOf<{ fixedIPs?: Array<{ subnet?: string }> }>(p)?.fixedIPs ?? []).some(
            (f) => f.subnet === ctx.name,
          ),
        )
        .map((p) => `port "${nameOf(p)}"`),
    ];
    return inUse(`subnet "${ctx.name}"`, users, 'remove the router interfaces and ports on it first');
  }
  const spec = specOf<SubnetSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  const network = await localRef(ctx, 'spec.network', 'networks', 'network', spec.network);
  if (network.denial) denials.push(network.denial);
  if (ctx.operation === 'CREATE') {
    for (const other of await others(ctx, 'subnets')) {
      const theirs = specOf<SubnetSpec>(other);
      if (theirs && cidrsOverlap(spec.cidr, theirs.cidr)) {
        denials.push({
          field: 'spec.cidr',
          code: 409,
          message: `${spec.cidr} overlaps ${theirs.cidr} of subnet "${nameOf(other)}"; subnets of one project share a router domain, pick a CIDR that does not overlap`,
        });
      }
    }
  }
  return denials;
}

export const subnetAdmission: KindAdmission = {
  plural: 'subnets',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
