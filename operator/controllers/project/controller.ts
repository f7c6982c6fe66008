// Project → Namespace, member RoleBindings, ResourceQuota, Kube-OVN Vpc, default security
// group. Every child is server-side applied with a deterministic name and a controller
// owner reference, so a crash at any line leaves nothing duplicated, and deleting the
// Project lets the garbage collector take the namespace and everything in it.
import { setCondition } from '../../runtime/conditions.js';
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import { type Child } from '../children.js';
import type { ResourceDescriptor } from '../../runtime/resource.js';
import type { ProjectObject } from '../../kinds/project.js';
import { desiredProjectChildren } from './desired.js';
import { LABELS } from '../../domain/naming.js';
import { Project, SecurityGroup, resourceOf } from '../../kinds/index.js';
import { engines, kube } from '../../kinds/external.js';

export interface ProjectControllerOptions {
  /** Whether Kube-OVN's CRDs are installed (a Vpc per project) — detected at start. */
  kubeOvn: boolean;
}

async function applyAll(ctx: ReconcileContext, children: Array<[ResourceDescriptor, Child]>): Promise<void> {
  await Promise.all(children.map(([resource, child]) => ctx.client.apply(resource, child)));
}

export function projectController(options: ProjectControllerOptions) {
  let builder = controllerFor<ProjectObject>(resourceOf(Project))
    .named('project')
    .owns(kube.namespaces)
    .owns(kube.roleBindings)
    .owns(kube.resourceQuotas)
    .owns(resourceOf(SecurityGroup));
  if (options.kubeOvn) builder = builder.owns(engines.kubeOvnVpcs);

  return builder.reconcile(async (project, ctx) => {
    // Deleting: owner references hand the namespace to the garbage collector.
    if (project.metadata.deletionTimestamp) return;
    const name = project.metadata.name!;
    const desired = desiredProjectChildren(project, options);

    await ctx.client.apply(kube.namespaces, desired.namespace);
    const namespaced: Array<[ResourceDescriptor, Child]> = [
      ...desired.roleBindings.map((rb) => [kube.roleBindings, rb] as [typeof kube.roleBindings, Child]),
      [resourceOf(SecurityGroup), desired.defaultSecurityGroup],
    ];
    if (desired.vpc) namespaced.push([engines.kubeOvnVpcs, desired.vpc]);
    await applyAll(ctx, namespaced);
    // The quota last: until its controller has counted usage, a new quota refuses every
    // create in the namespace ("status unknown"), our default group included.
    const quota = await ctx.client.apply<
      KubeObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } }
    >(kube.resourceQuotas, desired.resourceQuota);
    // Until the quota controller has counted usage for every limit, the namespace refuses
    // creates ("status unknown for quota"): the project is not usable yet.
    const wantedHard = (desired.resourceQuota.spec as { hard: Record<string, string> }).hard;
    const counted = Object.entries(wantedHard).every(
      ([key, value]) => quota.status?.hard?.[key] === value && quota.status.used?.[key] !== undefined,
    );

    // Members removed from the spec: delete their bindings (ours only: label + owner).
    const wanted = new Set(desired.roleBindings.map((rb) => rb.metadata.name));
    const stale = ctx.manager
      .informer(kube.roleBindings)
      .store.byIndex('namespace', name)
      .filter(
        (rb: KubeObject) =>
          rb.metadata?.labels?.[LABELS.project] === name &&
          rb.metadata.ownerReferences?.some((o) => o.uid === project.metadata.uid) &&
          !wanted.has(rb.metadata.name ?? ''),
      );
    await Promise.all(
      stale.map((rb) =>
        ctx.client.delete(kube.roleBindings, rb.metadata!.name!, name, { uid: rb.metadata?.uid }),
      ),
    );

    const generation = project.metadata.generation;
    const conditions = setCondition(
      project.status?.conditions,
      counted
        ? {
            type: 'Ready',
            status: 'True',
            reason: 'Provisioned',
            message: `namespace ${name} and its quota, roles and default security group are in place`,
          }
        : {
            type: 'Ready',
            status: 'False',
            reason: 'QuotaPending',
            message: `waiting for the quota controller to count usage in namespace ${name}`,
          },
      generation,
    );
    await ctx.client.apply(
      resourceOf(Project),
      {
        metadata: { name },
        status: {
          namespace: name,
          ...(desired.vpc ? { vpc: desired.vpc.metadata.name } : {}),
          defaultSecurityGroup: desired.defaultSecurityGroup.metadata.name,
          conditions,
          observedGeneration: generation,
        },
      },
      { subresource: 'status' },
    );
    // The quota's status change also wakes us (owned object); this is the safety net.
    return counted ? undefined : { requeueAfterMs: 1_000 };
  });
}
