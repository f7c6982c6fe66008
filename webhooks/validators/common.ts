// Helpers the kind rules share: typed access to specs, address arithmetic, quotas, and the
// created-by stamp.
import { BlockList, isIP } from 'node:net';
import type { Denial, JsonPatchOperation, KubeObject } from '../admission.js';
import type { AdmissionContext } from '../context.js';
import { CREATED_BY } from '../../operator/domain/naming.js';

/** The spec of an object as the kind's type (the apiserver validated it against the schema). */
export function specOf<S>(object: KubeObject | undefined): S | undefined {
  return (object as { spec?: S } | undefined)?.spec;
}

export function statusOf<S>(object: KubeObject | undefined): S | undefined {
  return (object as { status?: S } | undefined)?.status;
}

export function nameOf(object: KubeObject): string {
  return object.metadata?.name ?? '';
}

const familyOf = (ip: string): 'ipv4' | 'ipv6' | undefined =>
  isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : undefined;

/** Whether `ip` lies inside `cidr` (same family; false for malformed input). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [network, length] = cidr.split('/');
  const family = familyOf(network ?? '');
  if (!family || familyOf(ip) !== family) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network!, Number(length), family);
  } catch {
    return false;
  }
  return list.check(ip, family);
}

/** Whether two CIDRs share any address: one contains the other's network address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const networkOf = (cidr: string): string => cidr.split('/')[0] ?? '';
  return cidrContains(a, networkOf(b)) || cidrContains(b, networkOf(a));
}

/**
 * Stamp the creator from the authenticated request, overwriting anything the client sent,
 * so the stamp cannot be forged.
 */
export function stampCreator(ctx: AdmissionContext): JsonPatchOperation[] {
  if (ctx.operation !== 'CREATE' || !ctx.object || !ctx.username) return [];
  const annotations = ctx.object.metadata?.annotations;
  if (!annotations)
    return [{ op: 'add', path: '/metadata/annotations', value: { [CREATED_BY]: ctx.username } }];
  return [{ op: 'add', path: `/metadata/annotations/${CREATED_BY.replace('/', '~1')}`, value: ctx.username }];
}

/** Refuse changing the creator stamp after creation. */
export function creatorUnchanged(ctx: AdmissionContext): Denial[] {
  if (ctx.operation !== 'UPDATE') return [];
  const before = ctx.oldObject?.metadata?.annotations?.[CREATED_BY];
  const after = ctx.object?.metadata?.annotations?.[CREATED_BY];
  if (before === after) return [];
  return [
    {
      field: `metadata.annotations[${CREATED_BY}]`,
      code: 403,
      message: 'records who created the object and cannot be changed',
    },
  ];
}

export type Quota = Record<string, number | undefined>;

/** The quota of the project that owns the request's namespace, if it is a project. */
export async function projectQuota(ctx: AdmissionContext): Promise<Quota | undefined> {
  if (!ctx.namespace) return undefined;
  const project = await ctx.lookup.get('projects', undefined, ctx.namespace);
  return specOf<{ quota?: Quota }>(project)?.quota;
}

/**
 * Refuse when `used + requested` exceeds `quota[key]` (-1 or absent: unlimited). Messages
 * name the numbers so the tenant sees how far over they are.
 */
export function checkQuota(
  quota: Quota | undefined,
  key: string,
  unit: string,
  used: number,
  requested: number,
  field: string,
  namespace: string | undefined,
): Denial | undefined {
  const limit = quota?.[key];
  if (limit === undefined || limit < 0 || requested <= 0 || used + requested <= limit) return undefined;
  return {
    field,
    code: 403,
    message: `exceeds the quota of project "${namespace}": quota.${key} is ${limit} ${unit}, ${used} in use, this needs ${requested} more; free some up or ask an admin to raise spec.quota.${key} on Project ${namespace}`,
  };
}

/** Other objects of a kind in the namespace (the one being admitted excluded). */
export async function others(ctx: AdmissionContext, plural: string): Promise<KubeObject[]> {
  const all = await ctx.lookup.list(plural, ctx.namespace);
  return all.filter((o) => nameOf(o) !== ctx.name && !o.metadata?.deletionTimestamp);
}

/** A 409 for deleting something still in use, naming the users. */
export function inUse(what: string, users: string[], fix: string): Denial[] {
  if (users.length === 0) return [];
  const list = users.slice(0, 5).join(', ') + (users.length > 5 ? ` and ${users.length - 5} more` : '');
  return [{ field: 'metadata.name', code: 409, message: `${what} is in use by ${list}; ${fix}` }];
}
