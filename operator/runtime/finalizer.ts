// Our finalizer, added and removed with JSON patches that `test` the list first (as
// kube-rs does): we never rewrite the whole list, so another controller's finalizer added
// at the same moment is neither lost nor duplicated; a stale view fails the test (422) and
// the reconcile retries with a fresh one.
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
export async function addFinalizer<T extends KubeObject>(
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
export async function removeFinalizer<T extends KubeObject>(
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
