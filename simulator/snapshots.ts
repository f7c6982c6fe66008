// SIMULATION of the CSI snapshot machinery (kubernetes-csi/external-snapshotter: the
// snapshot-controller and the csi-snapshotter sidecar) for the RBD driver:
//   - snapshot-controller: a VolumeSnapshot of a bound PVC gets its VolumeSnapshotContent
//     `snapcontent-<snapshot uid>` (cluster-scoped, pointing back at the snapshot) and mirrors
//     the content's readiness, size and creation time into its status;
//   - csi-snapshotter: a content of our driver becomes readyToUse after a delay, with a
//     snapshot handle and the source's size;
//   - a content whose snapshot is gone is deleted when its deletionPolicy is Delete (the real
//     controllers do this with finalizers; a cluster-scoped content cannot have a namespaced
//     owner reference, so the simulator does it by looking).
// A PVC restored from a snapshot is provisioned by the simulated CSI provisioner (csi.ts).
import { controllerFor } from '../operator/runtime/controller.js';
import type { KubeObject } from '../operator/runtime/store.js';
import {
  cached,
  cachedList,
  createIfAbsent,
  deleteObject,
  formatQuantity,
  fresh,
  isGone,
  markedDefault,
  markSimulated,
  nameOf,
  parseQuantity,
  RBD_DRIVER,
  SIMULATED,
  timestamp,
  writeStatus,
  type Obj,
  type Sim,
} from './common.js';
import type { Pv, Pvc } from './csi.js';
import { engines, kube } from '../operator/kinds/external.js';

export interface SnapshotError {
  message: string;
  time: string;
}
export type VolumeSnapshot = Obj<
  {
    source?: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  },
  {
    boundVolumeSnapshotContentName?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    creationTime?: string;
    error?: SnapshotError;
  }
>;
export type VolumeSnapshotContent = Obj<
  {
    volumeSnapshotRef?: {
      apiVersion?: string;
      kind?: string;
      name?: string;
      namespace?: string;
      uid?: string;
    };
    source?: { volumeHandle?: string; snapshotHandle?: string };
    driver?: string;
    deletionPolicy?: string;
    volumeSnapshotClassName?: string;
    sourceVolumeMode?: string;
  },
  {
    readyToUse?: boolean;
    restoreSize?: number;
    creationTime?: number;
    snapshotHandle?: string;
    error?: SnapshotError;
  }
>;
export type VolumeSnapshotClass = KubeObject & { driver?: string; deletionPolicy?: string };

export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';
/** Where the simulator notes the source's size on a content it creates (the CSI driver would know it). */
export const RESTORE_SIZE_ANNOTATION = 'stratus.dev/simulated-restore-size';

/** The content a dynamically provisioned snapshot is bound to (snapshot-controller's naming). */
export function contentName(snapshotUid: string): string {
  return `snapcontent-${snapshotUid}`;
}

export function snapshotClassFor(
  snapshot: VolumeSnapshot,
  classes: readonly VolumeSnapshotClass[],
): VolumeSnapshotClass | undefined {
  const wanted = snapshot.spec?.volumeSnapshotClassName;
  if (wanted) return classes.find((c) => nameOf(c) === wanted);
  return markedDefault(classes, DEFAULT_SNAPSHOT_CLASS_ANNOTATION);
}

/** Why a content cannot be created yet (snapshot-controller's messages), or undefined. */
export function snapshotBlocker(
  snapshot: VolumeSnapshot,
  pvc: Pvc | undefined,
  cls: VolumeSnapshotClass | undefined,
): string | undefined {
  const claim = snapshot.spec?.source?.persistentVolumeClaimName;
  if (!claim) return 'spec.source.persistentVolumeClaimName is empty';
  if (!pvc)
    return `failed to get input parameters to create snapshot ${nameOf(snapshot)}: "persistentvolumeclaims \\"${claim}\\" not found"`;
  if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) {
    return `the PVC ${claim} is not yet bound to a PV, will not attempt to take a snapshot`;
  }
  if (!cls) {
    return snapshot.spec?.volumeSnapshotClassName
      ? `volumesnapshotclass.snapshot.storage.k8s.io "${snapshot.spec.volumeSnapshotClassName}" not found`
      : 'cannot find default snapshot class';
  }
  return undefined;
}

/** The VolumeSnapshotContent for a snapshot of `pvc` on `pv`. */
export function contentFor(
  snapshot: VolumeSnapshot,
  pvc: Pvc,
  pv: Pv | undefined,
  cls: VolumeSnapshotClass,
): VolumeSnapshotContent {
  const size =
    parseQuantity(pvc.status?.capacity?.storage) ??
    parseQuantity(pvc.spec?.resources?.requests?.storage) ??
    0n;
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: {
      name: contentName(snapshot.metadata.uid ?? ''),
      labels: { ...SIMULATED },
      annotations: { [RESTORE_SIZE_ANNOTATION]: String(size) },
    },
    spec: {
      volumeSnapshotRef: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        name: nameOf(snapshot),
        namespace: snapshot.metadata.namespace,
        uid: snapshot.metadata.uid,
      },
      source: { volumeHandle: pv?.spec?.csi?.volumeHandle ?? `pvc-${pvc.metadata.uid}` },
      driver: cls.driver ?? RBD_DRIVER,
      deletionPolicy: cls.deletionPolicy ?? 'Delete',
      volumeSnapshotClassName: nameOf(cls),
      sourceVolumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
    },
  };
}

/** VolumeSnapshot.status from its content (or from why there is none yet). */
export function snapshotStatus(
  snapshot: VolumeSnapshot,
  content: VolumeSnapshotContent | undefined,
  blocker: string | undefined,
  now: string,
): Record<string, unknown> {
  if (blocker) {
    const previous = snapshot.status?.error;
    const error = { message: blocker, time: previous?.message === blocker ? previous.time : now };
    return {
      readyToUse: false,
      error,
      ...(snapshot.status?.boundVolumeSnapshotContentName
        ? { boundVolumeSnapshotContentName: snapshot.status.boundVolumeSnapshotContentName }
        : {}),
    };
  }
  if (!content) return { readyToUse: false };
  const status: Record<string, unknown> = {
    boundVolumeSnapshotContentName: nameOf(content),
    readyToUse: content.status?.readyToUse ?? false,
  };
  if (content.status?.creationTime !== undefined) {
    status.creationTime = timestamp(new Date(Math.floor(content.status.creationTime / 1e6)));
  }
  if (content.status?.restoreSize !== undefined) {
    status.restoreSize = formatQuantity(BigInt(content.status.restoreSize));
  }
  return status;
}

// ---------------------------------------------------------------------------------------

export function snapshotController(sim: Sim) {
  const snapshotsOf = (namespace: string | undefined, claim: string) =>
    cachedList<VolumeSnapshot>(sim, engines.volumeSnapshots, namespace)
      .filter((s) => s.spec?.source?.persistentVolumeClaimName === claim)
      .map((s) => ({ name: nameOf(s), namespace: s.metadata.namespace }));
  return controllerFor<VolumeSnapshot>(engines.volumeSnapshots)
    .named('sim-snapshot-controller')
    .watches<Pvc>(kube.persistentVolumeClaims, (pvc) => snapshotsOf(pvc.metadata.namespace, nameOf(pvc)))
    .watches<VolumeSnapshotContent>(engines.volumeSnapshotContents, (c) =>
      c.spec?.volumeSnapshotRef?.name
        ? [{ name: c.spec.volumeSnapshotRef.name, namespace: c.spec.volumeSnapshotRef.namespace }]
        : [],
    )
    .watches<VolumeSnapshotClass>(engines.volumeSnapshotClasses, () => [])
    .reconcile(async (snapshot) => {
      if (snapshot.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      await markSimulated(sim, engines.volumeSnapshots, snapshot);
      const ns = snapshot.metadata.namespace;
      const preBound = snapshot.spec?.source?.volumeSnapshotContentName;
      if (preBound) {
        // A pre-provisioned snapshot: bind to the named content.
        const content = cached<VolumeSnapshotContent>(sim, engines.volumeSnapshotContents, {
          name: preBound,
        });
        await writeStatus(
          sim,
          engines.volumeSnapshots,
          snapshot,
          snapshotStatus(
            snapshot,
            content,
            content ? undefined : `volumesnapshotcontent ${preBound} not found`,
            now,
          ),
        );
        return;
      }
      const name = contentName(snapshot.metadata.uid ?? '');
      let content = await fresh<VolumeSnapshotContent>(sim, engines.volumeSnapshotContents, { name });
      let blocker: string | undefined;
      if (!content) {
        const claim = snapshot.spec?.source?.persistentVolumeClaimName ?? '';
        const pvc = claim
          ? cached<Pvc>(sim, kube.persistentVolumeClaims, { name: claim, namespace: ns })
          : undefined;
        const cls = snapshotClassFor(
          snapshot,
          cachedList<VolumeSnapshotClass>(sim, engines.volumeSnapshotClasses),
        );
        blocker = snapshotBlocker(snapshot, pvc, cls);
        if (!blocker && pvc && cls) {
          const pv = pvc.spec?.volumeName
            ? cached<Pv>(sim, kube.persistentVolumes, { name: pvc.spec.volumeName })
            : undefined;
          content =
            (await createIfAbsent(sim, engines.volumeSnapshotContents, contentFor(snapshot, pvc, pv, cls))) ??
            content;
          sim.logger.info('created snapshot content', {
            namespace: ns,
            name: nameOf(snapshot),
            content: name,
          });
        }
      }
      await writeStatus(
        sim,
        engines.volumeSnapshots,
        snapshot,
        snapshotStatus(snapshot, content, blocker, now),
      );
    });
}

/** csi-snapshotter for our driver, and cleanup of contents whose snapshot is gone. */
export function contentController(sim: Sim) {
  return controllerFor<VolumeSnapshotContent>(engines.volumeSnapshotContents)
    .named('sim-csi-snapshotter')
    .watches<VolumeSnapshot>(engines.volumeSnapshots, (s) => [{ name: contentName(s.metadata.uid ?? '') }])
    .reconcile(async (content) => {
      if (content.metadata.deletionTimestamp) return;
      const ref = content.spec?.volumeSnapshotRef;
      if (ref?.name && ref.namespace) {
        if (
          await isGone(sim, engines.volumeSnapshots, { name: ref.name, namespace: ref.namespace }, ref.uid)
        ) {
          if (content.spec?.deletionPolicy === 'Delete') {
            await deleteObject(sim.client, engines.volumeSnapshotContents, content);
            sim.logger.info('deleted snapshot content of a deleted snapshot', { content: nameOf(content) });
          }
          return;
        }
      }
      if (content.spec?.driver !== RBD_DRIVER || content.status?.readyToUse) return;
      await markSimulated(sim, engines.volumeSnapshotContents, content);
      const wait = sim.delays.remaining(`${content.metadata.uid}/snapshot`);
      if (wait > 0) return { requeueAfterMs: wait };
      const size = content.metadata.annotations?.[RESTORE_SIZE_ANNOTATION];
      await writeStatus(sim, engines.volumeSnapshotContents, content, {
        // Nanoseconds since the epoch, as the CSI sidecar reports it.
        creationTime: sim.now().getTime() * 1e6,
        readyToUse: true,
        restoreSize: size !== undefined ? Number(size) : 0,
        snapshotHandle: `0001-0009-rook-ceph-0000000000000002-${content.metadata.uid}`,
      });
    });
}

/** Register the simulated snapshot-controller and csi-snapshotter. */
export function addSnapshotControllers(sim: Sim): void {
  sim.manager.add(snapshotController(sim));
  sim.manager.add(contentController(sim));
}
