import { describe, expect, it } from 'vitest';
import type { Pv, Pvc } from './csi.js';
import {
  contentFor,
  contentName,
  snapshotBlocker,
  snapshotClassFor,
  snapshotStatus,
  type VolumeSnapshot,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
} from './snapshots.js';

const snapshot = (spec: VolumeSnapshot['spec'], status?: VolumeSnapshot['status']): VolumeSnapshot => ({
  metadata: { name: 'snap', namespace: 'demo', uid: 'snap-uid' },
  spec,
  status,
});
const rbd: VolumeSnapshotClass = {
  metadata: { name: 'rbd', annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
  driver: 'rook-ceph.rbd.csi.ceph.com',
  deletionPolicy: 'Delete',
};
const bound: Pvc = {
  metadata: { name: 'vol', namespace: 'demo', uid: 'pvc-uid' },
  spec: { volumeName: 'pvc-pvc-uid', volumeMode: 'Block', resources: { requests: { storage: '10Gi' } } },
  status: { phase: 'Bound', capacity: { storage: '10Gi' } },
};

describe('snapshot-controller decisions', () => {
  it('picks the named or the default class', () => {
    const other = { metadata: { name: 'other' }, driver: 'x' };
    expect(snapshotClassFor(snapshot({}), [other, rbd])).toBe(rbd);
    expect(snapshotClassFor(snapshot({ volumeSnapshotClassName: 'other' }), [other, rbd])).toBe(other);
    expect(snapshotClassFor(snapshot({ volumeSnapshotClassName: 'gone' }), [other, rbd])).toBeUndefined();
  });

  it('explains why no content can be made yet', () => {
    const s = snapshot({ source: { persistentVolumeClaimName: 'vol' } });
    expect(snapshotBlocker(s, undefined, rbd)).toMatch(/persistentvolumeclaims \\"vol\\" not found/);
    expect(snapshotBlocker(s, { ...bound, spec: {}, status: { phase: 'Pending' } }, rbd)).toMatch(
      /not yet bound/,
    );
    expect(snapshotBlocker(s, bound, undefined)).toBe('cannot find default snapshot class');
    expect(snapshotBlocker(s, bound, rbd)).toBeUndefined();
  });

  it('makes a content bound to the snapshot', () => {
    const pv: Pv = { metadata: { name: 'pvc-pvc-uid' }, spec: { csi: { volumeHandle: 'handle-1' } } };
    const content = contentFor(snapshot({ source: { persistentVolumeClaimName: 'vol' } }), bound, pv, rbd);
    expect(content.metadata).toMatchObject({
      name: 'snapcontent-snap-uid',
      labels: { 'stratus.dev/simulated': 'true' },
      annotations: { 'stratus.dev/simulated-restore-size': String(10n << 30n) },
    });
    expect(content.spec).toEqual({
      volumeSnapshotRef: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        name: 'snap',
        namespace: 'demo',
        uid: 'snap-uid',
      },
      source: { volumeHandle: 'handle-1' },
      driver: 'rook-ceph.rbd.csi.ceph.com',
      deletionPolicy: 'Delete',
      volumeSnapshotClassName: 'rbd',
      sourceVolumeMode: 'Block',
    });
    expect(contentName('u')).toBe('snapcontent-u');
  });

  it('mirrors the content into the snapshot status', () => {
    const s = snapshot({ source: { persistentVolumeClaimName: 'vol' } });
    const content: VolumeSnapshotContent = { metadata: { name: 'snapcontent-snap-uid' } };
    expect(snapshotStatus(s, content, undefined, 't')).toEqual({
      boundVolumeSnapshotContentName: 'snapcontent-snap-uid',
      readyToUse: false,
    });
    const ready = {
      ...content,
      status: {
        readyToUse: true,
        restoreSize: 10 * 2 ** 30,
        creationTime: Date.UTC(2024, 0, 2, 3, 4, 5) * 1e6,
      },
    };
    expect(snapshotStatus(s, ready, undefined, 't')).toEqual({
      boundVolumeSnapshotContentName: 'snapcontent-snap-uid',
      readyToUse: true,
      restoreSize: '10Gi',
      creationTime: '2024-01-02T03:04:05Z',
    });
  });

  it('keeps the time of an unchanged error', () => {
    const s = snapshot({}, { error: { message: 'same', time: 't0' } });
    expect(snapshotStatus(s, undefined, 'same', 't1')).toEqual({
      readyToUse: false,
      error: { message: 'same', time: 't0' },
    });
    expect(snapshotStatus(s, undefined, 'new', 't1')).toEqual({
      readyToUse: false,
      error: { message: 'new', time: 't1' },
    });
  });
});
