// Router admission: the gateway is an external network, interfaces name existing subnets
// or ports of this project.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { creatorUnchanged, specOf, stampCreator } from './common.js';
import { denialsOf, localRef, sharedRef, type SharedRef } from './refs.js';
import { externalNetwork } from './visibility.js';

interface RouterSpec {
  externalGateway?: { network: SharedRef };
  interfaces?: Array<{ subnet?: string; port?: string }>;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  const spec = specOf<RouterSpec>(ctx.object);
  if (!spec) return [];
  const checks: Array<Promise<{ denial?: Denial }>> = [];
  const gateway = spec.externalGateway?.network;
  if (gateway) {
    checks.push(
      sharedRef(ctx, 'spec.externalGateway.network', 'networks', 'network', gateway, () => undefined).then(
        (r) => {
          const why = r.object ? externalNetwork(r.object) : undefined;
          return why
            ? {
                denial: {
                  field: 'spec.externalGateway.network.name',
                  message: `network "${gateway.name}" ${why}`,
                },
              }
            : r;
        },
      ),
    );
  }
  (spec.interfaces ?? []).forEach((i, n) => {
    if (i.subnet) checks.push(localRef(ctx, `spec.interfaces[${n}].subnet`, 'subnets', 'subnet', i.subnet));
    if (i.port) checks.push(localRef(ctx, `spec.interfaces[${n}].port`, 'ports', 'port', i.port));
  });
  return [...creatorUnchanged(ctx), ...(await denialsOf(checks))];
}

export const routerAdmission: KindAdmission = {
  plural: 'routers',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE'],
  mutate: stampCreator,
  validate,
};
