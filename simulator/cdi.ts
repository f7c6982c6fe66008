// SIMULATION of CDI, the Containerized Data Importer (kubevirt/containerized-data-importer
// pkg/controller): no importer pod runs and no byte is copied. What is simulated is how a
// DataVolume and a DataSource report progress through the API:
//   - DataVolume → a PVC of the same name (controller owner reference to the DataVolume),
//     provisioned by the simulated CSI driver and bound by the real PV binder; then the
//     phases CDI shows: Pending → ImportScheduled → ImportInProgress (progress "N.NN%") →
//     Succeeded for http/registry/s3/gcs/imageio/vddk; CloneScheduled → CSICloneInProgress →
//     Succeeded for a PVC source or a DataSource (sourceRef), once the source PVC exists and
//     is bound; CloneScheduled → CloneFromSnapshotSourceInProgress → Succeeded for a
//     snapshot source; blank → Succeeded; upload → UploadReady.
//   - DataSource → Ready when its source PVC exists (and a DataVolume of that name, if any,
//     has Succeeded), as CDI's datasource-controller decides.
//
// Failure convention (simulation only; documented in README.md):
//   - an import URL whose host ends in `.invalid` or that contains `simulate-failure` fails
//     the way an unreachable server fails in CDI: the importer keeps restarting, so the
//     phase stays ImportInProgress, condition Running=False reason Error with a message
//     "Unable to connect to http data source: ... (simulated)", and status.restartCount
//     grows with each retry. KubeVirt shows a VM using it as DataVolumeError.
//   - a URL containing `simulate-fatal` fails the way a checksum mismatch does: phase Failed,
//     Running=False reason ChecksumError (CDI's only fatal import error).
import { controllerFor } from '../operator/runtime/controller.js';
import type { KubeObject } from '../operator/runtime/store.js';
import {
  cached,
  cachedList,
  compact,
  conditionOf,
  controllerRef,
  createIfAbsent,
  formatQuantity,
  markSimulated,
  nameOf,
  refsOf,
  parseQuantity,
  setCondition,
  SIMULATED,
  timestamp,
  writeStatus,
  type CdiCondition,
  type Obj,
  type Sim,
} from './common.js';
import { classOf, storageProfile, type Pvc, type PvcSpec, type StorageClass } from './csi.js';
import type { VolumeSnapshot } from './snapshots.js';
import { engines, kube } from '../operator/kinds/external.js';

/** A DataVolume's `storage`: the claim fields CDI completes from the class's StorageProfile. */
type StorageSpec = Pick<PvcSpec, 'accessModes' | 'resources' | 'storageClassName' | 'volumeMode'>;
export interface DataVolumeSpec {
  source?: {
    http?: { url?: string };
    registry?: { url?: string };
    s3?: { url?: string };
    gcs?: { url?: string };
    imageio?: { url?: string };
    vddk?: { url?: string };
    upload?: Record<string, unknown>;
    blank?: Record<string, unknown>;
    pvc?: { namespace?: string; name?: string };
    snapshot?: { namespace?: string; name?: string };
  };
  sourceRef?: { kind?: string; namespace?: string; name?: string };
  pvc?: StorageSpec;
  storage?: StorageSpec;
  contentType?: string;
}
export interface DataVolumeStatus {
  phase?: string;
  progress?: string;
  restartCount?: number;
  claimName?: string;
  conditions?: CdiCondition[];
}
export type DataVolume = Obj<DataVolumeSpec, DataVolumeStatus>;
export type DataSource = Obj<
  {
    source?: {
      pvc?: { namespace?: string; name?: string };
      snapshot?: { namespace?: string; name?: string };
    };
  },
  { conditions?: CdiCondition[]; source?: unknown }
>;

/** What a DataVolume copies from. */
export type DataVolumeSource =
  | { kind: 'import'; url: string; scheme: string }
  | { kind: 'blank' }
  | { kind: 'upload' }
  | { kind: 'clone'; namespace: string; name: string }
  | { kind: 'snapshot'; namespace: string; name: string }
  | { kind: 'unresolved'; reason: string; message: string };

/** Resolve a DataVolume's source; a sourceRef is followed to its DataSource (`dataSources` lookup). */
export function sourceOf(
  dv: DataVolume,
  dataSource: (namespace: string, name: string) => DataSource | undefined,
): DataVolumeSource {
  const ns = dv.metadata.namespace ?? '';
  const source = dv.spec?.source;
  for (const scheme of ['http', 'registry', 's3', 'gcs', 'imageio', 'vddk'] as const) {
    const s = source?.[scheme];
    if (s) return { kind: 'import', url: s.url ?? '', scheme };
  }
  if (source?.blank) return { kind: 'blank' };
  if (source?.upload) return { kind: 'upload' };
  if (source?.pvc?.name)
    return { kind: 'clone', namespace: source.pvc.namespace || ns, name: source.pvc.name };
  if (source?.snapshot?.name) {
    return { kind: 'snapshot', namespace: source.snapshot.namespace || ns, name: source.snapshot.name };
  }
  const ref = dv.spec?.sourceRef;
  if (ref?.name) {
    if (ref.kind && ref.kind !== 'DataSource') {
      return {
        kind: 'unresolved',
        reason: 'InvalidSourceRef',
        message: `sourceRef kind ${ref.kind} is not supported`,
      };
    }
    const dsNamespace = ref.namespace || ns;
    const ds = dataSource(dsNamespace, ref.name);
    if (!ds) {
      return {
        kind: 'unresolved',
        reason: 'NotFound',
        message: `DataSource ${dsNamespace}/${ref.name} not found`,
      };
    }
    const dsSource = ds.spec?.source;
    if (dsSource?.pvc?.name)
      return { kind: 'clone', namespace: dsSource.pvc.namespace || dsNamespace, name: dsSource.pvc.name };
    if (dsSource?.snapshot?.name) {
      return {
        kind: 'snapshot',
        namespace: dsSource.snapshot.namespace || dsNamespace,
        name: dsSource.snapshot.name,
      };
    }
    return {
      kind: 'unresolved',
      reason: 'NoSource',
      message: `DataSource ${dsNamespace}/${ref.name} has no source`,
    };
  }
  return { kind: 'unresolved', reason: 'NoSource', message: 'the DataVolume names no source' };
}

/** The simulated import failure a URL asks for (see the header), if any. */
export function simulatedFailure(url: string): { fatal: boolean; message: string } | undefined {
  if (url.includes('simulate-fatal')) {
    return { fatal: true, message: 'Unable to process data: checksum mismatch (simulated)' };
  }
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return {
      fatal: false,
      message: `Unable to connect to http data source: invalid URL "${url}" (simulated)`,
    };
  }
  if (host.endsWith('.invalid') || url.includes('simulate-failure')) {
    return {
      fatal: false,
      message: `Unable to connect to http data source: Get "${url}": dial tcp: lookup ${host}: no such host (simulated)`,
    };
  }
  return undefined;
}

/**
 * The claim CDI creates for a DataVolume: `spec.pvc` as given, or `spec.storage` completed
 * from the class's StorageProfile (RBD: ReadWriteMany + Block), the default class when none
 * is named, and the source's size when none is requested (clones).
 */
export function claimSpecFor(
  dv: DataVolume,
  classes: readonly StorageClass[],
  sourceSize: bigint | undefined,
): PvcSpec | { error: string } {
  const given = dv.spec?.pvc ?? dv.spec?.storage;
  if (!given) return { error: 'the DataVolume has neither spec.pvc nor spec.storage' };
  const className = given.storageClassName;
  const cls = classOf({ metadata: {}, spec: { storageClassName: className } }, classes);
  const profile = storageProfile(cls);
  const fromStorage = !dv.spec?.pvc;
  const size =
    given.resources?.requests?.storage ?? (sourceSize !== undefined ? formatQuantity(sourceSize) : undefined);
  if (!size) return { error: 'the DataVolume requests no storage size and its source has none to copy' };
  return compact({
    accessModes: given.accessModes ?? (fromStorage ? profile.accessModes : ['ReadWriteOnce']),
    volumeMode: given.volumeMode ?? (fromStorage ? profile.volumeMode : 'Filesystem'),
    resources: { requests: { storage: size } },
    storageClassName: className ?? (cls ? nameOf(cls) : undefined),
  });
}

/** The claim object for a DataVolume. */
export function claimFor(dv: DataVolume, spec: PvcSpec, source: DataVolumeSource): Pvc {
  const annotations: Record<string, string> = {
    'cdi.kubevirt.io/storage.contentType': dv.spec?.contentType ?? 'kubevirt',
  };
  if (source.kind === 'import') annotations['cdi.kubevirt.io/storage.import.endpoint'] = source.url;
  if (source.kind === 'clone') annotations['k8s.io/CloneRequest'] = `${source.namespace}/${source.name}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: nameOf(dv),
      namespace: dv.metadata.namespace,
      labels: {
        app: 'containerized-data-importer',
        'app.kubernetes.io/component': 'storage',
        'app.kubernetes.io/managed-by': 'cdi-controller',
        ...SIMULATED,
      },
      annotations,
      ownerReferences: [controllerRef(dv, engines.dataVolumes)],
    },
    spec,
  };
}

/** Import progress steps (percent) between ImportInProgress and Succeeded. */
export const PROGRESS_STEPS = ['0.00%', '27.43%', '58.12%', '89.90%'] as const;

export interface DataVolumeWorld {
  source: DataVolumeSource;
  /** The DataVolume's own claim. */
  claim?: Pvc;
  /** For clones: the source claim, and the DataVolume that populates it (if any). */
  sourceClaim?: Pvc;
  sourceDataVolume?: DataVolume;
  /** For snapshot sources: whether the snapshot is ready. */
  snapshotReady?: boolean;
  /** Whether the delay of the step the DataVolume is in has elapsed. */
  stepDue: boolean;
}

export interface DataVolumeDecision {
  status: DataVolumeStatus;
  /** Create the claim (the source is ready). */
  createClaim: boolean;
  /** The status changes only when the step's delay has elapsed: requeue for it. */
  waitingForStep: boolean;
}

const IN_PROGRESS: Record<string, string> = {
  clone: 'CSICloneInProgress',
  snapshot: 'CloneFromSnapshotSourceInProgress',
};

/**
 * The next status of a DataVolume, from its current status and what exists. Pure: one step
 * at most per call, so each step can take its (simulated) time.
 */
export function nextDataVolumeStatus(
  dv: DataVolume,
  world: DataVolumeWorld,
  now: string,
): DataVolumeDecision {
  const current = dv.status ?? {};
  let conditions = current.conditions;
  const set = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string) => {
    conditions = setCondition('cdi', conditions, { type, status, reason, message }, now);
  };
  const claimName = nameOf(dv);
  const result = (
    phase: string,
    extra: Partial<DataVolumeStatus> = {},
    flags: Partial<Omit<DataVolumeDecision, 'status'>> = {},
  ): DataVolumeDecision => ({
    status: compact({
      phase,
      progress: extra.progress ?? current.progress ?? 'N/A',
      restartCount: extra.restartCount ?? current.restartCount ?? 0,
      claimName,
      conditions,
    }),
    createClaim: flags.createClaim ?? false,
    waitingForStep: flags.waitingForStep ?? false,
  });
  const { source, claim } = world;
  if (current.phase === 'Succeeded' || current.phase === 'Failed') {
    return { status: current, createClaim: false, waitingForStep: false };
  }
  if (source.kind === 'unresolved') {
    set('Bound', 'False', source.reason, `${source.message} (simulated)`);
    set('Ready', 'False', '', '');
    set('Running', 'False', source.reason, source.message);
    return result('Pending');
  }
  const cloning = source.kind === 'clone' || source.kind === 'snapshot';
  if (!claim) {
    if (source.kind === 'clone') {
      const src = world.sourceClaim;
      const populating = world.sourceDataVolume;
      let problem: string | undefined;
      if (!src) problem = `source PVC ${source.namespace}/${source.name} not found`;
      else if (src.status?.phase !== 'Bound')
        problem = `source PVC ${source.namespace}/${source.name} is not bound`;
      // CDI clones only a populated source: one its own DataVolume has finished writing.
      else if (populating && populating.status?.phase !== 'Succeeded') {
        problem = `source PVC ${source.namespace}/${source.name} is not populated yet`;
      }
      if (problem) {
        set('Bound', 'False', 'Pending', `${problem} (simulated)`);
        set('Ready', 'False', '', '');
        set('Running', 'False', 'Pending', 'Clone Pending');
        return result('CloneScheduled');
      }
    }
    if (source.kind === 'snapshot' && !world.snapshotReady) {
      set(
        'Bound',
        'False',
        'Pending',
        `snapshot ${source.namespace}/${source.name} is not ready (simulated)`,
      );
      set('Ready', 'False', '', '');
      set('Running', 'False', 'Pending', 'Clone Pending');
      return result('CloneScheduled');
    }
    set('Bound', 'False', 'Pending', `PVC ${claimName} Pending`);
    set('Ready', 'False', '', '');
    set('Running', 'False', '', '');
    return result(cloning ? 'CloneScheduled' : 'Pending', {}, { createClaim: true });
  }
  if (claim.status?.phase !== 'Bound') {
    set('Bound', 'False', 'Pending', `PVC ${claimName} Pending`);
    set('Ready', 'False', '', '');
    return result(cloning ? 'CloneScheduled' : 'Pending');
  }
  set('Bound', 'True', 'Bound', `PVC ${claimName} Bound`);
  const step = (next: DataVolumeDecision) =>
    world.stepDue
      ? next
      : { status: current.phase ? current : next.status, createClaim: false, waitingForStep: true };
  const succeed = (message: string) => {
    set('Ready', 'True', '', '');
    set('Running', 'False', 'Completed', message);
    return result('Succeeded', { progress: '100.0%' });
  };

  switch (source.kind) {
    case 'blank':
      return step(succeed('Import Complete'));
    case 'upload':
      if (current.phase === 'UploadReady') return result('UploadReady');
      set('Ready', 'False', '', '');
      set('Running', 'True', 'Pod is running', '');
      return step(result(current.phase === 'UploadScheduled' ? 'UploadReady' : 'UploadScheduled'));
    case 'clone':
    case 'snapshot': {
      const inProgress = IN_PROGRESS[source.kind]!;
      if (current.phase === inProgress) return step(succeed('Clone Complete'));
      set('Ready', 'False', '', '');
      set('Running', 'True', 'Pod is running', '');
      return step(result(inProgress, { progress: 'N/A' }));
    }
    case 'import': {
      if (current.phase !== 'ImportScheduled' && current.phase !== 'ImportInProgress') {
        set('Ready', 'False', '', '');
        set('Running', 'False', 'Pending', 'Import pod pending');
        return result('ImportScheduled', { progress: 'N/A' });
      }
      if (current.phase === 'ImportScheduled') {
        set('Ready', 'False', 'TransferRunning', '');
        set('Running', 'True', 'Pod is running', '');
        return step(result('ImportInProgress', { progress: PROGRESS_STEPS[0] }));
      }
      const failure = simulatedFailure(source.url);
      if (failure?.fatal) {
        set('Ready', 'False', '', '');
        set('Running', 'False', 'ChecksumError', failure.message);
        return step(result('Failed', { restartCount: (current.restartCount ?? 0) + 1 }));
      }
      if (failure) {
        // The importer pod crashes and restarts: one more restart per step.
        set('Ready', 'False', '', '');
        set('Running', 'False', 'Error', failure.message);
        return step(result('ImportInProgress', { restartCount: (current.restartCount ?? 0) + 1 }));
      }
      const index = PROGRESS_STEPS.indexOf((current.progress ?? '') as (typeof PROGRESS_STEPS)[number]);
      if (index >= 0 && index < PROGRESS_STEPS.length - 1) {
        return step(result('ImportInProgress', { progress: PROGRESS_STEPS[index + 1] }));
      }
      return step(succeed('Import Complete'));
    }
  }
}

/** DataSource.status as CDI's datasource-controller reports it. */
export function dataSourceStatus(
  ds: DataSource,
  world: { pvc?: Pvc; dv?: DataVolume; snapshot?: VolumeSnapshot },
  now: string,
): Record<string, unknown> {
  const source = ds.spec?.source ?? {};
  let condition: { status: 'True' | 'False'; message: string; reason: string };
  if (source.pvc?.name) {
    if (world.dv && world.dv.status?.phase !== 'Succeeded') {
      const phase = world.dv.status?.phase ?? '';
      condition = { status: 'False', message: `Import DataVolume phase ${phase}`, reason: phase };
    } else if (!world.dv && !world.pvc) {
      condition = { status: 'False', message: 'PVC not found', reason: 'NotFound' };
    } else {
      condition = { status: 'True', message: 'DataSource is ready to be consumed', reason: 'Ready' };
    }
  } else if (source.snapshot?.name) {
    condition = !world.snapshot
      ? { status: 'False', message: 'Snapshot not found', reason: 'NotFound' }
      : world.snapshot.status?.readyToUse
        ? { status: 'True', message: 'DataSource is ready to be consumed', reason: 'Ready' }
        : { status: 'False', message: 'Snapshot phase is not ready', reason: 'SnapshotNotReady' };
  } else {
    condition = { status: 'False', message: 'No source PVC set', reason: 'NoSource' };
  }
  return {
    source,
    conditions: setCondition('cdi', ds.status?.conditions, { type: 'Ready', ...condition }, now),
  };
}

// ---------------------------------------------------------------------------------------

export function dataVolumeController(sim: Sim) {
  const dvs = () => cachedList<DataVolume>(sim, engines.dataVolumes);
  const lookupDataSource = (namespace: string, name: string) =>
    cached<DataSource>(sim, engines.dataSources, { name, namespace });
  const sourceFor = (dv: DataVolume) => sourceOf(dv, lookupDataSource);
  return controllerFor<DataVolume>(engines.dataVolumes)
    .named('sim-cdi-datavolume')
    .owns(kube.persistentVolumeClaims)
    .watches<Pvc>(kube.persistentVolumeClaims, (pvc) =>
      refsOf(
        dvs().filter((dv) => {
          const s = sourceFor(dv);
          return s.kind === 'clone' && s.namespace === pvc.metadata.namespace && s.name === nameOf(pvc);
        }),
      ),
    )
    .watches<DataVolume>(engines.dataVolumes, (src) =>
      refsOf(
        dvs().filter((dv) => {
          const s = sourceFor(dv);
          return s.kind === 'clone' && s.namespace === src.metadata.namespace && s.name === nameOf(src);
        }),
      ),
    )
    .watches<DataSource>(engines.dataSources, (ds) =>
      refsOf(
        dvs().filter(
          (dv) =>
            dv.spec?.sourceRef?.name === nameOf(ds) &&
            (dv.spec.sourceRef.namespace || dv.metadata.namespace) === ds.metadata.namespace,
        ),
      ),
    )
    .watches<VolumeSnapshot>(engines.volumeSnapshots, (vs) =>
      refsOf(
        dvs().filter((dv) => {
          const s = sourceFor(dv);
          return s.kind === 'snapshot' && s.namespace === vs.metadata.namespace && s.name === nameOf(vs);
        }),
      ),
    )
    .watches<StorageClass>(kube.storageClasses, () => [])
    .reconcile(async (dv) => {
      if (dv.metadata.deletionTimestamp) return;
      const ns = dv.metadata.namespace;
      await markSimulated(sim, engines.dataVolumes, dv);
      const source = sourceFor(dv);
      const claim = cached<Pvc>(sim, kube.persistentVolumeClaims, { name: nameOf(dv), namespace: ns });
      const sourceClaim =
        source.kind === 'clone'
          ? cached<Pvc>(sim, kube.persistentVolumeClaims, { name: source.name, namespace: source.namespace })
          : undefined;
      const sourceDataVolume =
        source.kind === 'clone'
          ? cached<DataVolume>(sim, engines.dataVolumes, { name: source.name, namespace: source.namespace })
          : undefined;
      const snapshot =
        source.kind === 'snapshot'
          ? cached<VolumeSnapshot>(sim, engines.volumeSnapshots, {
              name: source.name,
              namespace: source.namespace,
            })
          : undefined;
      const stepKey = `${dv.metadata.uid}/${dv.status?.phase ?? ''}/${dv.status?.progress ?? ''}/${dv.status?.restartCount ?? 0}`;
      // A failing import retries more slowly than a step progresses, as a crash-looping pod does.
      const failing = conditionOf(dv.status?.conditions, 'Running')?.reason === 'Error';
      const wait = failing
        ? sim.delays.remaining(`${stepKey}/retry`, Math.max(1000, 10 * sim.delays.range.maxMs))
        : sim.delays.remaining(stepKey);
      const now = timestamp(sim.now());
      const decision = nextDataVolumeStatus(
        dv,
        {
          source,
          claim,
          sourceClaim,
          sourceDataVolume,
          snapshotReady: snapshot?.status?.readyToUse === true,
          stepDue: wait === 0,
        },
        now,
      );
      if (decision.createClaim) {
        const sourceSize =
          source.kind === 'clone'
            ? (parseQuantity(sourceClaim?.status?.capacity?.storage) ??
              parseQuantity(sourceClaim?.spec?.resources?.requests?.storage))
            : source.kind === 'snapshot'
              ? parseQuantity(snapshot?.status?.restoreSize)
              : undefined;
        const spec = claimSpecFor(dv, cachedList<StorageClass>(sim, kube.storageClasses), sourceSize);
        if ('error' in spec) {
          const invalid = nextDataVolumeStatus(
            dv,
            {
              source: { kind: 'unresolved', reason: 'ErrClaimNotValid', message: spec.error },
              stepDue: false,
            },
            now,
          );
          await writeStatus(sim, engines.dataVolumes, dv, { ...invalid.status });
          return;
        }
        await createIfAbsent(sim, kube.persistentVolumeClaims, claimFor(dv, spec, source));
        sim.logger.info('created the claim of a DataVolume', {
          namespace: ns,
          name: nameOf(dv),
          source: source.kind,
        });
      }
      // Each written step comes back through the watch and starts the next step's clock.
      await writeStatus(sim, engines.dataVolumes, dv, { ...decision.status });
      if (decision.waitingForStep) return { requeueAfterMs: Math.max(wait, 1) };
    });
}

export function dataSourceController(sim: Sim) {
  const dss = () => cachedList<DataSource>(sim, engines.dataSources);
  const bySource = (kind: 'pvc' | 'snapshot') => (o: KubeObject) =>
    refsOf(
      dss().filter((ds) => {
        const s = ds.spec?.source?.[kind];
        return s?.name === nameOf(o) && (s.namespace || ds.metadata.namespace) === o.metadata?.namespace;
      }),
    );
  return controllerFor<DataSource>(engines.dataSources)
    .named('sim-cdi-datasource')
    .watches(kube.persistentVolumeClaims, bySource('pvc'))
    .watches(engines.dataVolumes, bySource('pvc'))
    .watches(engines.volumeSnapshots, bySource('snapshot'))
    .reconcile(async (ds) => {
      if (ds.metadata.deletionTimestamp) return;
      const source = ds.spec?.source ?? {};
      const ns = ds.metadata.namespace;
      const pvcRef = source.pvc?.name
        ? { name: source.pvc.name, namespace: source.pvc.namespace || ns }
        : undefined;
      const snapRef = source.snapshot?.name
        ? { name: source.snapshot.name, namespace: source.snapshot.namespace || ns }
        : undefined;
      const status = dataSourceStatus(
        ds,
        {
          pvc: pvcRef && cached<Pvc>(sim, kube.persistentVolumeClaims, pvcRef),
          dv: pvcRef && cached<DataVolume>(sim, engines.dataVolumes, pvcRef),
          snapshot: snapRef && cached<VolumeSnapshot>(sim, engines.volumeSnapshots, snapRef),
        },
        timestamp(sim.now()),
      );
      // CDI's DataSource has no status subresource: the status goes with the object.
      await writeStatus(sim, engines.dataSources, ds, status, { subresource: false, labels: SIMULATED });
    });
}

/** Register the simulated CDI controllers. */
export function addCdiControllers(sim: Sim): void {
  sim.manager.add(dataVolumeController(sim));
  sim.manager.add(dataSourceController(sim));
}
