// Flavor → VirtualMachineClusterInstancetype: the vCPUs and memory a VM of this flavor gets.
// Pure. The root disk size is not part of an instancetype; the Instance controller sizes the
// root-disk DataVolume from the flavor itself.
//
// KubeVirt copies the instancetype into a ControllerRevision when a VM first uses it, so a
// running instance keeps the size it booted with even if the flavor later goes (as in Nova).
import type { FlavorObject } from '../../kinds/flavor.js';
import type { StatusView } from '../../runtime/status.js';
import { instancetypeName, type ClusterInstancetype } from '../engines.js';
import { controllerRef, type Child } from '../children.js';
import { LABELS, MANAGED_BY } from '../../domain/naming.js';

export const FLAVOR_LABEL = 'stratus.dev/flavor';

/** Nova hw:mem_page_size values → Kubernetes hugepage sizes (small/any mean none). */
const PAGE_SIZES: Record<string, string> = {
  large: '2Mi',
  '2048': '2Mi',
  '2mb': '2Mi',
  '2MB': '2Mi',
  '1048576': '1Gi',
  '1gb': '1Gi',
  '1GB': '1Gi',
};

export function desiredInstancetype(flavor: FlavorObject): Child & ClusterInstancetype {
  const name = flavor.metadata.name!;
  const extra = flavor.spec.extraSpecs ?? {};
  const pageSize = extra['hw:mem_page_size'] ? PAGE_SIZES[extra['hw:mem_page_size']] : undefined;
  return {
    apiVersion: 'instancetype.kubevirt.io/v1beta1',
    kind: 'VirtualMachineClusterInstancetype',
    metadata: {
      name: instancetypeName(name),
      labels: { [LABELS.managedBy]: MANAGED_BY, [FLAVOR_LABEL]: name },
      ownerReferences: [controllerRef(flavor)],
    },
    spec: {
      cpu: {
        guest: flavor.spec.vcpus,
        // Nova's pinned CPUs are KubeVirt's dedicated CPU placement.
        ...(extra['hw:cpu_policy'] === 'dedicated' ? { dedicatedCPUPlacement: true } : {}),
      },
      memory: { guest: `${flavor.spec.ramMiB}Mi`, ...(pageSize ? { hugepages: { pageSize } } : {}) },
    },
  };
}

/** The flavor's status once its instancetype is applied. */
export function flavorStatus(instancetype: string): StatusView {
  return {
    status: { instancetype },
    ready: {
      type: 'Ready',
      status: 'True',
      reason: 'Provisioned',
      message: `VirtualMachineClusterInstancetype ${instancetype} is in place`,
    },
  };
}
