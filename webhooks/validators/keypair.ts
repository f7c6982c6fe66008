// KeyPair admission: Nova key pair names are unique per owner; here, per namespace.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { creatorUnchanged, nameOf, others, specOf, stampCreator } from './common.js';
import { clusterRef } from './refs.js';

interface KeyPairSpec {
  displayName?: string;
  user?: string;
}

const novaName = (o: { metadata?: { name?: string }; spec?: unknown }): string =>
  specOf<KeyPairSpec>(o)?.displayName ?? o.metadata?.name ?? '';

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  const spec = specOf<KeyPairSpec>(ctx.object);
  if (!spec || !ctx.object) return [];
  const denials = creatorUnchanged(ctx);
  const name = novaName(ctx.object);
  const clash = (await others(ctx, 'keypairs')).find((k) => novaName(k) === name);
  if (clash) {
    denials.push({
      field: spec.displayName ? 'spec.displayName' : 'metadata.name',
      code: 409,
      message: `key pair name "${name}" is already used by KeyPair "${nameOf(clash)}" in this project; pick another name`,
    });
  }
  if (spec.user) {
    const user = await clusterRef(ctx, 'spec.user', 'users', 'user', spec.user);
    if (user.denial) denials.push(user.denial);
  }
  return denials;
}

export const keyPairAdmission: KindAdmission = {
  plural: 'keypairs',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE'],
  mutate: stampCreator,
  validate,
};
