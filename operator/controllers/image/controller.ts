// Image → golden DataVolume + DataSource, and Glance's view of the import in status.
// Both children carry a controller owner reference: deleting the image lets the garbage
// collector take them and the golden PVC (instances keep their own clones, as with Glance).
//
// resolve: the DataVolume from the cache and the filled PVC's capacity; desired:
// desiredImageDataVolume / desiredImageDataSource; apply; status: imageStatus. An image in a
// format CDI cannot convert never converges: its status view is terminal.
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import type { ImageObject } from '../../kinds/image.js';
import { imageDiskName, quantityBytes, type DataVolume } from '../engines.js';
import { desiredImageDataSource, desiredImageDataVolume, imageStatus, type ImageOptions } from './desired.js';
import { Image, resourceOf } from '../../kinds/index.js';
import { engines, kube } from '../../kinds/external.js';

interface PersistentVolumeClaim extends KubeObject {
  status?: { capacity?: { storage?: string } };
}

/** Bytes of the filled golden disk, once the import succeeded (read once, then kept in status). */
async function capacityOf(
  image: ImageObject,
  dataVolume: DataVolume | undefined,
  ctx: ReconcileContext,
): Promise<number | undefined> {
  if (dataVolume?.status?.phase !== 'Succeeded') return undefined;
  // A filled golden disk never changes size.
  if (image.status?.virtualSizeBytes !== undefined) return image.status.virtualSizeBytes;
  const claim = dataVolume.status.claimName || imageDiskName(image.metadata.name!);
  const pvc = await ctx.client.get<PersistentVolumeClaim>(
    kube.persistentVolumeClaims,
    claim,
    image.metadata.namespace,
  );
  return quantityBytes(pvc?.status?.capacity?.storage);
}

export function imageController(options: ImageOptions) {
  return controllerFor<ImageObject>(resourceOf(Image))
    .named('image')
    .owns(engines.dataVolumes)
    .owns(engines.dataSources)
    .reconcile(async (image, ctx) => {
      const namespace = image.metadata.namespace!;
      const name = imageDiskName(image.metadata.name!);
      let dataVolume = ctx.manager.cached<DataVolume>(engines.dataVolumes, { name, namespace });

      const desired = desiredImageDataVolume(image, options);
      // CDI refuses any change to a DataVolume's spec: create it once, then only read it.
      if (desired && !dataVolume) {
        dataVolume = await ctx.client.apply<DataVolume>(engines.dataVolumes, desired);
        ctx.logger.info('importing image', { dataVolume: name });
      }
      const dataSource = desiredImageDataSource(image);
      if (dataSource) await ctx.client.apply(engines.dataSources, dataSource);

      const capacityBytes = await capacityOf(image, dataVolume, ctx);
      await ctx.status(image, imageStatus(image, { dataVolume, capacityBytes }));
    });
}
