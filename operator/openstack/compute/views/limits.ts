// Nova's GET /limits: the project's quota (a Project's spec.quota) and what it uses now.
import type { InstanceObject } from '../../../kinds/instance.js';
import type { ProjectObject } from '../../../kinds/project.js';
import type { ComputeLookup } from './lookup.js';

export interface ComputeUsage {
  instances: number;
  cores: number;
  ramMiB: number;
  securityGroups: number;
}

/** What the project's instances use: each counts its flavor as recorded at boot, else now. */
export function instanceUsage(instances: readonly InstanceObject[], lookup: Pick<ComputeLookup, 'flavor'>) {
  let cores = 0;
  let ramMiB = 0;
  for (const inst of instances) {
    const f = inst.status?.flavor ?? lookup.flavor(inst.spec.flavor)?.spec;
    cores += f?.vcpus ?? 0;
    ramMiB += f?.ramMiB ?? 0;
  }
  return { instances: instances.length, cores, ramMiB };
}

export function limitsView(quota: ProjectObject['spec']['quota'], used: ComputeUsage) {
  return {
    limits: {
      rate: [],
      absolute: {
        maxTotalInstances: quota.instances,
        maxTotalCores: quota.cores,
        maxTotalRAMSize: quota.ramMiB,
        maxTotalKeypairs: quota.keyPairs,
        maxServerMeta: 128,
        maxImageMeta: 128,
        maxPersonality: 0,
        maxPersonalitySize: 0,
        maxSecurityGroups: quota.securityGroups,
        maxSecurityGroupRules: quota.securityGroupRules,
        maxTotalFloatingIps: quota.floatingIPs,
        maxServerGroups: 0,
        maxServerGroupMembers: 0,
        totalInstancesUsed: used.instances,
        totalCoresUsed: used.cores,
        totalRAMUsed: used.ramMiB,
        totalSecurityGroupsUsed: used.securityGroups,
        totalFloatingIpsUsed: 0,
        totalServerGroupsUsed: 0,
      },
    },
  };
}
