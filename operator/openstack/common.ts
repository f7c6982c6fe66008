// Helpers the Nova, Glance and Neutron handlers share: access checks before serving from the
// cache, object names for things OpenStack names freely, and the creator of an object.
import type { UserObject } from '../kinds/user.js';
import { DNS_LABEL } from '../kinds/meta.js';
import type { KubeClient } from '../runtime/client.js';
import type { ResourceDescriptor } from '../runtime/resource.js';
import type { KubeObject } from '../runtime/store.js';
import { ApiError } from '../runtime/watch.js';
import type { ApiDeps, ScopedSession } from './context.js';
import { forbidden } from './errors.js';
import type { AccessQuery } from './impersonation.js';
import { CREATED_BY, userOfSubject } from '../domain/naming.js';

/** Throw 403 unless RBAC lets the caller do `query`. */
export async function authorize(deps: ApiDeps, session: ScopedSession, query: AccessQuery): Promise<void> {
  if (!(await deps.impersonation.can(session.userName, query))) {
    const where = query.namespace ? ` in project ${session.project.metadata.name}` : '';
    throw forbidden(`Policy does not allow ${query.verb} of ${query.resource}${where} for this user.`);
  }
}

/**
 * The namespaces whose `resource` the caller may list: the project's own and, for shared
 * kinds (images, networks), the public namespace. Refuses (403) when not even the project's.
 */
export async function readableNamespaces(
  deps: ApiDeps,
  session: ScopedSession,
  resource: string,
  shared: boolean,
): Promise<string[]> {
  await authorize(deps, session, { verb: 'list', resource, namespace: session.namespace });
  const namespaces = [session.namespace];
  const publicNs = deps.config.STRATUS_PUBLIC_NAMESPACE;
  if (shared && publicNs !== session.namespace) {
    if (await deps.impersonation.can(session.userName, { verb: 'list', resource, namespace: publicNs })) {
      namespaces.push(publicNs);
    }
  }
  return namespaces;
}

/** A DNS label made from free text (`My Server #1` → `my-server-1`), or `fallback`. */
export function toDnsLabel(text: string | undefined, fallback: string, max = 50): string {
  const label = (text ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
  return label && DNS_LABEL.test(label) ? label : fallback;
}

/**
 * Create an object named after its OpenStack name when that name is free (what a kubectl
 * user would have picked), else with a generated suffix: OpenStack names repeat, object
 * names cannot.
 */
export async function createNamed<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: KubeObject & { metadata: { namespace?: string } },
  preferred: string,
): Promise<T> {
  try {
    return await client.create<T>(resource, {
      ...object,
      metadata: { ...object.metadata, name: preferred },
    } as T);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 409 && error.reason === 'AlreadyExists')) throw error;
  }
  return client.create<T>(resource, {
    ...object,
    metadata: { ...object.metadata, generateName: `${preferred.slice(0, 57)}-` },
  } as T);
}

/** The Keystone id of the user who created `object`, else the stamp itself ('' if none). */
export function creatorId(deps: ApiDeps, object: KubeObject): string {
  const stamp = object.metadata?.annotations?.[CREATED_BY] ?? '';
  const userName = userOfSubject(stamp);
  if (userName === undefined) return stamp;
  const user = deps.cache.get<UserObject>('users', userName);
  return user?.metadata.uid ?? stamp;
}

/** `2012-08-20T21:11:09Z`: OpenStack's timestamp format (no fractions). */
export function isoSeconds(time: string | Date | undefined): string | null {
  if (!time) return null;
  const date = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The latest condition transition: the closest thing to `updated_at` an object has. */
export function updatedAt(
  object: KubeObject & { status?: { conditions?: Array<{ lastTransitionTime?: string }> } },
) {
  const times = (object.status?.conditions ?? [])
    .map((c) => c.lastTransitionTime ?? '')
    .filter(Boolean)
    .sort();
  return isoSeconds(times[times.length - 1] ?? object.metadata?.creationTimestamp);
}

/** A query parameter as text ('' when absent or repeated). */
export const queryText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Paging as OpenStack does it: `marker` (the last id of the previous page) and `limit`. */
export function page<T>(items: T[], idOf: (item: T) => string, marker: unknown, limit: unknown, max = 1000) {
  let start = 0;
  if (typeof marker === 'string' && marker) {
    const index = items.findIndex((i) => idOf(i) === marker);
    if (index < 0) return { items: [], markerMissing: true, more: false };
    start = index + 1;
  }
  const n = typeof limit === 'string' && /^\d+$/.test(limit) ? Math.min(Number(limit), max) : max;
  const slice = items.slice(start, start + n);
  return { items: slice, markerMissing: false, more: start + n < items.length };
}
