// What the runtime needs to know about a kind to talk to the apiserver: its group, version
// and plural (the URL), its kind (to stamp list items, which arrive without one) and whether
// it lives in namespaces. Discovery could tell us this, but the operator knows its kinds
// ahead of time, and a static descriptor keeps start-up free of extra round trips.

export interface ResourceDescriptor {
  /** API group; '' for the core group (ConfigMap, Secret, Namespace...). */
  group: string;
  version: string;
  /** Lower-case plural as in the URL: `configmaps`, `instances`. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** `v1` for the core group, `group/version` otherwise: the objects' `apiVersion`. */
export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/**
 * A stable name for the resource in logs and metric labels, in kubectl's fully qualified
 * form `plural.version.group` (`configmaps.v1`, `instances.v1alpha1.stratus.dev`).
 */
export function resourceName(resource: ResourceDescriptor): string {
  return [resource.plural, resource.version, resource.group].filter(Boolean).join('.');
}

/**
 * The collection URL path. A namespaced resource without a namespace means "across all
 * namespaces" (`/api/v1/configmaps`), which is what a cluster-wide informer lists.
 */
export function collectionPath(resource: ResourceDescriptor, namespace?: string): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  if (namespace !== undefined && !resource.namespaced) {
    throw new Error(`${resourceName(resource)} is cluster-scoped; it has no namespace ${namespace}`);
  }
  const scope = namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${resource.plural}`;
}

/** The URL path of one object. */
export function objectPath(resource: ResourceDescriptor, name: string, namespace?: string): string {
  if (resource.namespaced && namespace === undefined) {
    throw new Error(`${resourceName(resource)} is namespaced; ${name} needs a namespace`);
  }
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
}
