import { describe, expect, it } from 'vitest';
import type { FlavorObject } from '../../kinds/flavor.js';
import { desiredInstancetype, flavorStatus } from './desired.js';

function flavor(name: string, spec: Partial<FlavorObject['spec']> = {}): FlavorObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Flavor',
    metadata: { name, uid: `${name}-uid` },
    spec: { vcpus: 2, ramMiB: 4096, diskGiB: 20, ephemeralGiB: 0, swapMiB: 0, isPublic: true, ...spec },
  };
}

describe('desiredInstancetype', () => {
  it('is a VirtualMachineClusterInstancetype with the flavor’s vCPUs and memory, owned by it', () => {
    expect(desiredInstancetype(flavor('m1.small'))).toEqual({
      apiVersion: 'instancetype.kubevirt.io/v1beta1',
      kind: 'VirtualMachineClusterInstancetype',
      metadata: {
        name: 'stratus-m1.small',
        labels: { 'app.kubernetes.io/managed-by': 'stratus-operator', 'stratus.dev/flavor': 'm1.small' },
        ownerReferences: [
          {
            apiVersion: 'stratus.dev/v1alpha1',
            kind: 'Flavor',
            name: 'm1.small',
            uid: 'm1.small-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { cpu: { guest: 2 }, memory: { guest: '4096Mi' } },
    });
  });

  it('maps Nova extra specs for pinned CPUs and huge pages', () => {
    const spec = desiredInstancetype(
      flavor('pinned', { extraSpecs: { 'hw:cpu_policy': 'dedicated', 'hw:mem_page_size': '1GB' } }),
    ).spec;
    expect(spec).toEqual({
      cpu: { guest: 2, dedicatedCPUPlacement: true },
      memory: { guest: '4096Mi', hugepages: { pageSize: '1Gi' } },
    });
  });
});

describe('flavorStatus', () => {
  it('names the instancetype and is Ready', () => {
    expect(flavorStatus('stratus-m1.small')).toEqual({
      status: { instancetype: 'stratus-m1.small' },
      ready: {
        type: 'Ready',
        status: 'True',
        reason: 'Provisioned',
        message: 'VirtualMachineClusterInstancetype stratus-m1.small is in place',
      },
    });
  });
});
