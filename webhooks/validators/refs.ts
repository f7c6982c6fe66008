// Reference checks shared by the kind rules: the object exists and the tenant may see it.
// One lookup per kind of reference (own namespace, shared namespace, cluster); messages say
// what is missing, where we looked, and how to fix it.
import type { Denial } from '../admission.js';
import type { AdmissionContext } from '../context.js';
import type { KindDefinition, KindObject } from '../../operator/kinds/kind.js';
import { nounOf } from './nouns.js';

/** A reference that may name the shared namespace (the kinds' `sharedRef` schema). */
export interface SharedRef {
  name: string;
  namespace?: string;
}

/** The object a reference names, or why it may not be used. */
export interface RefResult<D extends KindDefinition> {
  object?: KindObject<D>;
  denial?: Denial;
}

function missing(field: string, kind: KindDefinition, name: string, namespace: string): Denial {
  return {
    field,
    message: `${nounOf(kind)} "${name}" does not exist in namespace "${namespace}"; create it first (kubectl get ${kind.plural} -n ${namespace} lists what exists)`,
  };
}

/** An object in the request's own namespace. */
export async function localRef<D extends KindDefinition>(
  ctx: AdmissionContext,
  field: string,
  kind: D,
  name: string,
): Promise<RefResult<D>> {
  const namespace = ctx.namespace ?? '';
  const object = await ctx.lookup.get(kind, namespace, name);
  return object ? { object } : { denial: missing(field, kind, name, namespace) };
}

/**
 * An object in the request's namespace, or in the shared namespace when the reference
 * names it; `visible` says why a shared object may not be used by every tenant (undefined:
 * it may).
 */
export async function sharedRef<D extends KindDefinition>(
  ctx: AdmissionContext,
  field: string,
  kind: D,
  ref: SharedRef,
  visible: (object: KindObject<D>) => string | undefined = () => undefined,
): Promise<RefResult<D>> {
  const own = ctx.namespace ?? '';
  const shared = ctx.settings.publicNamespace;
  const namespace = ref.namespace ?? own;
  const what = nounOf(kind);
  if (namespace !== own && namespace !== shared) {
    return {
      denial: {
        field: `${field}.namespace`,
        code: 403,
        message: `may only be this project's namespace "${own}" or the shared namespace "${shared}"; ${what}s of other projects are not visible`,
      },
    };
  }
  const object = await ctx.lookup.get(kind, namespace, ref.name);
  if (!object) return { denial: missing(`${field}.name`, kind, ref.name, namespace) };
  const why = namespace === shared && namespace !== own ? visible(object) : undefined;
  if (why) {
    return {
      denial: { field: `${field}.name`, code: 403, message: `${what} "${ref.name}" in "${shared}" ${why}` },
    };
  }
  return { object };
}

/** A cluster-scoped object (Flavor, Project, User). */
export async function clusterRef<D extends KindDefinition>(
  ctx: AdmissionContext,
  field: string,
  kind: D,
  name: string,
): Promise<RefResult<D>> {
  const object = await ctx.lookup.get(kind, undefined, name);
  if (object) return { object };
  return {
    denial: {
      field,
      message: `${nounOf(kind)} "${name}" does not exist (kubectl get ${kind.plural} lists what exists)`,
    },
  };
}

/** Collect the denials of several checks run side by side. */
export async function denialsOf(checks: Array<Promise<{ denial?: Denial }>>): Promise<Denial[]> {
  return (await Promise.all(checks)).flatMap((c) => (c.denial ? [c.denial] : []));
}
