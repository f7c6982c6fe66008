// What the kind rules share: the created-by stamp, quotas, and refusing the deletion of an
// object others use. Every namespaced kind's admission is built by `projectKindAdmission`,
// so the stamp and its immutability are applied the same way everywhere.
import type { Denial, JsonPatchOperation } from '../admission.js';
import { kindAdmission, type AdmissionContext, type KindAdmission } from '../context.js';
import { CREATED_BY } from '../../operator/domain/naming.js';
import type { KindDefinition, KindObject } from '../../operator/kinds/kind.js';
import { Project, type ProjectObject } from '../../operator/kinds/project.js';
import { nounOf } from './nouns.js';

export function nameOf(object: { metadata?: { name?: string } }): string {
  return object.metadata?.name ?? '';
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

/** A CREATE or UPDATE of a kind's object: the object and its spec are there. */
export type WriteContext<D extends KindDefinition> = AdmissionContext<D> & { object: KindObject<D> };

type Rules<D extends KindDefinition> = (ctx: WriteContext<D>) => Promise<Denial[]> | Denial[];

/**
 * The admission of a kind that lives in a project's namespace: the creator is stamped on
 * CREATE and may not change afterwards (checked before the kind's own rules, so its denial
 * comes first), then `validate` runs on CREATE and UPDATE. With `validateDelete`, DELETE is
 * intercepted too (to refuse deleting what is in use); `mutate` adds defaults after the stamp.
 * The kind's own rules see the object's spec as the schema types it.
 */
export function projectKindAdmission<D extends KindDefinition>(
  kind: D,
  rules: {
    validate?: Rules<D>;
    validateDelete?: (ctx: AdmissionContext<D>) => Promise<Denial[]> | Denial[];
    mutate?: (ctx: WriteContext<D>) => Promise<JsonPatchOperation[]>;
  },
): KindAdmission<D> {
  return kindAdmission(kind, {
    operations: rules.validateDelete ? ['CREATE', 'UPDATE', 'DELETE'] : ['CREATE', 'UPDATE'],
    async mutate(ctx) {
      const patch = stampCreator(ctx);
      if (rules.mutate && ctx.object?.spec) patch.push(...(await rules.mutate(ctx as WriteContext<D>)));
      return patch;
    },
    async validate(ctx) {
      if (ctx.operation === 'DELETE') return rules.validateDelete ? rules.validateDelete(ctx) : [];
      const denials = creatorUnchanged(ctx);
      // The apiserver validated the object against the schema (spec is required); a review
      // without one is malformed and has nothing for the kind's rules to check.
      if (rules.validate && ctx.object?.spec) denials.push(...(await rules.validate(ctx as WriteContext<D>)));
      return denials;
    },
  });
}

export type QuotaKey = keyof ProjectObject['spec']['quota'];

/** The quota of the project that owns the request's namespace, if it is a project. */
export async function projectQuota(
  ctx: AdmissionContext,
): Promise<Partial<Record<QuotaKey, number>> | undefined> {
  if (!ctx.namespace) return undefined;
  const project = await ctx.lookup.get(Project, undefined, ctx.namespace);
  return project?.spec?.quota;
}

export interface QuotaCheck {
  key: QuotaKey;
  /** The unit the message counts in, e.g. "vCPUs". */
  unit: string;
  used: number;
  requested: number;
  /** The field the denial names. */
  field: string;
}

/**
 * Refuse when `used + requested` exceeds `quota[key]` (-1 or absent: unlimited). Messages
 * name the numbers so the tenant sees how far over they are.
 */
export function checkQuota(
  quota: Partial<Record<QuotaKey, number>> | undefined,
  check: QuotaCheck,
  namespace: string | undefined,
): Denial | undefined {
  const { key, unit, used, requested, field } = check;
  const limit = quota?.[key];
  if (limit === undefined || limit < 0 || requested <= 0 || used + requested <= limit) return undefined;
  return {
    field,
    code: 403,
    message: `exceeds the quota of project "${namespace}": quota.${key} is ${limit} ${unit}, ${used} in use, this needs ${requested} more; free some up or ask an admin to raise spec.quota.${key} on Project ${namespace}`,
  };
}

/** The denials of several quota checks against the project's quota, read once. */
export async function quotaDenials(ctx: AdmissionContext, checks: QuotaCheck[]): Promise<Denial[]> {
  const quota = await projectQuota(ctx);
  return checks.flatMap((check) => checkQuota(quota, check, ctx.namespace) ?? []);
}

/** Other objects of a kind in the namespace (the one being admitted and those going away excluded). */
export async function others<D extends KindDefinition>(
  ctx: AdmissionContext,
  kind: D,
): Promise<KindObject<D>[]> {
  const all = await ctx.lookup.list(kind, ctx.namespace);
  return all.filter((o) => nameOf(o) !== ctx.name && !o.metadata?.deletionTimestamp);
}

/** One kind of user of the object being deleted: which of its objects use it. */
export interface Use<D extends KindDefinition = KindDefinition> {
  kind: D;
  uses(object: KindObject<D>): boolean;
  /** How the use reads after the user's name, e.g. "(as remoteGroup)". */
  as?: string;
}

/** A Use with its object type inferred from the kind. */
export function use<D extends KindDefinition>(
  kind: D,
  uses: (object: KindObject<D>) => boolean,
  as?: string,
): Use<D> {
  return { kind, uses, as };
}

/**
 * The objects that use the one being deleted, as `instance "web-1"`: each kind listed (side
 * by side) in `namespace` (the request's by default; undefined for every namespace), named
 * with its namespace when `qualified`.
 */
export async function usersOf(
  ctx: AdmissionContext,
  uses: Use[],
  options: { namespace?: string; qualified?: boolean } = {},
): Promise<string[]> {
  const namespace = 'namespace' in options ? options.namespace : ctx.namespace;
  const lists = await Promise.all(uses.map((u) => ctx.lookup.list(u.kind, namespace)));
  return uses.flatMap((u, i) =>
    lists[i]!.filter((o) => u.uses(o)).map((o) => {
      const name = options.qualified ? `${o.metadata?.namespace}/${nameOf(o)}` : nameOf(o);
      return `${nounOf(u.kind)} "${name}"${u.as ? ` ${u.as}` : ''}`;
    }),
  );
}

/** A 409 for deleting the request's object while it is in use, naming the users. */
export function inUse(ctx: AdmissionContext, users: string[], fix: string): Denial[] {
  if (users.length === 0) return [];
  const list = users.slice(0, 5).join(', ') + (users.length > 5 ? ` and ${users.length - 5} more` : '');
  return [
    {
      field: 'metadata.name',
      code: 409,
      message: `${nounOf(ctx.kind)} "${ctx.name}" is in use by ${list}; ${fix}`,
    },
  ];
}
