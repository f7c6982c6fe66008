// Port admission: the network is visible, fixed IPs sit in subnets of that network and are
// not taken, security groups exist; a port an instance uses is not deleted.
import type { Denial } from '../admission.js';
import { Instance, Network, Port, SecurityGroup, Subnet } from '../../operator/kinds/index.js';
import type { PortObject } from '../../operator/kinds/port.js';
import { subnetsHolding } from '../../operator/domain/subnet.js';
import type { WriteContext } from './common.js';
import { inUse, nameOf, others, projectKindAdmission, use, usersOf } from './common.js';
import { denialsOf, localRef, sharedRef } from './refs.js';
import { networkVisibility } from './visibility.js';

async function validate(ctx: WriteContext<typeof Port>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  const denials: Denial[] = [];
  const network = await sharedRef(ctx, 'spec.network', Network, spec.network, networkVisibility);
  if (network.denial) denials.push(network.denial);
  const networkNamespace = network.object?.metadata?.namespace;
  const subnets = network.object ? await ctx.lookup.list(Subnet, networkNamespace) : [];
  const ofNetwork = subnets.filter((s) => s.spec?.network === spec.network.name);
  const siblings = await others(ctx, Port);
  (spec.fixedIPs ?? []).forEach((f, i) => {
    const field = `spec.fixedIPs[${i}]`;
    const subnet = f.subnet ? ofNetwork.find((s) => nameOf(s) === f.subnet) : undefined;
    if (f.subnet && network.object && !subnet) {
      denials.push({
        field: `${field}.subnet`,
        message: `subnet "${f.subnet}" is not a subnet of network "${spec.network.name}"; list them with kubectl get subnets -n ${networkNamespace}`,
      });
    }
    if (!f.ipAddress) return;
    const candidates = subnet ? [subnet] : ofNetwork;
    if (network.object && subnetsHolding(f.ipAddress, candidates).length === 0) {
      denials.push({
        field: `${field}.ipAddress`,
        message: `${f.ipAddress} is outside ${f.subnet ? `subnet "${f.subnet}"` : `every subnet of network "${spec.network.name}"`}; pick an address inside it`,
      });
    }
    const holder = siblings.find((p) => holds(p, spec.network.name, f.ipAddress!));
    if (holder) {
      denials.push({
        field: `${field}.ipAddress`,
        code: 409,
        message: `${f.ipAddress} is already held by port "${nameOf(holder)}"; pick another address or omit it for any free one`,
      });
    }
  });
  const groups = (spec.securityGroups ?? []).map((sg, i) =>
    localRef(ctx, `spec.securityGroups[${i}]`, SecurityGroup, sg),
  );
  denials.push(...(await denialsOf(groups)));
  return denials;
}

/** Whether `port` holds `ip` on the network of that name. */
function holds(port: PortObject, network: string, ip: string): boolean {
  return (port.spec?.fixedIPs ?? []).some((o) => o.ipAddress === ip) && port.spec?.network?.name === network;
}

export const portAdmission = projectKindAdmission(Port, {
  validate,
  validateDelete: async (ctx) =>
    inUse(
      ctx,
      await usersOf(ctx, [use(Instance, (i) => (i.spec?.networks ?? []).some((n) => n.port === ctx.name))]),
      'remove it from the instance’s spec.networks first, or delete the instance',
    ),
});
