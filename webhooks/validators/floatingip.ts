// FloatingIP admission: allocated from an external network, associated with an existing
// port or instance that no other floating IP already maps.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { creatorUnchanged, nameOf, others, specOf, stampCreator } from './common.js';
import { localRef, sharedRef, type SharedRef } from './refs.js';
import { externalNetwork } from './visibility.js';

interface FloatingIPSpec {
  network: SharedRef;
  port?: string;
  instance?: string;
  fixedIPAddress?: string;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  const spec = specOf<FloatingIPSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  const network = await sharedRef(ctx, 'spec.network', 'networks', 'network', spec.network, () => undefined);
  if (network.denial) denials.push(network.denial);
  const notExternal = network.object ? externalNetwork(network.object) : undefined;
  if (notExternal)
    denials.push({ field: 'spec.network.name', message: `network "${spec.network.name}" ${notExternal}` });
  if (spec.port) {
    const port = await localRef(ctx, 'spec.port', 'ports', 'port', spec.port);
    if (port.denial) denials.push(port.denial);
  }
  if (spec.instance) {
    const instance = await localRef(ctx, 'spec.instance', 'instances', 'instance', spec.instance);
    if (instance.denial) denials.push(instance.denial);
  }
  const target = spec.port
    ? { field: 'spec.port', kind: 'port', name: spec.port }
    : spec.instance
      ? { field: 'spec.instance', kind: 'instance', name: spec.instance }
      : undefined;
  if (target) {
    const taken = (await others(ctx, 'floatingips')).find((f) => {
      const theirs = specOf<FloatingIPSpec>(f);
      return (
        (theirs?.port ?? theirs?.instance) === target.name &&
        !!theirs?.port === !!spec.port &&
        (theirs?.fixedIPAddress ?? '') === (spec.fixedIPAddress ?? '')
      );
    });
    if (taken) {
      denials.push({
        field: target.field,
        code: 409,
        message: `${target.kind} "${target.name}" already has floating IP "${nameOf(taken)}"; disassociate it there first`,
      });
    }
  }
  return denials;
}

export const floatingIPAdmission: KindAdmission = {
  plural: 'floatingips',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE'],
  mutate: stampCreator,
  validate,
};
