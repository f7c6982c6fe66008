// PUT and DELETE /v2/images/{id}/tags/{tag}: one tag at a time (a JSON patch can do the same).
import { badRequest, notFound } from '../errors.js';
import { route } from './env.js';

/** The image's tags with `tag` added or removed; removing one it lacks is 404. */
export function retag(tags: readonly string[], tag: string, add: boolean): string[] {
  if (tag.length > 255) throw badRequest('Invalid input for field/attribute tag: at most 255 characters');
  const set = new Set(tags);
  if (!add && !set.has(tag)) throw notFound(`Tag ${tag} not found`);
  if (add) set.add(tag);
  else set.delete(tag);
  return [...set];
}

const tagRoute = (method: 'PUT' | 'DELETE', summary: string) =>
  route({
    method,
    path: '/v2/images/:id/tags/:tag',
    summary,
    auth: 'project',
    status: 204,
    errors: [400, 404, 409],
    async handler({ env, session, params }) {
      const image = await env.images.find(session, params.id!, { own: true });
      const tags = retag(image.spec.tags ?? [], params.tag!, method === 'PUT');
      await env.patch(session, image, { spec: { tags } });
    },
  });

export const tagRoutes = [tagRoute('PUT', 'Add a tag'), tagRoute('DELETE', 'Remove a tag')];
