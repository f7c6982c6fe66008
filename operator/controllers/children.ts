// The shape of the child objects controllers apply, and the owner reference that ties each to its parent.

/** A child object ready for server-side apply. */
export interface Child {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** The controller owner reference to `owner`, so garbage collection follows the owner. */
export function controllerRef(owner: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string };
}): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a child named `name` in its owner's namespace, labelled, with the controller reference. */
export function ownedMetadata(
  owner: {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; uid?: string };
  },
  name: string,
  labels: Record<string, string>,
): Child['metadata'] & { ownerReferences: OwnerReference[] } {
  return {
    name,
    ...(owner.metadata?.namespace ? { namespace: owner.metadata.namespace } : {}),
    labels,
    ownerReferences: [controllerRef(owner)],
  };
}
