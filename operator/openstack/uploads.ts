// Image uploads (Glance PUT /v2/images/{id}/file) without holding an image in memory.
//
// Design: the request body is streamed to a file in STRATUS_API_UPLOAD_DIR, hashed on the
// way (size, MD5 for Glance's checksum, SHA-512 for os_hash_value), under an unguessable
// name. The Image then gets `spec.source.url` pointing at this process's
// `/image-data/<name>` — so the operator's ordinary URL import (a CDI DataVolume with an http
// source) pulls the bytes into the golden disk, exactly as for any web-download image. No
// CDI upload proxy, upload tokens or extra RBAC are involved, and the bytes cross memory
// only in stream-sized chunks. The file is deleted once the image is active (or killed, or
// gone), or after a day.
//
// Limits of this design (documented in the report): the importer must reach the replica that
// took the upload (STRATUS_API_INTERNAL_URL should name the pod, e.g. its IP), the upload
// directory must hold the image (the chart mounts only a small emptyDir at /tmp), and a
// replica that restarts before the import finished loses the file (the image is then killed
// by the failed import and must be uploaded again, as with a failed Glance upload).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ImageObject } from '../kinds/image.js';
import type { Logger } from '../runtime/logger.js';
import type { ApiCache } from './cache.js';
import { ApiFault } from './errors.js';
import { Image } from '../kinds/index.js';

/** Annotations the upload leaves on the Image: what Glance reports about the data. */
export const UPLOAD_ANNOTATIONS = {
  size: 'stratus.dev/upload-size',
  md5: 'stratus.dev/upload-md5',
  sha512: 'stratus.dev/upload-sha512',
} as const;

export interface StagedUpload {
  name: string;
  size: number;
  md5: string;
  sha512: string;
}

interface Sidecar {
  uid: string;
  namespace: string;
  image: string;
  createdAt: number;
}

const NAME = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE_MS = 24 * 3_600_000;

export class UploadStore {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async start(cache: ApiCache): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.timer = setInterval(() => void this.sweep(cache), 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Stream `body` into a new staged file; refuses (413) past `limit` bytes and removes what
   * it wrote on any failure.
   */
  async stage(body: Readable, image: ImageObject, limit: number): Promise<StagedUpload> {
    const name = randomBytes(32).toString('base64url');
    const part = join(this.dir, `${name}.part`);
    const md5 = createHash('md5');
    const sha512 = createHash('sha512');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) {
          done(
            new ApiFault(413, `Image exceeds the storage quota: the upload is larger than ${limit} bytes.`),
          );
          return;
        }
        md5.update(chunk);
        sha512.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(part, { mode: 0o600 }));
      const sidecar: Sidecar = {
        uid: image.metadata.uid!,
        namespace: image.metadata.namespace!,
        image: image.metadata.name!,
        createdAt: Date.now(),
      };
      await writeFile(join(this.dir, `${name}.json`), JSON.stringify(sidecar), { mode: 0o600 });
      await rename(part, join(this.dir, name));
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
    return { name, size, md5: md5.digest('hex'), sha512: sha512.digest('hex') };
  }

  /** Remove a staged upload (its image was not updated after all). */
  async discard(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
    await rm(join(this.dir, `${name}.json`), { force: true });
  }

  /** GET/HEAD /image-data/:name — what the importer downloads. */
  async serve(req: Request, res: Response): Promise<void> {
    const name = String(req.params.name);
    const path = join(this.dir, name);
    const info = NAME.test(name) ? await stat(path).catch(() => undefined) : undefined;
    if (!info) {
      res.status(404).type('text/plain').send('no such upload');
      return;
    }
    res.status(200).set({ 'Content-Type': 'application/octet-stream', 'Content-Length': String(info.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(path), res).catch((error: unknown) =>
      this.logger.warn('image data download ended early', { error: String(error) }),
    );
  }

  /** Delete uploads whose import is over (or whose image is gone), and stale ones. */
  async sweep(cache: ApiCache, now = Date.now()): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return;
    }
    for (const entry of entries.filter((e) => e.endsWith('.json'))) {
      const name = entry.slice(0, -'.json'.length);
      try {
        const sidecar = JSON.parse(await readFile(join(this.dir, entry), 'utf8')) as Sidecar;
        const image = cache.byUid(Image, sidecar.uid);
        const state = image?.status?.state;
        const done = !image || state === 'active' || state === 'killed' || state === 'deactivated';
        if (done || now - sidecar.createdAt > MAX_AGE_MS) await this.discard(name);
      } catch (error) {
        this.logger.warn('could not sweep an upload', { upload: name, error: String(error) });
      }
    }
  }
}
