// FloatingIP admission: allocated from an external network, associated with an existing
// port or instance that no other floating IP already maps.
import type { Denial } from '../admission.js';
import { FloatingIP, Instance, Port } from '../../operator/kinds/index.js';
import type { FloatingIPObject } from '../../operator/kinds/floatingip.js';
import type { WriteContext } from './common.js';
import { nameOf, others, projectKindAdmission } from './common.js';
import { localRef } from './refs.js';
import { externalNetworkRef } from './visibility.js';

/** Whether two floating IPs map the same address of the same port or instance. */
function sameTarget(a: FloatingIPObject['spec'], b: FloatingIPObject['spec']): boolean {
  return (
    (a.port ?? a.instance) === (b.port ?? b.instance) &&
    !!a.port === !!b.port &&
    (a.fixedIPAddress ?? '') === (b.fixedIPAddress ?? '')
  );
}

async function validate(ctx: WriteContext<typeof FloatingIP>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  const denials: Denial[] = [];
  const network = await externalNetworkRef(ctx, 'spec.network', spec.network);
  if (network.denial) denials.push(network.denial);
  if (spec.port) {
    const port = await localRef(ctx, 'spec.port', Port, spec.port);
    if (port.denial) denials.push(port.denial);
  }
  if (spec.instance) {
    const instance = await localRef(ctx, 'spec.instance', Instance, spec.instance);
    if (instance.denial) denials.push(instance.denial);
  }
  const target = spec.port
    ? { field: 'spec.port', kind: 'port', name: spec.port }
    : spec.instance
      ? { field: 'spec.instance', kind: 'instance', name: spec.instance }
      : undefined;
  if (target) {
    const taken = (await others(ctx, FloatingIP)).find((f) => f.spec && sameTarget(f.spec, spec));
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

export const floatingIPAdmission = projectKindAdmission(FloatingIP, { validate });
