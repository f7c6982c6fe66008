// The finalizer state machine, as kube-rs's `finalizer()`: a controller that must clean up
// outside the API server before its object goes (a cluster-scoped child an owner reference
// cannot reach) supplies `apply` and `cleanup`, and this decides which runs:
//
//   not deleting, our finalizer missing → add it, then apply
//   not deleting, our finalizer present → apply
//   deleting,     our finalizer present → cleanup, then remove our finalizer
//   deleting,     our finalizer missing → nothing (cleanup done, or never needed)
//
// Guarantees: apply never runs on an object being deleted; cleanup runs at least once for
// every object apply ran on (the finalizer is in place before apply first acts), and it may
// run more than once (a crash between cleanup and the finalizer's removal), so it must be
// idempotent; only our finalizer is ever added or removed. Both changes are JSON patches
// that `test` the list first: we never rewrite the whole list, so another controller's
// finalizer added at the same moment is neither lost nor duplicated, and a stale view fails
// the test (422) and the reconcile retries with a fresh one.
import type { KubeClient, JsonPatchOp } from './client.js';
import type { ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';
import { ApiError } from './watch.js';

export const FINALIZER = 'stratus.dev/cleanup';

export function hasFinalizer(object: KubeObject, finalizer = FINALIZER): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

function ref(object: KubeObject): { name: string; namespace?: string } {
  const name = object.metadata?.name;
  if (!name) throw new Error('object has no name');
  return { name, namespace: object.metadata?.namespace };
}

/** Add our finalizer unless present. Returns the updated object. */
async function addFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: T,
  finalizer = FINALIZER,
): Promise<T> {
  if (hasFinalizer(object, finalizer)) return object;
  const current = object.metadata?.finalizers ?? [];
  const patch: JsonPatchOp[] =
    current.length === 0
      ? [
          { op: 'test', path: '/metadata/finalizers', value: null },
          { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
        ]
      : [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
        ];
  const { name, namespace } = ref(object);
  return client.patch<T>(resource, name, namespace, patch, 'json');
}

/** Remove only our finalizer; a gone object counts as done. */
async function removeFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: T,
  finalizer = FINALIZER,
): Promise<T | undefined> {
  const index = object.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return object;
  const patch: JsonPatchOp[] = [
    { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ];
  const { name, namespace } = ref(object);
  try {
    return await client.patch<T>(resource, name, namespace, patch, 'json');
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return undefined;
    throw error;
  }
}

export interface FinalizerHandlers<T extends KubeObject, R> {
  /** Make the world match the object (it carries our finalizer by now). */
  apply(object: T): Promise<R>;
  /** Undo what apply did outside the API server; idempotent. Our finalizer goes once it resolves. */
  cleanup(object: T): Promise<R>;
}

/** Run apply or cleanup for `object` as the table above says; answers what the one that ran answered. */
export async function finalizer<T extends KubeObject, R>(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: T,
  handlers: FinalizerHandlers<T, R>,
  name = FINALIZER,
): Promise<R | undefined> {
  if (object.metadata?.deletionTimestamp) {
    if (!hasFinalizer(object, name)) return undefined;
    const result = await handlers.cleanup(object);
    await removeFinalizer(client, resource, object, name);
    return result;
  }
  return handlers.apply(await addFinalizer(client, resource, object, name));
}
