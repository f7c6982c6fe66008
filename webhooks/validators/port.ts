// Port admission: the network is visible, fixed IPs sit in subnets of that network and are
// not taken, security groups exist; a port an instance uses is not deleted.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { cidrContains, creatorUnchanged, inUse, nameOf, others, specOf, stampCreator } from './common.js';
import { denialsOf, localRef, sharedRef, type SharedRef } from './refs.js';
import { networkVisibility } from './visibility.js';

interface PortSpec {
  network: SharedRef;
  fixedIPs?: Array<{ subnet?: string; ipAddress?: string }>;
  securityGroups?: string[];
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') {
    const instances = (await ctx.lookup.list('instances', ctx.namespace))
      .filter((i) =>
        (specOf<{ networks?: Array<{ port?: string }> }>(i)?.networks ?? []).some((n) => n.port === ctx.name),
      )
      .map((i) => `instance "${nameOf(i)}"`);
    return inUse(
      `port "${ctx.name}"`,
      instances,
      'remove it from the instance’s spec.networks first, or delete the instance',
    );
  }
  const spec = specOf<PortSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  const network = await sharedRef(
    ctx,
    'spec.network',
    'networks',
    'network',
    spec.network,
    networkVisibility,
  );
  if (network.denial) denials.push(network.denial);
  const networkNamespace = network.object?.metadata?.namespace;
  const subnets = network.object ? await ctx.lookup.list('subnets', networkNamespace) : [];
  const ofNetwork = subnets.filter((s) => specOf<{ network: string }>(s)?.network === spec.network.name);
  const siblings = await others(ctx, 'ports');
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
    if (
      network.object &&
      !candidates.some((s) => cidrContains(specOf<{ cidr: string }>(s)?.cidr ?? '', f.ipAddress!))
    ) {
      denials.push({
        field: `${field}.ipAddress`,
        message: `${f.ipAddress} is outside ${f.subnet ? `subnet "${f.subnet}"` : `every subnet of network "${spec.network.name}"`}; pick an address inside it`,
      });
    }
    const holder = siblings.find(
      (p) =>
        (specOf<PortSpec>(p)?.fixedIPs ?? []).some((o) => o.ipAddress === f.ipAddress) &&
        specOf<PortSpec>(p)?.network.name === spec.network.name,
    );
    if (holder) {
      denials.push({
        field: `${field}.ipAddress`,
        code: 409,
        message: `${f.ipAddress} is already held by port "${nameOf(holder)}"; pick another address or omit it for any free one`,
      });
    }
  });
  denials.push(
    ...(await denialsOf(
      (spec.securityGroups ?? []).map((sg, i) =>
        localRef(ctx, `spec.securityGroups[${i}]`, 'securitygroups', 'security group', sg),
      ),
    )),
  );
  return denials;
}

export const portAdmission: KindAdmission = {
  plural: 'ports',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
