// User admission: the projects it names exist, and login names are unique (Keystone: per
// domain; Stratus has one).
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { nameOf, specOf } from './common.js';
import { clusterRef, denialsOf } from './refs.js';

interface UserSpec {
  loginName?: string;
  defaultProject?: string;
  projects?: Array<{ project: string }>;
}

const login = (o: { metadata?: { name?: string }; spec?: unknown }) =>
  specOf<UserSpec>(o)?.loginName ?? o.metadata?.name ?? '';

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  const spec = specOf<UserSpec>(ctx.object);
  if (!spec || !ctx.object) return [];
  const checks = (spec.projects ?? []).map((p, i) =>
    clusterRef(ctx, `spec.projects[${i}].project`, 'projects', 'project', p.project),
  );
  if (spec.defaultProject)
    checks.push(clusterRef(ctx, 'spec.defaultProject', 'projects', 'project', spec.defaultProject));
  const denials = await denialsOf(checks);
  const name = login(ctx.object);
  const clash = (await ctx.lookup.list('users', undefined)).find(
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
}

export const userAdmission: KindAdmission = {
  plural: 'users',
  scope: 'Cluster',
  operations: ['CREATE', 'UPDATE'],
  validate,
};
