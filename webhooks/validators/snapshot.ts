// Snapshot admission: the volume exists, an attached volume needs force (Cinder), the GiB
// quota holds, and a snapshot that volumes were restored from is not deleted.
import type { Denial } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import { checkQuota, creatorUnchanged, inUse, nameOf, projectQuota, specOf, stampCreator } from './common.js';
import { localRef } from './refs.js';
import { gigabytesInUse } from './volume.js';

interface SnapshotSpec {
  volume: string;
  force?: boolean;
}

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') {
    const restored = (await ctx.lookup.list('volumes', ctx.namespace))
      .filter((v) => specOf<{ source?: { snapshot?: string } }>(v)?.source?.snapshot === ctx.name)
      .map((v) => `volume "${nameOf(v)}"`);
    return inUse(
      `snapshot "${ctx.name}"`,
      restored,
      'delete the volumes restored from it first (their copy-on-write clones depend on it)',
    );
  }
  const spec = specOf<SnapshotSpec>(ctx.object);
  if (!spec) return [];
  const denials = creatorUnchanged(ctx);
  if (ctx.operation !== 'CREATE') return denials;
  const volume = await localRef(ctx, 'spec.volume', 'volumes', 'volume', spec.volume);
  if (volume.denial) return [...denials, volume.denial];
  const attachedTo = (await ctx.lookup.list('instances', ctx.namespace)).filter(
    (i) =>
      (specOf<{ volumes?: Array<{ volume: string }>; bootVolume?: string }>(i)?.volumes ?? []).some(
        (v) => v.volume === spec.volume,
      ) || specOf<{ bootVolume?: string }>(i)?.bootVolume === spec.volume,
  );
  if (attachedTo.length > 0 && !spec.force) {
    denials.push({
      field: 'spec.force',
      message: `volume "${spec.volume}" is attached to instance "${nameOf(attachedTo[0]!)}"; set force: true to snapshot it in use (crash-consistent), or detach it first`,
    });
  }
  const size = specOf<{ sizeGiB: number }>(volume.object)?.sizeGiB ?? 0;
  const quota = await projectQuota(ctx);
  const denial = checkQuota(
    quota,
    'volumeGiB',
    'GiB',
    await gigabytesInUse(ctx),
    size,
    'spec.volume',
    ctx.namespace,
  );
  if (denial) denials.push(denial);
  return denials;
}

export const snapshotAdmission: KindAdmission = {
  plural: 'snapshots',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  mutate: stampCreator,
  validate,
};
