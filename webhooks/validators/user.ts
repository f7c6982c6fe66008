// User admission: the projects it names exist, and login names are unique (Keystone: per
// domain; Stratus has one).
import type { Denial } from '../admission.js';
import { kindAdmission } from '../context.js';
import { Project, User } from '../../operator/kinds/index.js';
import type { UserObject } from '../../operator/kinds/user.js';
import { nameOf } from './common.js';
import { clusterRef, denialsOf } from './refs.js';

const login = (o: UserObject): string => o.spec?.loginName ?? nameOf(o);

export const userAdmission = kindAdmission(User, {
  operations: ['CREATE', 'UPDATE'],
  async validate(ctx) {
    const spec = ctx.object?.spec;
    if (!spec || !ctx.object) return [];
    const checks = (spec.projects ?? []).map((p, i) =>
      clusterRef(ctx, `spec.projects[${i}].project`, Project, p.project),
    );
    if (spec.defaultProject)
      checks.push(clusterRef(ctx, 'spec.defaultProject', Project, spec.defaultProject));
    const denials: Denial[] = await denialsOf(checks);
    const name = login(ctx.object);
    const clash = (await ctx.lookup.list(User, undefined)).find(
      (u) => nameOf(u) !== ctx.name && login(u) === name,
    );
    if (clash) {
      denials.push({
        field: spec.loginName ? 'spec.loginName' : 'metadata.name',
        code: 409,
        message: `login name "${name}" is taken by User "${nameOf(clash)}"; pick another`,
      });
    }
    return denials;
  },
});
