import { describe, expect, it } from 'vitest';
import {
  claimFor,
  claimSpecFor,
  dataSourceStatus,
  nextDataVolumeStatus,
  PROGRESS_STEPS,
  simulatedFailure,
  sourceOf,
  type DataSource,
  type DataVolume,
  type DataVolumeWorld,
} from './cdi.js';
import { conditionOf } from './common.js';
import type { Pvc, StorageClass } from './csi.js';

const dv = (spec: DataVolume['spec'], status?: DataVolume['status']): DataVolume => ({
  metadata: { name: 'disk', namespace: 'demo', uid: 'dv-uid' },
  spec,
  status,
});
const bound: Pvc = { metadata: { name: 'disk', namespace: 'demo' }, status: { phase: 'Bound' } };
const classes: StorageClass[] = [
  {
    metadata: { name: 'rbd', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rook-ceph.rbd.csi.ceph.com',
  },
  { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path' },
];
const http = {
  source: { http: { url: 'https://example.com/cirros.img' } },
  storage: { resources: { requests: { storage: '1Gi' } } },
};

describe('sources', () => {
  it('resolves every kind of source, following a sourceRef to its DataSource', () => {
    const none = () => undefined;
    expect(sourceOf(dv(http), none)).toEqual({
      kind: 'import',
      url: 'https://example.com/cirros.img',
      scheme: 'http',
    });
    expect(sourceOf(dv({ source: { registry: { url: 'docker://x' } } }), none)).toMatchObject({
      kind: 'import',
      scheme: 'registry',
    });
    expect(sourceOf(dv({ source: { blank: {} } }), none)).toEqual({ kind: 'blank' });
    expect(sourceOf(dv({ source: { pvc: { name: 'golden' } } }), none)).toEqual({
      kind: 'clone',
      namespace: 'demo',
      name: 'golden',
    });
    expect(sourceOf(dv({ source: { snapshot: { name: 's', namespace: 'x' } } }), none)).toEqual({
      kind: 'snapshot',
      namespace: 'x',
      name: 's',
    });
    const ds: DataSource = {
      metadata: { name: 'cirros', namespace: 'public' },
      spec: { source: { pvc: { name: 'cirros-golden' } } },
    };
    const lookup = (ns: string, name: string) => (ns === 'public' && name === 'cirros' ? ds : undefined);
    expect(
      sourceOf(dv({ sourceRef: { kind: 'DataSource', namespace: 'public', name: 'cirros' } }), lookup),
    ).toEqual({
      kind: 'clone',
      namespace: 'public',
      name: 'cirros-golden',
    });
    expect(sourceOf(dv({ sourceRef: { kind: 'DataSource', name: 'cirros' } }), lookup)).toMatchObject({
      kind: 'unresolved',
      reason: 'NotFound',
    });
  });

  it('knows the simulated failure convention', () => {
    expect(simulatedFailure('https://example.com/ok.img')).toBeUndefined();
    expect(simulatedFailure('https://images.invalid/x.img')).toMatchObject({ fatal: false });
    expect(simulatedFailure('https://example.com/simulate-failure.img')?.message).toMatch(
      /^Unable to connect to http data source: .*\(simulated\)$/,
    );
    expect(simulatedFailure('https://example.com/simulate-fatal.img')).toMatchObject({ fatal: true });
  });
});

describe('the claim of a DataVolume', () => {
  it('completes spec.storage from the StorageProfile of the (default) class', () => {
    expect(claimSpecFor(dv(http), classes, undefined)).toEqual({
      accessModes: ['ReadWriteMany'],
      volumeMode: 'Block',
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'rbd',
    });
    expect(claimSpecFor(dv({ storage: { storageClassName: 'local' } }), classes, 5n << 30n)).toEqual({
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      resources: { requests: { storage: '5Gi' } },
      storageClassName: 'local',
    });
    expect(claimSpecFor(dv({ storage: {} }), classes, undefined)).toMatchObject({
      error: expect.stringMatching(/size/) as string,
    });
    expect(claimSpecFor(dv({}), classes, undefined)).toMatchObject({
      error: expect.stringMatching(/spec.pvc/) as string,
    });
  });

  it('takes spec.pvc as given', () => {
    const spec = claimSpecFor(
      dv({ pvc: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } }),
      classes,
      undefined,
    );
    expect(spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      resources: { requests: { storage: '2Gi' } },
      storageClassName: 'rbd',
    });
  });

  it('is owned by the DataVolume and labelled', () => {
    const claim = claimFor(
      dv(http),
      { resources: { requests: { storage: '1Gi' } } },
      { kind: 'import', url: 'u', scheme: 'http' },
    );
    expect(claim.metadata).toMatchObject({
      name: 'disk',
      namespace: 'demo',
      labels: { app: 'containerized-data-importer', 'stratus.dev/simulated': 'true' },
      annotations: { 'cdi.kubevirt.io/storage.import.endpoint': 'u' },
    });
    expect(claim.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DataVolume',
      uid: 'dv-uid',
      controller: true,
    });
  });
});

describe('DataVolume phases', () => {
  /** Run the state machine to a fixed point, each step due at once, recording the phases. */
  function run(
    start: DataVolume,
    world: Omit<DataVolumeWorld, 'stepDue'>,
    max = 20,
  ): { phases: string[]; last: DataVolume } {
    let current = start;
    const phases: string[] = [];
    for (let i = 0; i < max; i++) {
      const { status } = nextDataVolumeStatus(current, { ...world, stepDue: true }, `t${i}`);
      if (status.phase && phases[phases.length - 1] !== status.phase) phases.push(status.phase);
      if (JSON.stringify(status) === JSON.stringify(current.status)) break;
      current = { ...current, status };
    }
    return { phases, last: current };
  }

  it('creates the claim, then imports step by step to Succeeded', () => {
    const first = nextDataVolumeStatus(
      dv(http),
      { source: sourceOf(dv(http), () => undefined), stepDue: true },
      't',
    );
    expect(first).toMatchObject({ createClaim: true, status: { phase: 'Pending', claimName: 'disk' } });
    const { phases, last } = run(dv(http, first.status), {
      source: sourceOf(dv(http), () => undefined),
      claim: bound,
    });
    expect(phases).toEqual(['ImportScheduled', 'ImportInProgress', 'Succeeded']);
    expect(last.status).toMatchObject({ progress: '100.0%', restartCount: 0 });
    expect(conditionOf(last.status?.conditions, 'Ready')?.status).toBe('True');
    expect(conditionOf(last.status?.conditions, 'Running')).toMatchObject({
      status: 'False',
      reason: 'Completed',
    });
  });

  it('reports progress through the import', () => {
    const progress: string[] = [];
    let current = dv(http, { phase: 'ImportScheduled' });
    for (let i = 0; i < 6; i++) {
      current = {
        ...current,
        status: nextDataVolumeStatus(
          current,
          { source: sourceOf(current, () => undefined), claim: bound, stepDue: true },
          't',
        ).status,
      };
      progress.push(current.status?.progress ?? '');
    }
    expect(progress).toEqual([...PROGRESS_STEPS, '100.0%', '100.0%']);
  });

  it('waits for the step delay', () => {
    const current = dv(http, { phase: 'ImportScheduled', progress: 'N/A' });
    const d = nextDataVolumeStatus(
      current,
      { source: sourceOf(current, () => undefined), claim: bound, stepDue: false },
      't',
    );
    expect(d).toMatchObject({ waitingForStep: true, status: { phase: 'ImportScheduled' } });
  });

  it('keeps restarting an unreachable import and fails a fatal one', () => {
    const unreachable = dv(
      { ...http, source: { http: { url: 'https://x.invalid/a' } } },
      { phase: 'ImportInProgress', progress: '0.00%' },
    );
    const once = nextDataVolumeStatus(
      unreachable,
      { source: sourceOf(unreachable, () => undefined), claim: bound, stepDue: true },
      't',
    );
    expect(once.status).toMatchObject({ phase: 'ImportInProgress', restartCount: 1 });
    expect(conditionOf(once.status.conditions, 'Running')).toMatchObject({
      status: 'False',
      reason: 'Error',
    });
    const twice = nextDataVolumeStatus(
      { ...unreachable, status: once.status },
      { source: sourceOf(unreachable, () => undefined), claim: bound, stepDue: true },
      't',
    );
    expect(twice.status.restartCount).toBe(2);
    const fatal = dv(
      { ...http, source: { http: { url: 'https://x/simulate-fatal' } } },
      { phase: 'ImportInProgress', progress: '0.00%' },
    );
    const failed = run(fatal, { source: sourceOf(fatal, () => undefined), claim: bound });
    expect(failed.phases).toEqual(['Failed']);
    expect(conditionOf(failed.last.status?.conditions, 'Running')?.reason).toBe('ChecksumError');
  });

  it('schedules a clone until its source is bound, then clones', () => {
    const clone = dv({ source: { pvc: { namespace: 'public', name: 'golden' } }, storage: {} });
    const source = sourceOf(clone, () => undefined);
    const waiting = nextDataVolumeStatus(clone, { source, stepDue: true }, 't');
    expect(waiting).toMatchObject({ createClaim: false, status: { phase: 'CloneScheduled' } });
    expect(conditionOf(waiting.status.conditions, 'Bound')?.message).toMatch(
      /source PVC public\/golden not found/,
    );
    const unbound = nextDataVolumeStatus(
      clone,
      { source, sourceClaim: { metadata: { name: 'golden' }, status: { phase: 'Pending' } }, stepDue: true },
      't',
    );
    expect(unbound.createClaim).toBe(false);
    const importing = { metadata: { name: 'golden' }, status: { phase: 'ImportInProgress' } } as DataVolume;
    const unpopulated = nextDataVolumeStatus(
      clone,
      { source, sourceClaim: bound, sourceDataVolume: importing, stepDue: true },
      't',
    );
    expect(unpopulated.createClaim).toBe(false);
    expect(conditionOf(unpopulated.status.conditions, 'Bound')?.message).toMatch(/not populated yet/);
    const ready = nextDataVolumeStatus(clone, { source, sourceClaim: bound, stepDue: true }, 't');
    expect(ready).toMatchObject({ createClaim: true, status: { phase: 'CloneScheduled' } });
    expect(
      run({ ...clone, status: ready.status }, { source, sourceClaim: bound, claim: bound }).phases,
    ).toEqual(['CSICloneInProgress', 'Succeeded']);
  });

  it('restores from a snapshot once it is ready; blank and upload sources', () => {
    const fromSnap = dv({ source: { snapshot: { name: 's' } }, storage: {} });
    const source = sourceOf(fromSnap, () => undefined);
    expect(
      nextDataVolumeStatus(fromSnap, { source, snapshotReady: false, stepDue: true }, 't').createClaim,
    ).toBe(false);
    expect(
      nextDataVolumeStatus(fromSnap, { source, snapshotReady: true, stepDue: true }, 't').createClaim,
    ).toBe(true);
    expect(run(fromSnap, { source, snapshotReady: true, claim: bound }).phases).toEqual([
      'CloneFromSnapshotSourceInProgress',
      'Succeeded',
    ]);
    const blank = dv({ source: { blank: {} }, storage: {} });
    expect(run(blank, { source: sourceOf(blank, () => undefined), claim: bound }).phases).toEqual([
      'Succeeded',
    ]);
    const upload = dv({ source: { upload: {} }, storage: {} });
    expect(run(upload, { source: sourceOf(upload, () => undefined), claim: bound }).phases).toEqual([
      'UploadScheduled',
      'UploadReady',
    ]);
  });

  it('reports an unresolvable source', () => {
    const ref = dv({ sourceRef: { kind: 'DataSource', name: 'missing' } });
    const status = nextDataVolumeStatus(
      ref,
      { source: sourceOf(ref, () => undefined), stepDue: true },
      't',
    ).status;
    expect(status.phase).toBe('Pending');
    expect(conditionOf(status.conditions, 'Bound')).toMatchObject({ status: 'False', reason: 'NotFound' });
  });
});

describe('DataSource', () => {
  const ds: DataSource = {
    metadata: { name: 'cirros', namespace: 'public' },
    spec: { source: { pvc: { name: 'cirros' } } },
  };
  const ready = (s: Record<string, unknown>) => conditionOf((s as { conditions: [] }).conditions, 'Ready');

  it('is ready when the PVC exists and its DataVolume, if any, has succeeded', () => {
    expect(ready(dataSourceStatus(ds, {}, 't'))).toMatchObject({ status: 'False', reason: 'NotFound' });
    const importing = { metadata: { name: 'cirros' }, status: { phase: 'ImportInProgress' } } as DataVolume;
    expect(ready(dataSourceStatus(ds, { pvc: bound, dv: importing }, 't'))).toMatchObject({
      status: 'False',
      reason: 'ImportInProgress',
      message: 'Import DataVolume phase ImportInProgress',
    });
    const done = { metadata: { name: 'cirros' }, status: { phase: 'Succeeded' } } as DataVolume;
    expect(ready(dataSourceStatus(ds, { pvc: bound, dv: done }, 't'))).toMatchObject({
      status: 'True',
      reason: 'Ready',
    });
    expect(ready(dataSourceStatus(ds, { pvc: bound }, 't'))).toMatchObject({ status: 'True' });
    expect(dataSourceStatus(ds, {}, 't').source).toEqual({ pvc: { name: 'cirros' } });
  });

  it('follows a snapshot source', () => {
    const snap: DataSource = {
      metadata: { name: 's', namespace: 'public' },
      spec: { source: { snapshot: { name: 's' } } },
    };
    expect(ready(dataSourceStatus(snap, {}, 't'))).toMatchObject({ reason: 'NotFound' });
    expect(
      ready(
        dataSourceStatus(snap, { snapshot: { metadata: { name: 's' }, status: { readyToUse: true } } }, 't'),
      ),
    ).toMatchObject({
      status: 'True',
    });
  });
});
