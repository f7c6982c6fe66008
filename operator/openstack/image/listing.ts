// GET /v2/images: Glance's filters (attributes, tags, visibility, os_hidden), sort_key and
// sort_dir (default newest first), and paging by limit (25 by default, at most 1000) and
// marker, with a `next` link carrying the same query. Pure: it lists rendered views.
import { queryText } from '../common.js';
import { badRequest } from '../errors.js';
import type { ImageView } from './views/image.js';

export type ImageQuery = Record<string, unknown>;

const EXACT_FILTERS = ['name', 'status', 'disk_format', 'container_format', 'owner', 'checksum'] as const;

/** The images a query asks for. Community images only when asked for; hidden ones likewise. */
export function filterImages(images: readonly ImageView[], query: ImageQuery): ImageView[] {
  const text = (key: string) => queryText(query[key]) || undefined;
  const hidden = text('os_hidden') === 'true';
  let kept = images.filter((i) => i.os_hidden === hidden);
  const visibility = text('visibility');
  if (visibility && visibility !== 'all') kept = kept.filter((i) => i.visibility === visibility);
  else if (!visibility) kept = kept.filter((i) => i.visibility !== 'community');
  for (const key of EXACT_FILTERS) {
    const wanted = text(key);
    if (wanted !== undefined) kept = kept.filter((i) => String(i[key] ?? '') === wanted);
  }
  const protectedOnly = text('protected');
  if (protectedOnly) kept = kept.filter((i) => String(i.protected) === protectedOnly);
  const wantedTags = ([] as unknown[]).concat(query.tag ?? []).map(String);
  if (wantedTags.length) kept = kept.filter((i) => wantedTags.every((t) => i.tags.includes(t)));
  return kept;
}

/** Sorted by sort_key (any attribute, compared as text) and sort_dir, then by id. */
export function sortImages(images: ImageView[], query: ImageQuery): ImageView[] {
  const sortKey = (queryText(query.sort_key) || 'created_at') as keyof ImageView;
  const desc = (queryText(query.sort_dir) || 'desc') === 'desc';
  return images.sort((a, b) => {
    const x = String(a[sortKey] ?? '');
    const y = String(b[sortKey] ?? '');
    return (desc ? y.localeCompare(x) : x.localeCompare(y)) || a.id.localeCompare(b.id);
  });
}

/** The list body: one page, and `next` (the same query from the page's last id) if more. */
export function listImages(images: readonly ImageView[], query: ImageQuery) {
  const sorted = sortImages(filterImages(images, query), query);
  let start = 0;
  const marker = queryText(query.marker);
  if (marker) {
    const index = sorted.findIndex((i) => i.id === marker);
    if (index < 0) throw badRequest(`marker ${marker} could not be found.`);
    start = index + 1;
  }
  const limitText = queryText(query.limit);
  const limit = /^\d+$/.test(limitText) ? Math.min(Number(limitText), 1000) : 25;
  const slice = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'marker') for (const v of ([] as unknown[]).concat(value)) params.append(key, String(v));
  }
  if (more) params.set('marker', slice.at(-1)!.id);
  return {
    images: slice,
    first: '/v2/images',
    schema: '/v2/schemas/images',
    ...(more ? { next: `/v2/images?${params.toString()}` } : {}),
  };
}
