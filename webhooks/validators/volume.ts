// Volume admission: sources exist and are visible, a volume is at least as large as its
// source, GiB quotas hold, and an attached volume or one with snapshots is not deleted.
import type { Denial } from '../admission.js';
import type { AdmissionContext } from '../context.js';
import { Image, Instance, Snapshot, Volume } from '../../operator/kinds/index.js';
import type { InstanceObject } from '../../operator/kinds/instance.js';
import type { WriteContext } from './common.js';
import { inUse, nameOf, projectKindAdmission, quotaDenials, use, usersOf } from './common.js';
import { localRef, sharedRef } from './refs.js';
import { imageVisibility } from './visibility.js';

const GiB = 1024 ** 3;

/** Volume and snapshot GiB in use in the namespace (Cinder counts both in "gigabytes"). */
export async function gigabytesInUse(ctx: AdmissionContext, excludeVolume?: string): Promise<number> {
  const volumes = await ctx.lookup.list(Volume, ctx.namespace);
  const snapshots = await ctx.lookup.list(Snapshot, ctx.namespace);
  const volumeGiB = volumes
    .filter((v) => nameOf(v) !== excludeVolume && !v.metadata?.deletionTimestamp)
    .reduce((sum, v) => sum + (v.spec?.sizeGiB ?? 0), 0);
  const snapshotGiB = snapshots.reduce((sum, s) => sum + (s.status?.sizeGiB ?? 0), 0);
  return volumeGiB + snapshotGiB;
}

/** Whether an instance has the volume attached, as its boot volume or a data volume. */
export function attaches(instance: InstanceObject, volume: string): boolean {
  const spec = instance.spec;
  return spec?.bootVolume === volume || (spec?.volumes ?? []).some((v) => v.volume === volume);
}

async function validateDelete(ctx: AdmissionContext<typeof Volume>): Promise<Denial[]> {
  const [instances, snapshots] = await Promise.all([
    usersOf(ctx, [use(Instance, (i) => attaches(i, ctx.name))]),
    usersOf(ctx, [use(Snapshot, (s) => s.spec?.volume === ctx.name)]),
  ]);
  return [
    ...inUse(
      ctx,
      instances,
      'detach it first (remove it from the instance’s spec.volumes) or delete the instance',
    ),
    ...inUse(
      ctx,
      snapshots,
      'delete its snapshots first (Cinder keeps a volume while snapshots depend on it)',
    ),
  ];
}

/** A volume made from a source is at least as large as the source. */
async function sourceDenials(ctx: WriteContext<typeof Volume>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  const source = spec.source;
  if (ctx.operation !== 'CREATE' || !source) return [];
  const denials: Denial[] = [];
  const tooSmall = (message: string) => denials.push({ field: 'spec.sizeGiB', message });
  if (source.image) {
    const image = await sharedRef(ctx, 'spec.source.image', Image, source.image, imageVisibility);
    if (image.denial) denials.push(image.denial);
    const minDisk = image.object?.spec?.minDiskGiB ?? 0;
    const bytes = image.object?.status;
    const needed = Math.max(minDisk, Math.ceil((bytes?.virtualSizeBytes ?? bytes?.sizeBytes ?? 0) / GiB));
    if (image.object && spec.sizeGiB < needed)
      tooSmall(`image "${source.image.name}" needs at least ${needed} GiB; raise sizeGiB`);
  }
  if (source.snapshot) {
    const snapshot = await localRef(ctx, 'spec.source.snapshot', Snapshot, source.snapshot);
    if (snapshot.denial) denials.push(snapshot.denial);
    const size = snapshot.object?.status?.sizeGiB ?? 0;
    if (spec.sizeGiB < size)
      tooSmall(`snapshot "${source.snapshot}" is ${size} GiB; a volume restored from it needs at least that`);
  }
  if (source.volume) {
    const volume = await localRef(ctx, 'spec.source.volume', Volume, source.volume);
    if (volume.denial) denials.push(volume.denial);
    const size = volume.object?.spec?.sizeGiB ?? 0;
    if (spec.sizeGiB < size)
      tooSmall(`volume "${source.volume}" is ${size} GiB; a clone needs at least that`);
  }
  return denials;
}

async function validate(ctx: WriteContext<typeof Volume>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  const denials = await sourceDenials(ctx);
  const growth = spec.sizeGiB - (ctx.oldObject?.spec?.sizeGiB ?? 0);
  if (growth > 0) {
    const requested = spec.sizeGiB;
    const field = 'spec.sizeGiB';
    denials.push(
      ...(await quotaDenials(ctx, [
        { key: 'perVolumeGiB', unit: 'GiB per volume', used: 0, requested, field },
        { key: 'volumeGiB', unit: 'GiB', used: await gigabytesInUse(ctx, ctx.name), requested, field },
      ])),
    );
  }
  return denials;
}

export const volumeAdmission = projectKindAdmission(Volume, { validate, validateDelete });
