// Project → Namespace, member RoleBindings, ResourceQuota, Kube-OVN Vpc, default security
// group. Every child is server-side applied with a deterministic name and a controller
// owner reference, so a crash at any line leaves nothing duplicated, and deleting the
// Project lets the garbage collector take the namespace and everything in it.
//
// Nothing to resolve; desired: desiredProjectChildren; apply (stale member bindings
// deleted); status: projectStatus.
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import { type Child } from '../children.js';
import type { ResourceDescriptor } from '../../runtime/resource.js';
import type { ProjectObject } from '../../kinds/project.js';
import {
  desiredProjectChildren,
  projectStatus,
  quotaCounted,
  type ProjectChildren,
  type QuotaObservation,
} from './desired.js';
import { LABELS } from '../../domain/naming.js';
import { Project, SecurityGroup, resourceOf } from '../../kinds/index.js';
import { engines, kube } from '../../kinds/external.js';

export interface ProjectControllerOptions {
  /** Whether Kube-OVN's CRDs are installed (a Vpc per project) — detected at start. */
  kubeOvn: boolean;
}

/** Members removed from the spec: delete their bindings (ours only: label and owner). */
async function deleteStaleBindings(
  project: ProjectObject,
  desired: ProjectChildren,
  ctx: ReconcileContext,
): Promise<void> {
  const name = project.metadata.name!;
  const wanted = new Set(desired.roleBindings.map((rb) => rb.metadata.name));
  const stale = ctx.manager
    .informer(kube.roleBindings)
    .store.list({ namespace: name, labels: { [LABELS.project]: name } })
    .filter(
      (rb: KubeObject) =>
        rb.metadata?.ownerReferences?.some((o) => o.uid === project.metadata.uid) &&
        !wanted.has(rb.metadata.name ?? ''),
    );
  await Promise.all(
    stale.map((rb) =>
      ctx.client.delete(kube.roleBindings, rb.metadata!.name!, name, { uid: rb.metadata?.uid }),
    ),
  );
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
    const desired = desiredProjectChildren(project, options);

    await ctx.client.apply(kube.namespaces, desired.namespace);
    const namespaced: Array<[ResourceDescriptor, Child]> = [
      ...desired.roleBindings.map((rb): [ResourceDescriptor, Child] => [kube.roleBindings, rb]),
      [resourceOf(SecurityGroup), desired.defaultSecurityGroup],
    ];
    if (desired.vpc) namespaced.push([engines.kubeOvnVpcs, desired.vpc]);
    await Promise.all(namespaced.map(([resource, child]) => ctx.client.apply(resource, child)));
    // The quota last: until its controller has counted usage, a new quota refuses every
    // create in the namespace ("status unknown"), our default group included.
    const quota = await ctx.client.apply<KubeObject & QuotaObservation>(
      kube.resourceQuotas,
      desired.resourceQuota,
    );
    const counted = quotaCounted(desired.resourceQuota, quota);
    await deleteStaleBindings(project, desired, ctx);

    await ctx.status(project, projectStatus(project, desired, counted));
    // The quota's status change also wakes us (owned object); this is the safety net.
    return counted ? undefined : { requeueAfterMs: 1_000 };
  });
}
