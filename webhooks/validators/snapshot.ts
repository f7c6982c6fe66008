// Snapshot admission: the volume exists, an attached volume needs force (Cinder), the GiB
// quota holds, and a snapshot that volumes were restored from is not deleted.
import type { Denial } from '../admission.js';
import { Instance, Snapshot, Volume } from '../../operator/kinds/index.js';
import type { WriteContext } from './common.js';
import { inUse, nameOf, projectKindAdmission, quotaDenials, use, usersOf } from './common.js';
import { localRef } from './refs.js';
import { attaches, gigabytesInUse } from './volume.js';

async function validate(ctx: WriteContext<typeof Snapshot>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  if (ctx.operation !== 'CREATE') return [];
  const volume = await localRef(ctx, 'spec.volume', Volume, spec.volume);
  if (volume.denial) return [volume.denial];
  const denials: Denial[] = [];
  const attachedTo = (await ctx.lookup.list(Instance, ctx.namespace)).filter((i) => attaches(i, spec.volume));
  if (attachedTo.length > 0 && !spec.force) {
    denials.push({
      field: 'spec.force',
      message: `volume "${spec.volume}" is attached to instance "${nameOf(attachedTo[0]!)}"; set force: true to snapshot it in use (crash-consistent), or detach it first`,
    });
  }
  const size = volume.object?.spec?.sizeGiB ?? 0;
  const used = await gigabytesInUse(ctx);
  denials.push(
    ...(await quotaDenials(ctx, [
      { key: 'volumeGiB', unit: 'GiB', used, requested: size, field: 'spec.volume' },
    ])),
  );
  return denials;
}

export const snapshotAdmission = projectKindAdmission(Snapshot, {
  validate,
  validateDelete: async (ctx) =>
    inUse(
      ctx,
      await usersOf(ctx, [use(Volume, (v) => v.spec?.source?.snapshot === ctx.name)]),
      'delete the volumes restored from it first (their copy-on-write clones depend on it)',
    ),
});
