// Network admission: external networks live in the shared namespace; a network that
// instances, ports, routers or floating IPs use is not deleted (Neutron NetworkInUse).
import type { Denial, KubeObject } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { creatorUnchanged, inUse, nameOf, specOf, stampCreator } from './common.js';
import type { SharedRef } from './refs.js';

/** Whether a reference made from `fromNamespace` names network `name` in `namespace`. */
export function refersTo(
  ref: SharedRef | undefined,
  fromNamespace: string | undefined,
  namespace: string | undefined,
  name: string,
): boolean {
  return !!ref && ref.name === name && (ref.namespace ?? fromNamespace) === namespace;
}

async function users(ctx: AdmissionContext): Promise<string[]> {
  // A shared network is used from every namespace; a tenant network only from its own.
  const namespaces = ctx.namespace === ctx.settings.publicNamespace ? undefined : ctx.namespace;
  const matches = (o: KubeObject, ref: SharedRef | undefined) =>
    refersTo(ref, o.metadata?.namespace, ctx.namespace, ctx.name);
  const label = (kind: string, o: KubeObject) => `${kind} "${o.metadata?.namespace}/${nameOf(o)}"`;
  const [instances, ports, routers, fips] = await Promise.all(
    ['instances', 'ports', 'routers', 'floatingips'].map((p) => ctx.lookup.list(p, namespaces)),
  );
  return [
    ...instances!
      .filter((o) =>
        (specOf<{ networks?: Array<{ network?: SharedRef }> }>(o)?.networks ?? []).some((n) =>
          matches(o, n.network),
        ),
      )
      .map((o) => label('instance', o)),
    ...ports!
      .filter((o) => matches(o, specOf<{ network?: SharedRef }>(o)?.network))
      .map((o) => label('port', o)),
    ...routers!
      .filter((o) =>
        matches(o, specOf<{ externalGateway?: { network?: SharedRef } }>(o)?.externalGateway?.network),
      )
      .map((o) => label('router', o)),
    ...fips!
      .filter((o) => matches(o, specOf<{ network?: SharedRef }>(o)?.network))
      .map((o) => label('floating IP', o)),
  ];
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') {
    return inUse(`network "${ctx.name}"`, await users(ctx), 'delete or detach those first');
  }
  const denials = creatorUnchanged(ctx);
  const spec = specOf<{ external?: boolean }>(ctx.object);
  if (spec?.external && ctx.namespace !== ctx.settings.publicNamespace) {
    denials.push({
      field: 'spec.external',
      code: 403,
      message: `external networks live in the shared namespace "${ctx.settings.publicNamespace}" (admins create them); a project network is not external`,
    });
  }
  return denials;
}

export const networkAdmission: KindAdmission = {
  plural: 'networks',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
