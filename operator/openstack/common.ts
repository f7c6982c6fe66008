// Small rules the services share: object names for things OpenStack names freely,
// OpenStack's timestamps, and the creator of an object.
import { DNS_LABEL } from '../kinds/meta.js';
import type { KubeObject } from '../runtime/store.js';
import { CREATED_BY, userOfSubject } from '../domain/naming.js';
import type { ApiCache } from './cache.js';
import { User } from '../kinds/index.js';

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

/** The Keystone id of the user who created `object`, else the stamp itself ('' if none). */
export function creatorId(deps: { cache: ApiCache }, object: KubeObject): string {
  const stamp = object.metadata?.annotations?.[CREATED_BY] ?? '';
  const userName = userOfSubject(stamp);
  if (userName === undefined) return stamp;
  const user = deps.cache.get(User, userName);
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
