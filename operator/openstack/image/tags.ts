// PUT and DELETE /v2/images/{id}/tags/{tag}: one tag at a time (a JSON patch can do the same).
import type { Request, Response, Router } from 'express';
import { scopedSessionOf, type ApiDeps } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { ownImage, patchImage } from './access.js';

/** The image's tags with `tag` added or removed; removing one it lacks is 404. */
export function retag(tags: readonly string[], tag: string, add: boolean): string[] {
  if (tag.length > 255) throw badRequest('Invalid input for field/attribute tag: at most 255 characters');
  const set = new Set(tags);
  if (!add && !set.has(tag)) throw notFound(`Tag ${tag} not found`);
  if (add) set.add(tag);
  else set.delete(tag);
  return [...set];
}

export function tagRoutes(router: Router, deps: ApiDeps): void {
  const tag = (add: boolean) => async (req: Request, res: Response) => {
    const session = scopedSessionOf(res);
    const image = await ownImage(deps, session, String(req.params.id));
    const tags = retag(image.spec.tags ?? [], String(req.params.tag), add);
    await patchImage(deps, session, image, { spec: { tags } });
    res.status(204).end();
  };
  router.put('/v2/images/:id/tags/:tag', tag(true));
  router.delete('/v2/images/:id/tags/:tag', tag(false));
}
