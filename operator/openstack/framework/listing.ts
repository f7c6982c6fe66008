// Listing, the one way every service does it: attribute filters, sort_key/sort_dir,
// limit/marker paging and the link to the next page. The services differ only in policy,
// which each states where it lists:
//   Nova     marker unknown → 400; limit capped at 1000; `servers_links` [{rel: next}]
//   Neutron  any attribute filters by equality, `fields` picks attributes; marker unknown →
//            an empty page; no limit unless asked; `networks_links` [{rel: next}]
//   Glance   sorted by created_at desc by default; limit 25 by default, capped at 1000;
//            marker unknown → 400; `next` is a relative URL keeping the query
import type { Request } from 'express';
import type { ApiFault } from '../errors.js';

export type Query = Request['query'];

/** A query parameter as text ('' when absent or repeated). */
export const queryText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Every value a query parameter was given (`?tag=a&tag=b` → ['a', 'b']). */
export const queryValues = (value: unknown): string[] =>
  ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === 'string');

/** A view attribute as comparable text: scalars as text; anything else ''. */
export const scalarText = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/** The query parameters that steer a listing rather than filter it. */
export const CONTROL_PARAMS: ReadonlySet<string> = new Set([
  'fields',
  'limit',
  'marker',
  'sort_key',
  'sort_dir',
  'page_reverse',
]);

/**
 * Neutron's filters: every other query parameter names an attribute that must equal one of
 * the values given (case-insensitively; a list attribute must contain one). Parameters
 * that name no attribute are ignored, as Neutron does.
 */
export function matchesAttributes(
  view: Record<string, unknown>,
  query: Query,
  control = CONTROL_PARAMS,
): boolean {
  for (const [key, raw] of Object.entries(query)) {
    if (control.has(key)) continue;
    const value = view[key];
    if (value === undefined) continue;
    const wanted = ([] as unknown[]).concat(raw).map((v) => queryText(v).toLowerCase());
    const actual = (Array.isArray(value) ? (value as unknown[]) : [value]).map((v) =>
      scalarText(v).toLowerCase(),
    );
    if (!wanted.some((w) => actual.includes(w))) return false;
  }
  return true;
}

/** `?fields=a&fields=b,c`: only those attributes (all when none asked). */
export function pickFields<V extends Record<string, unknown>>(view: V, query: Query): Partial<V> {
  const fields = queryValues(query.fields).flatMap((f) => f.split(','));
  if (fields.length === 0) return view;
  return Object.fromEntries(fields.filter((f) => f in view).map((f) => [f, view[f]])) as Partial<V>;
}

export interface SortOrder {
  key: string;
  dir: 'asc' | 'desc';
  /** Breaks ties (ascending), e.g. `id`. */
  tiebreak?: string;
}

/** The sort a query asks for (`sort_key`, `sort_dir`), else `fallback`. */
export function sortOrder(query: Query, fallback: SortOrder): SortOrder {
  const key = queryText(query.sort_key) || fallback.key;
  const dir = queryText(query.sort_dir) || fallback.dir;
  return { ...fallback, key, dir: dir === 'desc' ? 'desc' : 'asc' };
}

export function sortViews<V extends Record<string, unknown>>(views: V[], order: SortOrder): V[] {
  const text = (v: V, key: string) => scalarText(v[key]);
  return [...views].sort((a, b) => {
    const c = text(a, order.key).localeCompare(text(b, order.key));
    const tie = order.tiebreak ? text(a, order.tiebreak).localeCompare(text(b, order.tiebreak)) : 0;
    return (order.dir === 'desc' ? -c : c) || tie;
  });
}

export interface PagePolicy {
  /** Page size when the query names none (default: everything up to maxLimit). */
  defaultLimit?: number;
  maxLimit?: number;
  /** The fault for an unknown marker; without one, an unknown marker gives an empty page. */
  missingMarker?: (marker: string) => ApiFault;
}

export interface Page<T> {
  items: T[];
  /** The marker of the next page, when there is one. */
  next?: string;
  markerMissing: boolean;
}

/** One page of `items` after `marker`, at most `limit` long. */
export function paginate<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  query: { marker?: unknown; limit?: unknown },
  policy: PagePolicy = {},
): Page<T> {
  let start = 0;
  const marker = queryText(query.marker);
  if (marker) {
    const index = items.findIndex((i) => idOf(i) === marker);
    if (index < 0) {
      if (policy.missingMarker) throw policy.missingMarker(marker);
      return { items: [], markerMissing: true };
    }
    start = index + 1;
  }
  const asked = queryText(query.limit);
  const max = policy.maxLimit ?? Infinity;
  const limit = /^\d+$/.test(asked) ? Math.min(Number(asked), max) : (policy.defaultLimit ?? max);
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length && slice.length > 0;
  return { items: slice, markerMissing: false, ...(more ? { next: idOf(slice.at(-1)!) } : {}) };
}

/**
 * The link to the next page: `path?<kept parameters>&marker=<next>`. `keep` names the query
 * parameters carried over ('all': every one but marker).
 */
export function nextHref(
  path: string,
  query: Query,
  marker: string,
  keep: 'all' | readonly string[],
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'marker' || (keep !== 'all' && !keep.includes(key))) continue;
    for (const v of queryValues(value)) params.append(key, v);
  }
  params.append('marker', marker);
  return `${path}?${params.toString()}`;
}

/** Nova's and Neutron's `<collection>_links`, present only when there is a next page. */
export function collectionLinks(collection: string, href: string | undefined): Record<string, unknown> {
  return href ? { [`${collection}_links`]: [{ rel: 'next', href }] } : {};
}

export interface ListOptions<V> {
  /** Keep a view (besides Neutron's attribute filters, when `attributeFilters`). */
  filter?: (view: V) => boolean;
  attributeFilters?: boolean;
  /** Sorted by the query's sort_key/sort_dir, else this; absent: kept in order. */
  sort?: SortOrder;
  page?: PagePolicy;
}

/** Filter, sort and page views (objects with an `id`), as the options say. */
export function listViews<V extends Record<string, unknown> & { id: string }>(
  views: readonly V[],
  query: Query,
  options: ListOptions<V>,
): Page<V> {
  let items = views.filter((v) => (options.attributeFilters ? matchesAttributes(v, query) : true));
  if (options.filter) items = items.filter(options.filter);
  if (options.sort) items = sortViews(items, sortOrder(query, options.sort));
  return paginate(items, (v) => v.id, query, options.page);
}
