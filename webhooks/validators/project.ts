// Project admission: a project's namespace must not take over a namespace that exists for
// something else.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { LABELS } from '../../operator/domain/naming.js';

/** Label the Project controller puts on the namespaces it owns. */
const PROJECT_LABEL = LABELS.project;

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation !== 'CREATE') return [];
  const ns = await ctx.lookup.namespace(ctx.name);
  if (ns && ns.labels[PROJECT_LABEL] !== ctx.name) {
    return [
      {
        field: 'metadata.name',
        code: 409,
        message: `namespace "${ctx.name}" already exists and does not belong to a Stratus project; a project becomes the namespace of its name, so pick another name`,
      },
    ];
  }
  return [];
}

export const projectAdmission: KindAdmission = {
  plural: 'projects',
  scope: 'Cluster',
  operations: ['CREATE'],
  validate,
};
