// Volume admission: sources exist and are visible, a volume is at least as large as its
// source, GiB quotas hold, and an attached volume or one with snapshots is not deleted.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import {
  checkQuota,
  creatorUnchanged,
  inUse,
  nameOf,
  projectQuota,
  specOf,
  stampCreator,
  statusOf,
} from './common.js';
import { localRef, sharedRef, type SharedRef } from './refs.js';
import { imageVisibility } from './visibility.js';

interface VolumeSpec {
  sizeGiB: number;
  source?: { image?: SharedRef; snapshot?: string; volume?: string };
}

const GiB = 1024 ** 3;

/** Volume and snapshot GiB in use in the namespace (Cinder counts both in "gigabytes"). */
export async function gigabytesInUse(ctx: AdmissionContext, excludeVolume?: string): Promise<number> {
  const volumes = await ctx.lookup.list('volumes', ctx.namespace);
  const snapshots = await ctx.lookup.list('snapshots', ctx.namespace);
  const volumeGiB = volumes
    .filter((v) => nameOf(v) !== excludeVolume && !v.metadata?.deletionTimestamp)
    .reduce((sum, v) => sum + (specOf<VolumeSpec>(v)?.sizeGiB ?? 0), 0);
  const snapshotGiB = snapshots.reduce(
    (sum, s) => sum + (statusOf<{ sizeGiB?: number }>(s)?.sizeGiB ?? 0),
    0,
  );
  return volumeGiB + snapshotGiB;
}

async function validateDelete(ctx: AdmissionContext): Promise<Denial[]> {
  const instances = await ctx.lookup.list('instances', ctx.namespace);
  const users = instances
    .filter((i) => {
      const spec = specOf<{ bootVolume?: string; volumes?: Array<{ volume: string }> }>(i);
      return spec?.bootVolume === ctx.name || (spec?.volumes ?? []).some((v) => v.volume === ctx.name);
    })
    .map((i) => `instance "${nameOf(i)}"`);
  const denials = inUse(
    `volume "${ctx.name}"`,
    users,
    'detach it first (remove it from the instance’s spec.volumes) or delete the instance',
  );
  const snapshots = (await ctx.lookup.list('snapshots', ctx.namespace))
    .filter((s) => specOf<{ volume: string }>(s)?.volume === ctx.name)
    .map((s) => `snapshot "${nameOf(s)}"`);
  denials.push(
    ...inUse(
      `volume "${ctx.name}"`,
      snapshots,
      'delete its snapshots first (Cinder keeps a volume while snapshots depend on it)',
    ),
  );
  return denials;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') return validateDelete(ctx);
  const spec = specOf<VolumeSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  const source = spec.source;
  if (ctx.operation === 'CREATE' && source) {
    if (source.image) {
      const image = await sharedRef(
        ctx,
        'spec.source.image',
        'images',
        'image',
        source.image,
        imageVisibility,
      );
      if (image.denial) denials.push(image.denial);
      const minDisk = specOf<{ minDiskGiB?: number }>(image.object)?.minDiskGiB ?? 0;
      const bytes = statusOf<{ virtualSizeBytes?: number; sizeBytes?: number }>(image.object);
      const needed = Math.max(minDisk, Math.ceil((bytes?.virtualSizeBytes ?? bytes?.sizeBytes ?? 0) / GiB));
      if (image.object && spec.sizeGiB < needed) {
        denials.push({
          field: 'spec.sizeGiB',
          message: `image "${source.image.name}" needs at least ${needed} GiB; raise sizeGiB`,
        });
      }
    }
    if (source.snapshot) {
      const snapshot = await localRef(ctx, 'spec.source.snapshot', 'snapshots', 'snapshot', source.snapshot);
      if (snapshot.denial) denials.push(snapshot.denial);
      const size = statusOf<{ sizeGiB?: number }>(snapshot.object)?.sizeGiB ?? 0;
      if (spec.sizeGiB < size) {
        denials.push({
          field: 'spec.sizeGiB',
          message: `snapshot "${source.snapshot}" is ${size} GiB; a volume restored from it needs at least that`,
        });
      }
    }
    if (source.volume) {
      const volume = await localRef(ctx, 'spec.source.volume', 'volumes', 'volume', source.volume);
      if (volume.denial) denials.push(volume.denial);
      const size = specOf<VolumeSpec>(volume.object)?.sizeGiB ?? 0;
      if (spec.sizeGiB < size) {
        denials.push({
          field: 'spec.sizeGiB',
          message: `volume "${source.volume}" is ${size} GiB; a clone needs at least that`,
        });
      }
    }
  }
  const growth = spec.sizeGiB - (specOf<VolumeSpec>(ctx.oldObject)?.sizeGiB ?? 0);
  if (growth > 0) {
    const quota = await projectQuota(ctx);
    const perVolume = checkQuota(
      quota,
      'perVolumeGiB',
      'GiB per volume',
      0,
      spec.sizeGiB,
      'spec.sizeGiB',
      ctx.namespace,
    );
    const total = checkQuota(
      quota,
      'volumeGiB',
      'GiB',
      await gigabytesInUse(ctx, ctx.name),
      spec.sizeGiB,
      'spec.sizeGiB',
      ctx.namespace,
    );
    for (const d of [perVolume, total]) if (d) denials.push(d);
  }
  return denials;
}

export const volumeAdmission: KindAdmission = {
  plural: 'volumes',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
