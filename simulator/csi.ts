// SIMULATION of the Rook-Ceph RBD CSI sidecars (kubernetes-csi external-provisioner and
// external-resizer): no Ceph here, so no block device ever exists. What is simulated is the
// API side of dynamic provisioning:
//   - provisioner: a PVC of a StorageClass whose provisioner is rook-ceph.rbd.csi.ceph.com
//     gets a PersistentVolume `pvc-<claim uid>` pre-bound to it (claimRef); the real
//     persistentvolume-binder of kube-controller-manager then binds the pair, exactly as on a
//     real cluster. A claim restored from a VolumeSnapshot or cloned from another PVC waits
//     until its source is ready.
//   - resizer: a bound claim whose request grew (and whose class allows expansion) gets its
//     PV and then its status.capacity enlarged (RBD block volumes need no node-side step).
//   - reclaim: a Released PV we provisioned, with reclaimPolicy Delete, is deleted.
import type { V1ObjectReference } from '@kubernetes/client-node';
import { controllerFor } from '../operator/runtime/controller.js';
import type { ResourceDescriptor } from '../operator/runtime/resource.js';
import type { KubeObject } from '../operator/runtime/store.js';
import {
  cached,
  cachedList,
  createIfAbsent,
  deleteObject,
  formatQuantity,
  fresh,
  markedDefault,
  markSimulated,
  nameOf,
  parseQuantity,
  RBD_DRIVER,
  SIMULATED,
  SIMULATED_LABEL,
  type Obj,
  type Sim,
} from './common.js';
import { engines, kube } from '../operator/kinds/external.js';

export interface PvcSpec {
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
  storageClassName?: string;
  volumeMode?: string;
  volumeName?: string;
  dataSource?: { apiGroup?: string; kind?: string; name?: string };
  dataSourceRef?: { apiGroup?: string; kind?: string; name?: string; namespace?: string };
}
export type Pvc = Obj<PvcSpec, { phase?: string; capacity?: { storage?: string }; accessModes?: string[] }>;
export type Pv = Obj<
  {
    capacity?: { storage?: string };
    claimRef?: V1ObjectReference;
    csi?: { driver?: string; volumeHandle?: string };
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    volumeMode?: string;
    accessModes?: string[];
  },
  { phase?: string }
>;
export type StorageClass = KubeObject & {
  provisioner?: string;
  reclaimPolicy?: string;
  allowVolumeExpansion?: boolean;
  parameters?: Record<string, string>;
};
export type VolumeSnapshotLike = Obj<unknown, { readyToUse?: boolean; restoreSize?: string }>;

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

/** The default StorageClass, if exactly one is marked (as the DefaultStorageClass admission plugin picks). */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  return markedDefault(classes, DEFAULT_CLASS_ANNOTATION);
}

/** The class a claim asks for (`undefined` name: the default class; `""`: none). */
export function classOf(pvc: Pvc, classes: readonly StorageClass[]): StorageClass | undefined {
  const wanted = pvc.spec?.storageClassName;
  if (wanted === '') return undefined;
  if (wanted === undefined) return defaultClass(classes);
  return classes.find((c) => nameOf(c) === wanted);
}

/**
 * The volume mode and access modes CDI's StorageProfile gives a class when a DataVolume's
 * `storage` leaves them out: RBD is raw block, shareable for live migration.
 */
export function storageProfile(cls: StorageClass | undefined): { accessModes: string[]; volumeMode: string } {
  return cls?.provisioner === RBD_DRIVER
    ? { accessModes: ['ReadWriteMany'], volumeMode: 'Block' }
    : { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' };
}

/** Bytes the claim requests. */
export function requestOf(pvc: Pvc): bigint | undefined {
  return parseQuantity(pvc.spec?.resources?.requests?.storage);
}

/** A Rook-style RBD volume handle: cluster id, pool id, then a uuid (here: the claim's uid). */
export function volumeHandle(uid: string): string {
  return `0001-0009-rook-ceph-0000000000000002-${uid}`;
}

export interface ProvisionSources {
  snapshot?: VolumeSnapshotLike;
  sourcePvc?: Pvc;
}

/** The claim's data source, normalized: dataSourceRef wins over dataSource. */
export function dataSourceOf(pvc: Pvc): { kind: string; name: string; apiGroup: string } | undefined {
  const ref = pvc.spec?.dataSourceRef ?? pvc.spec?.dataSource;
  if (!ref?.kind || !ref.name) return undefined;
  return { kind: ref.kind, name: ref.name, apiGroup: ref.apiGroup ?? '' };
}

/**
 * Why the claim cannot be provisioned yet, in external-provisioner's words; undefined when it
 * can. `sources` holds what the claim's data source points at (undefined: not found).
 */
export function provisionBlocker(pvc: Pvc, sources: ProvisionSources): string | undefined {
  const size = requestOf(pvc);
  if (size === undefined) return 'the claim requests no storage size';
  const source = dataSourceOf(pvc);
  if (!source) return undefined;
  if (source.kind === 'VolumeSnapshot' && source.apiGroup === SNAPSHOT_GROUP) {
    const snapshot = sources.snapshot;
    if (!snapshot) return `error getting snapshot ${source.name} from api server: not found`;
    if (!snapshot.status?.readyToUse) return `snapshot ${source.name} is not Ready`;
    const restore = parseQuantity(snapshot.status.restoreSize);
    if (restore !== undefined && size < restore) {
      return `requested volume size ${size} is less than the size ${restore} for the source snapshot ${source.name}`;
    }
    return undefined;
  }
  if (source.kind === 'PersistentVolumeClaim' && source.apiGroup === '') {
    const src = sources.sourcePvc;
    if (!src) return `error getting PVC ${source.name}: not found`;
    if (src.status?.phase !== 'Bound') return `the source PVC ${source.name} is not Bound`;
    const srcSize = parseQuantity(src.status.capacity?.storage) ?? requestOf(src);
    if (srcSize !== undefined && size < srcSize) {
      return `error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${size} but source is ${srcSize}`;
    }
    return undefined;
  }
  // Populators (CDI's VolumeImportSource...) are handled by their own controllers.
  return `data source ${source.kind} ${source.name} is not handled by the CSI driver`;
}

/** The PersistentVolume external-provisioner would create for the claim, pre-bound to it. */
export function pvForClaim(pvc: Pvc, cls: StorageClass): Pv {
  const uid = pvc.metadata.uid ?? '';
  const volumeMode = pvc.spec?.volumeMode ?? 'Filesystem';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `pvc-${uid}`,
      labels: { ...SIMULATED },
      annotations: {
        [PROVISIONED_BY]: RBD_DRIVER,
        'volume.kubernetes.io/provisioner-deletion-secret-name': 'rook-csi-rbd-provisioner',
        'volume.kubernetes.io/provisioner-deletion-secret-namespace': 'rook-ceph',
      },
    },
    spec: {
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '0' },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        name: nameOf(pvc),
        namespace: pvc.metadata.namespace,
        uid,
      },
      csi: {
        driver: RBD_DRIVER,
        volumeHandle: volumeHandle(uid),
        ...(volumeMode === 'Filesystem' ? { fsType: 'ext4' } : {}),
        volumeAttributes: {
          clusterID: cls.parameters?.clusterID ?? 'rook-ceph',
          pool: cls.parameters?.pool ?? 'replicapool',
          imageName: `csi-vol-${uid}`,
          imageFeatures: cls.parameters?.imageFeatures ?? 'layering',
          'storage.kubernetes.io/csiProvisionerIdentity': `simulated-${RBD_DRIVER}`,
        },
      },
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: nameOf(cls),
      volumeMode,
    } as Pv['spec'],
  };
}

/** The new size when a bound claim asks for more than it has and its class allows growing. */
export function resizeTarget(pvc: Pvc, cls: StorageClass | undefined): string | undefined {
  if (!cls?.allowVolumeExpansion || pvc.status?.phase !== 'Bound') return undefined;
  const want = requestOf(pvc);
  const have = parseQuantity(pvc.status.capacity?.storage);
  if (want === undefined || have === undefined || want <= have) return undefined;
  return pvc.spec?.resources?.requests?.storage ?? formatQuantity(want);
}

// ---------------------------------------------------------------------------------------

const classes = (sim: Sim) => cachedList<StorageClass>(sim, kube.storageClasses);

export function provisionerController(sim: Sim) {
  const claimsWithSource = (kind: string, namespace: string | undefined, name: string) =>
    cachedList<Pvc>(sim, kube.persistentVolumeClaims, namespace)
      .filter((c) => {
        const s = dataSourceOf(c);
        return s?.kind === kind && s.name === name && !c.spec?.volumeName;
      })
      .map((c) => ({ name: nameOf(c), namespace: c.metadata.namespace }));
  return controllerFor<Pvc>(kube.persistentVolumeClaims)
    .named('sim-csi-provisioner')
    .watches<Pv>(kube.persistentVolumes, (pv) =>
      pv.spec?.claimRef?.name ? [{ name: pv.spec.claimRef.name, namespace: pv.spec.claimRef.namespace }] : [],
    )
    .watches<VolumeSnapshotLike>(engines.volumeSnapshots, (vs) =>
      claimsWithSource('VolumeSnapshot', vs.metadata.namespace, nameOf(vs)),
    )
    .watches<Pvc>(kube.persistentVolumeClaims, (src) =>
      claimsWithSource('PersistentVolumeClaim', src.metadata.namespace, nameOf(src)),
    )
    .watches<StorageClass>(kube.storageClasses, () => [])
    .reconcile(async (pvc) => {
      if (pvc.metadata.deletionTimestamp) return;
      const cls = classOf(pvc, classes(sim));
      if (cls?.provisioner !== RBD_DRIVER) return;
      const key = `${pvc.metadata.uid}`;
      if (pvc.spec?.volumeName) {
        const size = resizeTarget(pvc, cls);
        if (!size) return;
        const wait = sim.delays.remaining(`${key}/resize/${size}`);
        if (wait > 0) return { requeueAfterMs: wait };
        const pv = cached<Pv>(sim, kube.persistentVolumes, { name: pvc.spec.volumeName });
        if (pv && parseQuantity(pv.spec?.capacity?.storage)! < parseQuantity(size)!) {
          await sim.client.patch(
            kube.persistentVolumes,
            nameOf(pv),
            undefined,
            { spec: { capacity: { storage: size } } },
            'merge',
          );
        }
        await markSimulated(sim, kube.persistentVolumeClaims, pvc);
        await sim.client.patch(
          kube.persistentVolumeClaims,
          nameOf(pvc),
          pvc.metadata.namespace,
          { status: { capacity: { storage: size } } },
          'merge',
          'status',
        );
        sim.logger.info('expanded volume', { namespace: pvc.metadata.namespace, name: nameOf(pvc), size });
        return;
      }
      const pvName = `pvc-${pvc.metadata.uid}`;
      if (await fresh(sim, kube.persistentVolumes, { name: pvName })) return; // provisioned; binding is the binder's job
      const source = dataSourceOf(pvc);
      const sourceIf = <T extends KubeObject>(kind: string, resource: ResourceDescriptor) =>
        source?.kind === kind
          ? cached<T>(sim, resource, { name: source.name, namespace: pvc.metadata.namespace })
          : undefined;
      const blocker = provisionBlocker(pvc, {
        snapshot: sourceIf<VolumeSnapshotLike>('VolumeSnapshot', engines.volumeSnapshots),
        sourcePvc: sourceIf<Pvc>('PersistentVolumeClaim', kube.persistentVolumeClaims),
      });
      if (blocker) {
        // Like external-provisioner: an Event-worthy wait, retried when the source changes.
        sim.logger.debug('waiting to provision', {
          namespace: pvc.metadata.namespace,
          name: nameOf(pvc),
          reason: blocker,
        });
        return;
      }
      const wait = sim.delays.remaining(`${key}/provision`);
      if (wait > 0) return { requeueAfterMs: wait };
      await createIfAbsent(sim, kube.persistentVolumes, pvForClaim(pvc, cls));
      sim.logger.info('provisioned volume', {
        namespace: pvc.metadata.namespace,
        name: nameOf(pvc),
        pv: pvName,
      });
    });
}

/** Delete Released volumes we provisioned whose reclaim policy is Delete. */
export function reclaimController(sim: Sim) {
  return controllerFor<Pv>(kube.persistentVolumes)
    .named('sim-csi-reclaim')
    .reconcile(async (pv) => {
      if (pv.metadata.deletionTimestamp) return;
      const ours =
        pv.metadata.annotations?.[PROVISIONED_BY] === RBD_DRIVER &&
        pv.metadata.labels?.[SIMULATED_LABEL] === 'true';
      if (!ours || pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete')
        return;
      const wait = sim.delays.remaining(`${pv.metadata.uid}/delete`);
      if (wait > 0) return { requeueAfterMs: wait };
      await deleteObject(sim.client, kube.persistentVolumes, pv);
      sim.logger.info('deleted released volume', { pv: nameOf(pv) });
    });
}

/** Register the simulated CSI provisioner/resizer and reclaimer. */
export function addCsiControllers(sim: Sim): void {
  sim.manager.add(provisionerController(sim));
  sim.manager.add(reclaimController(sim));
}
