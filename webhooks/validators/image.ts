// Image admission: public images live only in the shared namespace, and a protected image
// cannot be deleted (Glance answers 403 for both).
import { projectKindAdmission } from './common.js';
import { Image } from '../../operator/kinds/image.js';

export const imageAdmission = projectKindAdmission(Image, {
  validate(ctx) {
    const visibility = ctx.object.spec?.visibility;
    if (
      (visibility === 'public' || visibility === 'community') &&
      ctx.namespace !== ctx.settings.publicNamespace
    ) {
      return [
        {
          field: 'spec.visibility',
          code: 403,
          message: `${visibility} images live in the shared namespace "${ctx.settings.publicNamespace}" (admins publish there); in a project use private or shared`,
        },
      ];
    }
    return [];
  },
  validateDelete(ctx) {
    if (!ctx.oldObject?.spec?.protected) return [];
    return [
      {
        field: 'spec.protected',
        code: 403,
        message: 'the image is protected; set spec.protected to false before deleting it',
      },
    ];
  },
});
