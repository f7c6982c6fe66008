// The one way a controller writes its object's status: server-side apply of the whole status
// subresource under the operator's one field manager (so a field left out is removed, and
// nothing else of ours survives by accident), with the Ready condition merged in and
// observedGeneration stamped. A status equal to the one the object already has is not
// written: no request, and no watch event waking every controller that reads the object
// (the Instance bench depends on this — a burst of status-only wake-ups would otherwise cost
// one write each).
import type { KubeClient } from './client.js';
import { setCondition, type Condition, type ConditionInput } from './conditions.js';
import type { ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';
import { ApiError } from './watch.js';

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** What a controller's pure status function answers: the view fields and the Ready condition. */
export interface StatusView {
  status: Record<string, unknown>;
  ready: ConditionInput;
  /**
   * The object can never converge as specified (Ready is False with the reason): the
   * runtime reports it as a TerminalError — Degraded=True too, a Warning event, no retry.
   */
  terminal?: boolean;
}

export type StatusObject = KubeObject & { status?: { conditions?: Condition[] } };

/**
 * The status to write: `status` (the controller's view fields), exactly the given conditions
 * (each keeps its lastTransitionTime when its status did not change; any other condition,
 * such as a Degraded=True from an earlier terminal failure, is dropped: the object has moved
 * on) and observedGeneration — or undefined when that is exactly the status the object has.
 */
export function nextStatus(
  object: StatusObject,
  status: Record<string, unknown>,
  conditions: readonly ConditionInput[],
  now: Date = new Date(),
): Record<string, unknown> | undefined {
  const generation = object.metadata?.generation;
  const current = object.status?.conditions;
  const list = conditions.map(
    (input) =>
      setCondition(
        current?.filter((c) => c.type === input.type),
        input,
        generation,
        now,
      )[0]!,
  );
  const next = { ...status, conditions: list, observedGeneration: generation };
  return object.status && stableJson(next) === stableJson(object.status) ? undefined : next;
}

/**
 * Write `status` and the given conditions (Ready at least) onto `object`, unless nothing
 * would change; answers whether it wrote. A 404 (deleted while we looked) is not an error:
 * nobody is left to tell.
 */
export async function writeStatus(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: StatusObject,
  status: Record<string, unknown>,
  ...conditions: ConditionInput[]
): Promise<boolean> {
  const next = nextStatus(object, status, conditions);
  if (!next) return false;
  try {
    await client.apply(
      resource,
      {
        metadata: { name: object.metadata!.name!, namespace: object.metadata?.namespace },
        status: next,
      },
      { subresource: 'status' },
    );
    return true;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
    return false;
  }
}
