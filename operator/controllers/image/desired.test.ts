import { describe, expect, it } from 'vitest';
import type { ImageObject } from '../../kinds/image.js';
import type { DataVolume } from '../engines.js';
import {
  desiredImageDataSource,
  desiredImageDataVolume,
  goldenDiskGiB,
  imageStatus,
  parseProgress,
} from './desired.js';

const options = { storageClass: 'rbd', defaultDiskGiB: 10 };

function image(
  spec: Partial<ImageObject['spec']> = {},
  name = 'cirros',
  namespace = 'stratus-public',
): ImageObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Image',
    metadata: { name, namespace, uid: 'img-uid', generation: 1 },
    spec: {
      source: { url: 'https://example.com/cirros.qcow2' },
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'public',
      protected: false,
      hidden: false,
      deactivated: false,
      minDiskGiB: 0,
      minRamMiB: 0,
      ...spec,
    },
  };
}

const owner = [
  {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Image',
    name: 'cirros',
    uid: 'img-uid',
    controller: true,
    blockOwnerDeletion: true,
  },
];
const labels = { 'app.kubernetes.io/managed-by': 'stratus-operator', 'stratus.dev/image': 'cirros' };

describe('desiredImageDataVolume', () => {
  it('imports the URL into a block RWX golden disk on the RBD class', () => {
    expect(desiredImageDataVolume(image(), options)).toEqual({
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: {
        name: 'image-cirros',
        namespace: 'stratus-public',
        labels,
        annotations: {
          'cdi.kubevirt.io/storage.bind.immediateRequested': 'true',
          'cdi.kubevirt.io/storage.deleteAfterCompletion': 'false',
        },
        ownerReferences: owner,
      },
      spec: {
        source: { http: { url: 'https://example.com/cirros.qcow2' } },
        contentType: 'kubevirt',
        storage: {
          storageClassName: 'rbd',
          volumeMode: 'Block',
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: '10Gi' } },
        },
      },
    });
  });

  it('takes uploads through CDI, sizes from minDiskGiB, and waits for a source', () => {
    const upload = desiredImageDataVolume(image({ source: { upload: {} }, minDiskGiB: 3 }), options)!;
    expect(upload.spec.source).toEqual({ upload: {} });
    expect(upload.spec.storage?.resources?.requests?.storage).toBe('3Gi');
    expect(goldenDiskGiB(image({ minDiskGiB: 3 }), options)).toBe(3);
    expect(desiredImageDataVolume(image({ source: undefined }), options)).toBeUndefined();
    expect(desiredImageDataVolume(image({ diskFormat: 'ami' }), options)).toBeUndefined();
  });
});

describe('desiredImageDataSource', () => {
  it('points at the golden PVC in the image’s namespace', () => {
    expect(desiredImageDataSource(image())).toEqual({
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataSource',
      metadata: { name: 'image-cirros', namespace: 'stratus-public', labels, ownerReferences: owner },
      spec: { source: { pvc: { name: 'image-cirros', namespace: 'stratus-public' } } },
    });
  });
});

describe('imageStatus', () => {
  const dv = (status: DataVolume['status']): DataVolume => ({ spec: {}, status });

  it('follows the DataVolume: queued, saving with progress, active with sizes, killed with the reason', () => {
    expect(imageStatus(image({ source: undefined }), {}).status).toEqual({ state: 'queued' });
    expect(imageStatus(image(), { dataVolume: dv({ phase: 'ImportScheduled' }) }).status.state).toBe(
      'queued',
    );
    expect(
      imageStatus(image(), { dataVolume: dv({ phase: 'ImportInProgress', progress: '45.20%' }) }).status,
    ).toMatchObject({
      state: 'saving',
      progress: 45,
    });
    const active = imageStatus(image(), {
      dataVolume: dv({ phase: 'Succeeded', progress: '100.0%' }),
      capacityBytes: 10 * 2 ** 30,
    });
    expect(active.status).toEqual({
      dataVolume: 'image-cirros',
      pvc: 'image-cirros',
      dataSource: 'image-cirros',
      state: 'active',
      progress: 100,
      sizeBytes: 10 * 2 ** 30,
      virtualSizeBytes: 10 * 2 ** 30,
    });
    expect(active.ready).toMatchObject({ status: 'True', reason: 'Active' });
    const failed = imageStatus(image(), {
      dataVolume: dv({
        phase: 'Failed',
        conditions: [
          {
            type: 'Running',
            status: 'False',
            reason: 'Error',
            message: 'Unable to connect to http data source: 404',
          },
        ],
      }),
    });
    expect(failed.status).toMatchObject({
      state: 'killed',
      message: 'Unable to connect to http data source: 404',
    });
    expect(failed.ready.reason).toBe('ImportFailed');
  });

  it('reports deactivation, waiting uploads and unsupported formats', () => {
    expect(
      imageStatus(image({ deactivated: true }), { dataVolume: dv({ phase: 'Succeeded' }) }).status.state,
    ).toBe('deactivated');
    expect(
      imageStatus(image({ source: { upload: {} } }), { dataVolume: dv({ phase: 'UploadReady' }) }).ready
        .reason,
    ).toBe('WaitingForUpload');
    const unsupported = imageStatus(image({ containerFormat: 'ova' }), {});
    expect(unsupported.status.state).toBe('killed');
    // It can never import as specified: a terminal failure, not retried.
    expect(unsupported).toMatchObject({ terminal: true, ready: { reason: 'UnsupportedFormat' } });
    expect(imageStatus(image(), { dataVolume: dv({ phase: 'ImportScheduled' }) }).terminal).toBeUndefined();
    expect(parseProgress('N/A')).toBeUndefined();
  });
});
