import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../kinds/project.js';
import { desiredProjectChildren, projectStatus, quotaCounted } from './desired.js';

function project(spec: Partial<ProjectObject['spec']> = {}): ProjectObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Project',
    metadata: { name: 'demo', uid: 'demo-uid', generation: 1 },
    spec: { members: [{ kind: 'User', name: 'alice', role: 'admin' }], quota: { instances: 10 }, ...spec },
  } as ProjectObject;
}

describe('desiredProjectChildren', () => {
  it('is the namespace, member bindings, quota, default group and (with Kube-OVN) a Vpc, all owned', () => {
    const desired = desiredProjectChildren(project(), { kubeOvn: true });
    expect(desired.namespace.metadata.name).toBe('demo');
    expect(desired.roleBindings).toHaveLength(1);
    expect(desired.resourceQuota.spec).toEqual({ hard: { 'count/instances.stratus.dev': '10' } });
    expect(desired.vpc?.metadata.name).toBeDefined();
    expect(desired.defaultSecurityGroup.metadata).toMatchObject({ name: 'default', namespace: 'demo' });
    for (const child of [desired.namespace, desired.resourceQuota, desired.defaultSecurityGroup]) {
      expect(child.metadata.ownerReferences).toEqual([
        expect.objectContaining({ uid: 'demo-uid', controller: true }),
      ]);
    }
    expect(desiredProjectChildren(project(), { kubeOvn: false }).vpc).toBeUndefined();
  });
});

describe('quotaCounted', () => {
  const desired = desiredProjectChildren(project(), { kubeOvn: false });

  it('waits until the quota controller has counted every limit we set', () => {
    expect(quotaCounted(desired.resourceQuota, undefined)).toBe(false);
    expect(
      quotaCounted(desired.resourceQuota, { status: { hard: { 'count/instances.stratus.dev': '10' } } }),
    ).toBe(false);
    expect(
      quotaCounted(desired.resourceQuota, {
        status: {
          hard: { 'count/instances.stratus.dev': '5' },
          used: { 'count/instances.stratus.dev': '0' },
        },
      }),
    ).toBe(false);
    expect(
      quotaCounted(desired.resourceQuota, {
        status: {
          hard: { 'count/instances.stratus.dev': '10' },
          used: { 'count/instances.stratus.dev': '0' },
        },
      }),
    ).toBe(true);
  });
});

describe('projectStatus', () => {
  it('names what the project made, and is Ready once the quota is counted', () => {
    const desired = desiredProjectChildren(project(), { kubeOvn: true });
    const ready = projectStatus(project(), desired, true);
    expect(ready.status).toEqual({
      namespace: 'demo',
      vpc: desired.vpc!.metadata.name,
      defaultSecurityGroup: 'default',
    });
    expect(ready.ready).toMatchObject({ status: 'True', reason: 'Provisioned' });
    expect(projectStatus(project(), desired, false).ready).toMatchObject({
      status: 'False',
      reason: 'QuotaPending',
      message: 'waiting for the quota controller to count usage in namespace demo',
    });
  });
});
