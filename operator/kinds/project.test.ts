import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Project, projectSpec } from './project.js';

describe('Project', () => {
  it('applies the OpenStack defaults to an empty spec', () => {
    const spec = projectSpec.parse({});
    expect(spec.enabled).toBe(true);
    expect(spec.domain).toBe('Default');
    expect(spec.quota).toEqual({
      instances: 10,
      cores: 20,
      ramMiB: 51_200,
      keyPairs: 100,
      volumes: 10,
      snapshots: 10,
      volumeGiB: 1_000,
      perVolumeGiB: -1,
      networks: 100,
      subnets: 100,
      ports: 500,
      routers: 10,
      floatingIPs: 50,
      securityGroups: 10,
      securityGroupRules: 100,
    });
  });

  it('keeps given quotas and defaults the rest; -1 is unlimited, below is refused', () => {
    const spec = projectSpec.parse({ quota: { instances: -1, cores: 8 } });
    expect(spec.quota.instances).toBe(-1);
    expect(spec.quota.cores).toBe(8);
    expect(spec.quota.routers).toBe(10);
    expect(projectSpec.safeParse({ quota: { instances: -2 } }).success).toBe(false);
  });

  it('defaults member kinds to User and accepts only the three roles', () => {
    const spec = projectSpec.parse({ members: [{ name: 'bob', role: 'admin' }] });
    expect(spec.members?.[0]).toEqual({ kind: 'User', name: 'bob', role: 'admin' });
    expect(projectSpec.safeParse({ members: [{ name: 'bob', role: 'owner' }] }).success).toBe(false);
  });

  it('renders a cluster-scoped CRD with name rules, immutable domain and list-map members', () => {
    const { crd, version } = render(Project);
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names.shortNames).toEqual(['proj']);
    const nameRules = rules(version, '').join('\n');
    expect(nameRules).toContain("self.metadata.name.startsWith('kube-')");
    expect(nameRules).toContain("self.metadata.name.startsWith('stratus-')");
    expect(nameRules).toContain("self.metadata.name in ['default']");
    expect(nameRules).toContain('self.metadata.name.size() <= 63');
    expect(rules(version, 'spec.domain')).toEqual(['self == oldSelf']);
    expect(field(version, 'spec.quota').default).toEqual({});
    expect(field(version, 'spec.quota.instances')).toMatchObject({ default: 10, minimum: -1 });
    expect(field(version, 'spec.members')['x-kubernetes-list-map-keys']).toEqual(['kind', 'name']);
    expect(field(version, 'status.usage.instances').type).toBe('integer');
    expect(columns(version)).toEqual([
      'Display-Name',
      'Enabled',
      'Namespace',
      'Domain',
      'VPC',
      'Ready',
      'Reason',
      'Age',
    ]);
  });
});
