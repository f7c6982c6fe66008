// Network admission: external networks live in the shared namespace; a network that
// instances, ports, routers or floating IPs use is not deleted (Neutron NetworkInUse).
import type { AdmissionContext } from '../context.js';
import { FloatingIP, Instance, Network, Port, Router } from '../../operator/kinds/index.js';
import { inUse, projectKindAdmission, use, usersOf } from './common.js';
import type { SharedRef } from './refs.js';

/** Whether a reference made from `fromNamespace` names network `name` in `namespace`. */
function refersTo(
  ref: SharedRef | undefined,
  fromNamespace: string | undefined,
  namespace: string | undefined,
  name: string,
): boolean {
  return !!ref && ref.name === name && (ref.namespace ?? fromNamespace) === namespace;
}

async function users(ctx: AdmissionContext): Promise<string[]> {
  const names = (o: { metadata?: { namespace?: string } }, ref: SharedRef | undefined) =>
    refersTo(ref, o.metadata?.namespace, ctx.namespace, ctx.name);
  // A shared network is used from every namespace; a tenant network only from its own.
  const namespace = ctx.namespace === ctx.settings.publicNamespace ? undefined : ctx.namespace;
  return usersOf(
    ctx,
    [
      use(Instance, (o) => (o.spec?.networks ?? []).some((n) => names(o, n.network))),
      use(Port, (o) => names(o, o.spec?.network)),
      use(Router, (o) => names(o, o.spec?.externalGateway?.network)),
      use(FloatingIP, (o) => names(o, o.spec?.network)),
    ],
    { namespace, qualified: true },
  );
}

export const networkAdmission = projectKindAdmission(Network, {
  validate(ctx) {
    if (!ctx.object.spec?.external || ctx.namespace === ctx.settings.publicNamespace) return [];
    return [
      {
        field: 'spec.external',
        code: 403,
        message: `external networks live in the shared namespace "${ctx.settings.publicNamespace}" (admins create them); a project network is not external`,
      },
    ];
  },
  validateDelete: async (ctx) => inUse(ctx, await users(ctx), 'delete or detach those first'),
});
