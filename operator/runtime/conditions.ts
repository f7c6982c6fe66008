// Conditions in the standard Kubernetes shape. Pure: the reconciler computes the new list and
// applies it with the status. lastTransitionTime moves only when the status really changes,
// so `kubectl wait` and dashboards see real transitions, not every reconcile.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

/** Set (add or update) one condition; returns a new list, the others untouched. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    ...input,
    lastTransitionTime:
      previous && previous.status === input.status
        ? previous.lastTransitionTime
        : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the object's Ready condition is True for its current generation. */
export function isReady(object: {
  metadata?: { generation?: number };
  status?: { conditions?: Condition[] };
}): boolean {
  const ready = findCondition(object.status?.conditions, 'Ready');
  return (
    ready?.status === 'True' &&
    (ready.observedGeneration === undefined || ready.observedGeneration === object.metadata?.generation)
  );
}
