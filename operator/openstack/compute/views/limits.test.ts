import { describe, expect, it } from 'vitest';
import { projectQuota } from '../../../kinds/project.js';
import { instanceUsage, limitsView } from './limits.js';
import { flavor, instance } from '../test/objects.js';

const server = (name: string, flavorName: string, booted?: { vcpus: number; ramMiB: number }) =>
  instance(
    { name, namespace: 'p1' },
    { flavor: flavorName, image: { name: 'cirros' } },
    booted ? { flavor: { name: flavorName, diskGiB: 1, ...booted } } : undefined,
  );

const large = flavor({ name: 'large' }, { vcpus: 4, ramMiB: 8192, diskGiB: 40 });

describe('limits view', () => {
  it('counts each instance with its flavor as booted, else as it is now, else nothing', () => {
    const usage = instanceUsage(
      [server('a', 'large', { vcpus: 2, ramMiB: 1024 }), server('b', 'large'), server('c', 'gone')],
      { flavor: (name) => (name === 'large' ? large : undefined) },
    );
    expect(usage).toEqual({ instances: 3, cores: 6, ramMiB: 9216 });
  });

  it('shows the quota beside the usage', () => {
    const quota = projectQuota.parse({ floatingIPs: 5 });
    const { limits } = limitsView(quota, { instances: 3, cores: 6, ramMiB: 9216, securityGroups: 2 });
    expect(limits.rate).toEqual([]);
    expect(limits.absolute).toMatchObject({
      maxTotalInstances: 10,
      maxTotalCores: 20,
      maxTotalRAMSize: 51200,
      maxTotalKeypairs: 100,
      maxSecurityGroups: 10,
      maxSecurityGroupRules: 100,
      maxTotalFloatingIps: 5,
      totalInstancesUsed: 3,
      totalCoresUsed: 6,
      totalRAMUsed: 9216,
      totalSecurityGroupsUsed: 2,
      totalFloatingIpsUsed: 0,
    });
  });
});
