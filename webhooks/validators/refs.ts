// Reference checks shared by the kind rules: the object exists and the tenant may see it.
// Messages say what is missing, where we looked, and how to fix it.
import type { Denial, KubeObject } from '../admission.js';
import type { AdmissionContext } from '../context.js';

export interface SharedRef {
  name: string;
  namespace?: string;
}

/** An object in the request's own namespace. */
export async function localRef(
  ctx: AdmissionContext,
  field: string,
  plural: string,
  what: string,
  name: string,
): Promise<{ object?: KubeObject; denial?: Denial }> {
  const namespace = ctx.namespace ?? '';
  const object = await ctx.lookup.get(plural, namespace, name);
  if (object) return { object };
  return {
    denial: {
      field,
      message: `${what} "${name}" does not exist in namespace "${namespace}"; create it first (kubectl get ${plural} -n ${namespace} lists what exists)`,
    },
  };
}

/**
 * An object in the request's namespace, or in the shared namespace when the reference
 * names it; `visible` says whether a shared object may be used by every tenant.
 */
export async function sharedRef(
  ctx: AdmissionContext,
  field: string,
  plural: string,
  what: string,
  ref: SharedRef,
  visible: (object: KubeObject) => string | undefined,
): Promise<{ object?: KubeObject; denial?: Denial }> {
  const own = ctx.namespace ?? '';
  const shared = ctx.settings.publicNamespace;
  const namespace = ref.namespace ?? own;
  if (namespace !== own && namespace !== shared) {
    return {
      denial: {
        field: `${field}.namespace`,
        code: 403,
        message: `may only be this project's namespace "${own}" or the shared namespace "${shared}"; ${what}s of other projects are not visible`,
      },
    };
  }
  const object = await ctx.lookup.get(plural, namespace, ref.name);
  if (!object) {
    return {
      denial: {
        field: `${field}.name`,
        message: `${what} "${ref.name}" does not exist in namespace "${namespace}"; create it first (kubectl get ${plural} -n ${namespace} lists what exists)`,
      },
    };
  }
  if (namespace === shared && namespace !== own) {
    const why = visible(object);
    if (why)
      return {
        denial: { field: `${field}.name`, code: 403, message: `${what} "${ref.name}" in "${shared}" ${why}` },
      };
  }
  return { object };
}

/** A cluster-scoped object (Flavor, Project, User). */
export async function clusterRef(
  ctx: AdmissionContext,
  field: string,
  plural: string,
  what: string,
  name: string,
): Promise<{ object?: KubeObject; denial?: Denial }> {
  const object = await ctx.lookup.get(plural, undefined, name);
  if (object) return { object };
  return {
    denial: { field, message: `${what} "${name}" does not exist (kubectl get ${plural} lists what exists)` },
  };
}

/** Collect the denials of several checks run side by side. */
export async function denialsOf(checks: Array<Promise<{ denial?: Denial }>>): Promise<Denial[]> {
  return (await Promise.all(checks)).flatMap((c) => (c.denial ? [c.denial] : []));
}
