// GET /v2/images as Glance lists: its filters (attributes, tags, visibility, os_hidden), then
// the framework's listing with Glance's policy — sorted by created_at, newest first, unless
// sort_key/sort_dir say otherwise; 25 a page by default, at most 1000; an unknown marker is
// 400; `next` is a relative URL keeping the query. Pure: it lists rendered views.
import { badRequest } from '../errors.js';
import { listViews, nextHref, queryText, queryValues, type Query } from '../framework/listing.js';
import type { ImageView } from './views/image.js';

const EXACT_FILTERS = ['name', 'status', 'disk_format', 'container_format', 'owner', 'checksum'] as const;

/** Whether a view is one the query asks for. Community and hidden images only when asked for. */
export function imageFilter(query: Query): (image: ImageView) => boolean {
  const text = (key: string) => queryText(query[key]) || undefined;
  const hidden = text('os_hidden') === 'true';
  const visibility = text('visibility');
  const exact = EXACT_FILTERS.flatMap((key) => {
    const wanted = text(key);
    return wanted === undefined ? [] : [{ key, wanted }];
  });
  const protectedOnly = text('protected');
  const tags = queryValues(query.tag);
  return (image) =>
    image.os_hidden === hidden &&
    (visibility
      ? visibility === 'all' || image.visibility === visibility
      : image.visibility !== 'community') &&
    exact.every(({ key, wanted }) => String(image[key] ?? '') === wanted) &&
    (!protectedOnly || String(image.protected) === protectedOnly) &&
    tags.every((t) => image.tags.includes(t));
}

/** The list body: one page, and `next` when there is more. */
export function listImages(images: readonly ImageView[], query: Query) {
  const page = listViews(images, query, {
    filter: imageFilter(query),
    sort: { key: 'created_at', dir: 'desc', tiebreak: 'id' },
    page: {
      defaultLimit: 25,
      maxLimit: 1000,
      missingMarker: (marker) => badRequest(`marker ${marker} could not be found.`),
    },
  });
  return {
    images: page.items,
    first: '/v2/images',
    schema: '/v2/schemas/images',
    ...(page.next ? { next: nextHref('/v2/images', query, page.next, 'all') } : {}),
  };
}
