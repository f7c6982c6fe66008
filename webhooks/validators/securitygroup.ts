// SecurityGroup admission: remote groups exist, the rule quota holds, and a group that
// instances, ports or other groups use is not deleted (Neutron SecurityGroupInUse).
import type { Denial } from '../admission.js';
import { Instance, Port, SecurityGroup } from '../../operator/kinds/index.js';
import type { QuotaCheck, WriteContext } from './common.js';
import { inUse, nameOf, others, projectKindAdmission, quotaDenials, use, usersOf } from './common.js';
import { denialsOf, localRef } from './refs.js';

async function validate(ctx: WriteContext<typeof SecurityGroup>): Promise<Denial[]> {
  const rules = ctx.object.spec?.rules ?? [];
  const remoteGroups = rules.flatMap((r, i) =>
    r.remoteGroup && r.remoteGroup !== ctx.name
      ? [localRef(ctx, `spec.rules[${i}].remoteGroup`, SecurityGroup, r.remoteGroup)]
      : [],
  );
  const denials = await denialsOf(remoteGroups);
  const added = rules.length - (ctx.oldObject?.spec?.rules?.length ?? 0);
  if (added > 0) {
    const rulesOfOthers = (await others(ctx, SecurityGroup)).reduce(
      (n, g) => n + (g.spec?.rules?.length ?? 0),
      0,
    );
    const used = rulesOfOthers + rules.length - added;
    const check: QuotaCheck = {
      key: 'securityGroupRules',
      unit: 'rules',
      used,
      requested: added,
      field: 'spec.rules',
    };
    denials.push(...(await quotaDenials(ctx, [check])));
  }
  return denials;
}

export const securityGroupAdmission = projectKindAdmission(SecurityGroup, {
  validate,
  validateDelete: async (ctx) => {
    const lists = (o: { spec?: { securityGroups?: string[] } }) =>
      (o.spec?.securityGroups ?? []).includes(ctx.name);
    const users = await usersOf(ctx, [
      use(Instance, lists),
      use(Port, lists),
      use(
        SecurityGroup,
        (g) => nameOf(g) !== ctx.name && (g.spec?.rules ?? []).some((r) => r.remoteGroup === ctx.name),
        '(as remoteGroup)',
      ),
    ]);
    return inUse(ctx, users, 'remove it from those first');
  },
});
