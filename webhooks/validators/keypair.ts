// KeyPair admission: Nova key pair names are unique per owner; here, per namespace.
import type { Denial } from '../admission.js';
import { KeyPair, User } from '../../operator/kinds/index.js';
import type { KeyPairObject } from '../../operator/kinds/keypair.js';
import { nameOf, others, projectKindAdmission } from './common.js';
import { clusterRef } from './refs.js';

const novaName = (o: KeyPairObject): string => o.spec?.displayName ?? nameOf(o);

export const keyPairAdmission = projectKindAdmission(KeyPair, {
  async validate(ctx) {
    const spec = ctx.object.spec;
    const denials: Denial[] = [];
    const name = novaName(ctx.object);
    const clash = (await others(ctx, KeyPair)).find((k) => novaName(k) === name);
    if (clash) {
      denials.push({
        field: spec.displayName ? 'spec.displayName' : 'metadata.name',
        code: 409,
        message: `key pair name "${name}" is already used by KeyPair "${nameOf(clash)}" in this project; pick another name`,
      });
    }
    if (spec.user) {
      const user = await clusterRef(ctx, 'spec.user', User, spec.user);
      if (user.denial) denials.push(user.denial);
    }
    return denials;
  },
});
