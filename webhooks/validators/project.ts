// Project admission: a project's namespace must not take over a namespace that exists for
// something else.
import { kindAdmission } from '../context.js';
import { LABELS } from '../../operator/domain/naming.js';
import { Project } from '../../operator/kinds/project.js';

export const projectAdmission = kindAdmission(Project, {
  operations: ['CREATE'],
  async validate(ctx) {
    if (ctx.operation !== 'CREATE') return [];
    const ns = await ctx.lookup.namespace(ctx.name);
    // The Project controller labels the namespaces it owns with their project.
    if (!ns || ns.labels[LABELS.project] === ctx.name) return [];
    return [
      {
        field: 'metadata.name',
        code: 409,
        message: `namespace "${ctx.name}" already exists and does not belong to a Stratus project; a project becomes the namespace of its name, so pick another name`,
      },
    ];
  },
});
