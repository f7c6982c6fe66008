// Image → golden DataVolume + DataSource, and Glance's view of the import in status.
// Both children carry a controller owner reference: deleting the image lets the garbage
// collector take them and the golden PVC (instances keep their own clones, as with Glance).
import { controllerFor } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import type { ImageObject } from '../../kinds/image.js';
import { applyStatus, imageDiskName, quantityBytes, type DataVolume } from '../engines.js';
import { desiredImageDataSource, desiredImageDataVolume, imageStatus, type ImageOptions } from './desired.js';
import { Image, resourceOf } from '../../kinds/index.js';
import { kube } from '../../kinds/external.js';
import { engines } from '../../kinds/external.js';

interface PersistentVolumeClaim extends KubeObject {
  status?: { capacity?: { storage?: string } };
}

export function imageController(options: ImageOptions) {
  return controllerFor<ImageObject>(resourceOf(Image))
    .named('image')
    .owns(engines.dataVolumes)
    .owns(engines.dataSources)
    .reconcile(async (image, ctx) => {
      if (image.metadata.deletionTimestamp) return;
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

      let capacityBytes: number | undefined;
      if (dataVolume?.status?.phase === 'Succeeded' && image.status?.virtualSizeBytes !== undefined) {
        capacityBytes = image.status.virtualSizeBytes; // a filled golden disk never changes size
      } else if (dataVolume?.status?.phase === 'Succeeded') {
        const claim = dataVolume.status.claimName || name;
        const pvc = await ctx.client.get<PersistentVolumeClaim>(
          kube.persistentVolumeClaims,
          claim,
          namespace,
        );
        capacityBytes = quantityBytes(pvc?.status?.capacity?.storage);
      }
      const { status, ready } = imageStatus(image, { dataVolume, capacityBytes });
      await applyStatus(ctx, resourceOf(Image), image, status, ready);
    });
}
