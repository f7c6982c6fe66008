// Admission behaviour that needs more setup than one YAML file: defaults that depend on
// context, the project namespace rule, quotas of a fresh project, and multiattach.
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../operator/kinds/meta.js';
import { freshNamespace, kubeConfig, randomSuffix, statusOf } from '../../harness/testing/kube.js';
import { CREATED_BY } from '../../operator/domain/naming.js';

const objects = () => kubeConfig().makeApiClient(k8s.CustomObjectsApi);

interface Created {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

async function create(
  plural: string,
  namespace: string | undefined,
  kind: string,
  name: string,
  spec: object,
): Promise<Created> {
  const body = { apiVersion: API_VERSION, kind, metadata: { name }, spec };
  const created: unknown = namespace
    ? await objects().createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        body,
      })
    : await objects().createClusterCustomObject({ group: GROUP, version: VERSION, plural, body });
  return created as Created;
}

/** The refusal message of a failed write (the apiserver's Status message). */
async function refusal(write: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await write;
  } catch (error) {
    const body = (error as { body?: string }).body ?? '';
    return { code: statusOf(error), message: (JSON.parse(body) as { message: string }).message };
  }
  throw new Error('the write was admitted');
}

/** A flavor, a private image and a network with a subnet: enough to boot in `ns`. */
async function bootables(ns: string, vcpus = 1): Promise<string> {
  const flavor = `t-${randomSuffix()}`;
  await create('flavors', undefined, 'Flavor', flavor, { vcpus, ramMiB: 512, diskGiB: 1 });
  await create('images', ns, 'Image', 'img', {
    source: { url: 'https://example.com/i.qcow2' },
    diskFormat: 'qcow2',
  });
  await create('networks', ns, 'Network', 'net', {});
  await create('subnets', ns, 'Subnet', 'net-v4', { network: 'net', ipVersion: 4, cidr: '10.1.0.0/24' });
  return flavor;
}

const instanceSpec = (flavor: string, extra: object = {}) => ({
  flavor,
  image: { name: 'img' },
  networks: [{ network: { name: 'net' } }],
  ...extra,
});

describe('admission webhooks', () => {
  it('stamps the creator and puts instances without security groups into "default"', async () => {
    const ns = await freshNamespace('adm');
    const flavor = await bootables(ns);
    // Without a default group there is nothing to default to.
    const bare = await create('instances', ns, 'Instance', 'bare', instanceSpec(flavor));
    expect(bare.spec.securityGroups).toBeUndefined();
    await create('securitygroups', ns, 'SecurityGroup', 'default', {});
    const vm = await create('instances', ns, 'Instance', 'vm', instanceSpec(flavor));
    expect(vm.spec.securityGroups).toEqual(['default']);
    expect(vm.metadata.annotations?.[CREATED_BY]).toBe('stratus-admin');

    // A client cannot forge the stamp at creation, nor change it later.
    const forged = await create('keypairs', ns, 'KeyPair', 'k', {});
    expect(forged.metadata.annotations?.[CREATED_BY]).toBe('stratus-admin');
    const change = await refusal(
      objects().patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: 'instances',
          name: 'vm',
          body: { metadata: { annotations: { [CREATED_BY]: 'mallory' } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(change.code).toBe(403);
    expect(change.message).toContain('records who created the object and cannot be changed');
  });

  it('refuses a project whose namespace already exists for something else', async () => {
    const ns = await freshNamespace('legacy');
    const denied = await refusal(create('projects', undefined, 'Project', ns, {}));
    expect(denied.code).toBe(409);
    expect(denied.message).toContain(
      `namespace "${ns}" already exists and does not belong to a Stratus project`,
    );
  });

  it('enforces the cores and RAM quota of the project that owns the namespace', async () => {
    const name = `quota-${randomSuffix()}`;
    await create('projects', undefined, 'Project', name, { quota: { cores: 3, ramMiB: 768 } });
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name, labels: { 'stratus.dev/project': name } } } });
    try {
      const flavor = await bootables(name, 2);
      await create('instances', name, 'Instance', 'one', instanceSpec(flavor));
      const second = await refusal(create('instances', name, 'Instance', 'two', instanceSpec(flavor)));
      expect(second.code).toBe(403);
      expect(second.message).toContain(`quota.cores is 3 vCPUs, 2 in use, this needs 2 more`);
      expect(second.message).toContain(`quota.ramMiB is 768 MiB, 512 in use, this needs 512 more`);
    } finally {
      await core.deleteNamespace({ name }).catch(() => undefined);
      await objects().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'projects', name });
    }
  });

  it('lets a multiattach volume serve two instances but not a single-attach one', async () => {
    const ns = await freshNamespace('attach');
    const flavor = await bootables(ns);
    await create('volumes', ns, 'Volume', 'shared', { sizeGiB: 1, multiattach: true });
    await create('volumes', ns, 'Volume', 'single', { sizeGiB: 1 });
    await create(
      'instances',
      ns,
      'Instance',
      'a',
      instanceSpec(flavor, { volumes: [{ volume: 'shared' }, { volume: 'single' }] }),
    );
    await create('instances', ns, 'Instance', 'b', instanceSpec(flavor, { volumes: [{ volume: 'shared' }] }));
    const denied = await refusal(
      create('instances', ns, 'Instance', 'c', instanceSpec(flavor, { volumes: [{ volume: 'single' }] })),
    );
    expect(denied.code).toBe(409);
    expect(denied.message).toContain('volume "single" is attached to instance "a" and is not multiattach');
  });

  it('keeps tenants apart: a private image of another project is invisible', async () => {
    const mine = await freshNamespace('mine');
    const theirs = await freshNamespace('theirs');
    const flavor = await bootables(mine);
    await create('images', theirs, 'Image', 'secret', { visibility: 'private' });
    const denied = await refusal(
      create('instances', mine, 'Instance', 'peek', {
        ...instanceSpec(flavor),
        image: { name: 'secret', namespace: theirs },
      }),
    );
    expect(denied.code).toBe(403);
    expect(denied.message).toContain('spec.image.namespace');
  });
});
