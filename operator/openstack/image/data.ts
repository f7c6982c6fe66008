// PUT /v2/images/{id}/file: the image data, streamed to a staged file (uploads.ts) and then
// imported by the operator from this API's /image-data/<name>, like any web-download image.
// Glance takes data once: an image with a source, or with an upload already, is 409.
import type { ImageObject } from '../../kinds/image.js';
import { ApiFault, badRequest, conflict } from '../errors.js';
import { UPLOAD_ANNOTATIONS, type StagedUpload } from '../uploads.js';
import { route } from './env.js';
import { imageStatus } from './views/image.js';

/** Why this image cannot take data now, if anything. */
export function uploadProblem(image: ImageObject): ApiFault | undefined {
  if (image.spec.source || image.metadata.annotations?.[UPLOAD_ANNOTATIONS.size] !== undefined) {
    return conflict(`Image status transition from ${imageStatus(image)} to saving is not allowed`);
  }
  if (!image.spec.diskFormat) {
    return badRequest('Properties disk_format, container_format must be set prior to saving data.');
  }
  return undefined;
}

/** The Image patch that points the import at a staged upload and records what it holds. */
export function uploadedPatch(staged: StagedUpload, url: string) {
  return {
    metadata: {
      annotations: {
        [UPLOAD_ANNOTATIONS.size]: String(staged.size),
        [UPLOAD_ANNOTATIONS.md5]: staged.md5,
        [UPLOAD_ANNOTATIONS.sha512]: staged.sha512,
      },
    },
    spec: { source: { url } },
  };
}

export const dataRoutes = [
  route({
    method: 'PUT',
    path: '/v2/images/:id/file',
    summary: 'Upload the image data (once; streamed, at most STRATUS_API_MAX_IMAGE_BYTES)',
    auth: 'project',
    status: 204,
    errors: [400, 404, 409, 413],
    async handler({ env, session, params, req, base }) {
      const image = await env.images.find(session, params.id!, { own: true });
      await env.access.authorize(session, {
        verb: 'patch',
        resource: 'images',
        namespace: session.namespace,
      });
      const problem = uploadProblem(image);
      if (problem) throw problem;
      const declared = Number(req.get('content-length') ?? NaN);
      const limit = env.maxImageBytes;
      if (declared > limit)
        throw new ApiFault(413, `Image exceeds the storage quota: at most ${limit} bytes.`);
      const staged = await env.uploads.stage(req, image, limit);
      const url = `${(env.internalUrl ?? base).replace(/\/+$/, '')}/image-data/${staged.name}`;
      try {
        await env.patch(session, image, uploadedPatch(staged, url));
      } catch (error) {
        await env.uploads.discard(staged.name);
        throw error;
      }
      env.logger.info('image data staged for import', {
        namespace: session.namespace,
        name: image.metadata.name,
        bytes: staged.size,
      });
    },
  }),
];
