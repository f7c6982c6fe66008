// SecurityGroup admission: remote groups exist, the rule quota holds, and a group that
// instances, ports or other groups use is not deleted (Neutron SecurityGroupInUse).
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import {
  checkQuota,
  creatorUnchanged,
  inUse,
  nameOf,
  others,
  projectQuota,
  specOf,
  stampCreator,
} from './common.js';
import { denialsOf, localRef } from './refs.js';

interface SecurityGroupSpec {
  rules?: Array<{ remoteGroup?: string }>;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') {
    const [instances, ports, groups] = await Promise.all(
      ['instances', 'ports', 'securitygroups'].map((p) => ctx.lookup.list(p, ctx.namespace)),
    );
    const uses = (o: unknown) =>
      (specOf<{ securityGroups?: string[] }>(o as never)?.securityGroups ?? []).includes(ctx.name);
    const users = [
      ...instances!.filter(uses).map((o) => `instance "${nameOf(o)}"`),
      ...ports!.filter(uses).map((o) => `port "${nameOf(o)}"`),
      ...groups!
        .filter(
          (g) =>
            nameOf(g) !== ctx.name &&
            (specOf<SecurityGroupSpec>(g)?.rules ?? []).some((r) => r.remoteGroup === ctx.name),
        )
        .map((g) => `security group "${nameOf(g)}" (as remoteGroup)`),
    ];
    return inUse(`security group "${ctx.name}"`, users, 'remove it from those first');
  }
  const spec = specOf<SecurityGroupSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  const rules = spec.rules ?? [];
  denials.push(
    ...(await denialsOf(
      rules.flatMap((r, i) =>
        r.remoteGroup && r.remoteGroup !== ctx.name
          ? [localRef(ctx, `spec.rules[${i}].remoteGroup`, 'securitygroups', 'security group', r.remoteGroup)]
          : [],
      ),
    )),
  );
  const added = rules.length - (specOf<SecurityGroupSpec>(ctx.oldObject)?.rules?.length ?? 0);
  if (added > 0) {
    const inUseRules = (await others(ctx, 'securitygroups')).reduce(
      (n, g) => n + (specOf<SecurityGroupSpec>(g)?.rules?.length ?? 0),
      0,
    );
    const quota = await projectQuota(ctx);
    const denial = checkQuota(
      quota,
      'securityGroupRules',
      'rules',
      inUseRules + rules.length - added,
      added,
      'spec.rules',
      ctx.namespace,
    );
    if (denial) denials.push(denial);
  }
  return denials;
}

export const securityGroupAdmission: KindAdmission = {
  plural: 'securitygroups',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
