import { describe, expect, it } from 'vitest';
import {
  classOf,
  provisionBlocker,
  pvForClaim,
  resizeTarget,
  storageProfile,
  type Pvc,
  type StorageClass,
} from './csi.js';

const rbd: StorageClass = {
  metadata: { name: 'rbd', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rook-ceph.rbd.csi.ceph.com',
  reclaimPolicy: 'Delete',
  allowVolumeExpansion: true,
  parameters: { clusterID: 'rook-ceph', pool: 'replicapool' },
};
const other: StorageClass = { metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io' };
const claim = (spec: Pvc['spec'], status?: Pvc['status']): Pvc => ({
  metadata: { name: 'data', namespace: 'demo', uid: 'claim-uid' },
  spec: { resources: { requests: { storage: '10Gi' } }, ...spec },
  status,
});

describe('classes', () => {
  it('resolves the named class, the default one, or none', () => {
    expect(classOf(claim({ storageClassName: 'nfs' }), [rbd, other])).toBe(other);
    expect(classOf(claim({}), [rbd, other])).toBe(rbd);
    expect(classOf(claim({ storageClassName: '' }), [rbd, other])).toBeUndefined();
    expect(storageProfile(rbd)).toEqual({ accessModes: ['ReadWriteMany'], volumeMode: 'Block' });
    expect(storageProfile(other)).toEqual({ accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' });
  });
});

describe('provisioning', () => {
  it('pre-binds a PV of the RBD driver to the claim', () => {
    const pv = pvForClaim(
      claim({ accessModes: ['ReadWriteMany'], volumeMode: 'Block', storageClassName: 'rbd' }),
      rbd,
    );
    expect(pv.metadata).toMatchObject({
      name: 'pvc-claim-uid',
      labels: { 'stratus.dev/simulated': 'true' },
      annotations: { 'pv.kubernetes.io/provisioned-by': 'rook-ceph.rbd.csi.ceph.com' },
    });
    expect(pv.spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      capacity: { storage: '10Gi' },
      claimRef: { kind: 'PersistentVolumeClaim', name: 'data', namespace: 'demo', uid: 'claim-uid' },
      csi: { driver: 'rook-ceph.rbd.csi.ceph.com', volumeAttributes: { pool: 'replicapool' } },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'rbd',
      volumeMode: 'Block',
    });
    expect(pv.spec?.csi).not.toHaveProperty('fsType');
    expect(pvForClaim(claim({}), rbd).spec?.csi).toMatchObject({ fsType: 'ext4' });
  });

  it('waits for a snapshot to be ready and big enough', () => {
    const restore = claim({
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 's' },
    });
    expect(provisionBlocker(restore, {})).toMatch(/not found/);
    expect(
      provisionBlocker(restore, { snapshot: { metadata: { name: 's' }, status: { readyToUse: false } } }),
    ).toMatch(/not Ready/);
    expect(
      provisionBlocker(restore, {
        snapshot: { metadata: { name: 's' }, status: { readyToUse: true, restoreSize: '20Gi' } },
      }),
    ).toMatch(/less than the size/);
    expect(
      provisionBlocker(restore, {
        snapshot: { metadata: { name: 's' }, status: { readyToUse: true, restoreSize: '10Gi' } },
      }),
    ).toBeUndefined();
  });

  it('waits for a clone source to be bound and not larger', () => {
    const clone = claim({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } });
    expect(provisionBlocker(clone, {})).toMatch(/not found/);
    expect(provisionBlocker(clone, { sourcePvc: claim({}, { phase: 'Pending' }) })).toMatch(/not Bound/);
    expect(
      provisionBlocker(clone, { sourcePvc: claim({}, { phase: 'Bound', capacity: { storage: '20Gi' } }) }),
    ).toMatch(/greater than or equal/);
    expect(
      provisionBlocker(clone, { sourcePvc: claim({}, { phase: 'Bound', capacity: { storage: '10Gi' } }) }),
    ).toBeUndefined();
  });

  it('needs a size, and leaves populators alone', () => {
    expect(provisionBlocker({ metadata: { name: 'x' }, spec: {} }, {})).toMatch(/no storage size/);
    expect(
      provisionBlocker(
        claim({ dataSourceRef: { apiGroup: 'cdi.kubevirt.io', kind: 'VolumeImportSource', name: 'i' } }),
        {},
      ),
    ).toMatch(/not handled/);
  });
});

describe('expansion', () => {
  it('grows a bound claim whose class allows it', () => {
    const grown = claim(
      { resources: { requests: { storage: '20Gi' } } },
      { phase: 'Bound', capacity: { storage: '10Gi' } },
    );
    expect(resizeTarget(grown, rbd)).toBe('20Gi');
    expect(resizeTarget(grown, other)).toBeUndefined();
    expect(resizeTarget(claim({}, { phase: 'Bound', capacity: { storage: '10Gi' } }), rbd)).toBeUndefined();
    expect(
      resizeTarget(claim({ resources: { requests: { storage: '20Gi' } } }, { phase: 'Pending' }), rbd),
    ).toBeUndefined();
  });
});
