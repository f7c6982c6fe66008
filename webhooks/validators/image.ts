// Image admission: public images live only in the shared namespace, and a protected image
// cannot be deleted (Glance answers 403 for both).
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { creatorUnchanged, specOf, stampCreator } from './common.js';

interface ImageSpec {
  visibility?: string;
  protected?: boolean;
}

function validate(ctx: AdmissionContext): Denial[] {
  if (ctx.operation === 'DELETE') {
    return specOf<ImageSpec>(ctx.oldObject)?.protected
      ? [
          {
            field: 'spec.protected',
            code: 403,
            message: 'the image is protected; set spec.protected to false before deleting it',
          },
        ]
      : [];
  }
  const denials = creatorUnchanged(ctx);
  const visibility = specOf<ImageSpec>(ctx.object)?.visibility;
  if (
    (visibility === 'public' || visibility === 'community') &&
    ctx.namespace !== ctx.settings.publicNamespace
  ) {
    denials.push({
      field: 'spec.visibility',
      code: 403,
      message: `${visibility} images live in the shared namespace "${ctx.settings.publicNamespace}" (admins publish there); in a project use private or shared`,
    });
  }
  return denials;
}

export const imageAdmission: KindAdmission = {
  plural: 'images',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
