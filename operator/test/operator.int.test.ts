// The operator against a real control plane: Projects and Users converge to exactly their
// children, follow spec changes, share objects with other writers without fighting, and
// cascade on deletion.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { runOperator } from '../process.js';
import { verifyPassword } from '../crypto/password.js';
import { eventually } from '../../harness/testing/eventually.js';
import { createClusterObject, privateEnvironment, type Environment } from './support.js';

let env: Environment;
let stop: AbortController;
let running: Promise<void>;
const GROUP = 'stratus.dev';
const VERSION = 'v1alpha1';

beforeAll(async () => {
  env = await privateEnvironment();
  stop = new AbortController();
  const config = loadConfig({
    KUBECONFIG: env.cp.kubeconfigPath,
    STRATUS_HEALTH_PORT: '0',
    STRATUS_HEALTH_ADDRESS: '127.0.0.1',
    STRATUS_LEADER_ELECT: 'false',
    STRATUS_LOG_LEVEL: 'warn',
    STRATUS_PASSWORD_RECHECK_SECONDS: '0.5',
  });
  running = runOperator(config, stop.signal);
  running.catch(() => undefined);
});

afterAll(async () => {
  stop?.abort();
  await running?.catch(() => undefined);
  await env?.stop();
});

const objects = () => env.kc.makeApiClient(k8s.CustomObjectsApi);
const core = () => env.kc.makeApiClient(k8s.CoreV1Api);
const rbac = () => env.kc.makeApiClient(k8s.RbacAuthorizationV1Api);

interface Ready {
  metadata: { generation: number };
  status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
}

function readyAt(object: Ready, generation = object.metadata.generation): boolean {
  return (
    object.status?.observedGeneration === generation &&
    !!object.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

async function project(name: string): Promise<Ready & { spec: Record<string, unknown> }> {
  return (await objects().getClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: 'projects',
    name,
  })) as Ready & {
    spec: Record<string, unknown>;
  };
}

async function patchProject(name: string, spec: object): Promise<void> {
  await objects().patchClusterCustomObject(
    { group: GROUP, version: VERSION, plural: 'projects', name, body: { spec } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

describe('Project controller', () => {
  it('provisions the namespace, member bindings, quota and default security group', async () => {
    await createClusterObject(objects(), 'Project', 'acme', {
      quota: { instances: 5, cores: -1 },
      members: [
        { kind: 'Group', name: 'acme-admins', role: 'admin' },
        { kind: 'User', name: 'oidc:bob@example.com', role: 'reader' },
      ],
    });
    const ready = await eventually(async () => readyAt(await project('acme')) && (await project('acme')), {
      // On a fresh cluster the quota controller discovers the new CRDs' counts within ~30 s;
      // until then the namespace refuses creates and the project is not Ready.
      timeoutMs: 120_000,
      description: 'Project acme to be Ready',
    });
    expect(ready.status).toMatchObject({ namespace: 'acme', defaultSecurityGroup: 'default' });

    const ns = await core().readNamespace({ name: 'acme' });
    expect(ns.metadata?.labels).toMatchObject({
      'stratus.dev/project': 'acme',
      'app.kubernetes.io/managed-by': 'stratus-operator',
    });
    expect(ns.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Project',
      name: 'acme',
      controller: true,
    });

    const bindings = (
      await rbac().listNamespacedRoleBinding({ namespace: 'acme', labelSelector: 'stratus.dev/project=acme' })
    ).items;
    expect(
      bindings.map((b) => [b.roleRef.name, b.subjects?.[0]?.kind, b.subjects?.[0]?.name]).sort(),
    ).toEqual([
      ['stratus-admin', 'Group', 'acme-admins'],
      ['stratus-reader', 'User', 'oidc:bob@example.com'],
    ]);

    const quota = await core().readNamespacedResourceQuota({ namespace: 'acme', name: 'stratus-quota' });
    expect(quota.spec?.hard?.['count/instances.stratus.dev']).toBe('5');
    expect(quota.spec?.hard?.['count/volumes.stratus.dev']).toBe('10'); // OpenStack default

    const sg = (await objects().getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: 'acme',
      plural: 'securitygroups',
      name: 'default',
    })) as {
      spec: { rules: Array<{ direction: string; ethertype: string; remoteGroup?: string }> };
    };
    expect(sg.spec.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'ingress', ethertype: 'IPv4', remoteGroup: 'default' }),
        expect.objectContaining({ direction: 'egress', ethertype: 'IPv6' }),
      ]),
    );
  });

  it('removes the binding of a member taken out of the spec', async () => {
    await patchProject('acme', { members: [{ kind: 'Group', name: 'acme-admins', role: 'admin' }] });
    await eventually(
      async () =>
        (
          await rbac().listNamespacedRoleBinding({
            namespace: 'acme',
            labelSelector: 'stratus.dev/project=acme',
          })
        ).items.length === 1,
      { description: "bob's binding to be deleted" },
    );
  });

  it('shares objects with another writer: keeps their fields and does not fight over its own', async () => {
    // Another team labels the namespace with server-side apply, under its own manager.
    const client = k8s.KubernetesObjectApi.makeApiClient(env.kc);
    await client.patch(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'acme', labels: { 'team.example.com/cost-center': 'cc-42' } },
      },
      undefined,
      undefined,
      'other-team',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    const before = await core().readNamespace({ name: 'acme' });
    const generation = (await project('acme')).metadata.generation;
    await patchProject('acme', { description: 'trigger a reconcile' });
    await eventually(async () => readyAt(await project('acme'), generation + 1), {
      description: 'the reconcile after the change',
    });

    const after = await core().readNamespace({ name: 'acme' });
    expect(after.metadata?.labels?.['team.example.com/cost-center']).toBe('cc-42');
    // Re-applying what it already owns is a no-op: no write, no update loop.
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    const managers = after.metadata?.managedFields?.map((m) => m.manager).sort();
    expect(managers).toEqual(expect.arrayContaining(['other-team', 'stratus-operator']));
  });

  it('recreates a binding deleted by hand (level-triggered)', async () => {
    const [binding] = (
      await rbac().listNamespacedRoleBinding({ namespace: 'acme', labelSelector: 'stratus.dev/project=acme' })
    ).items;
    await rbac().deleteNamespacedRoleBinding({ namespace: 'acme', name: binding!.metadata!.name! });
    await eventually(
      () =>
        rbac()
          .readNamespacedRoleBinding({ namespace: 'acme', name: binding!.metadata!.name! })
          .then((b) => b.metadata?.uid !== binding!.metadata!.uid),
      { description: 'the binding to be recreated' },
    );
  });
});

describe('User controller', () => {
  it('hashes the password and binds the user in its projects; re-hashes when the Secret changes', async () => {
    await core().createNamespacedSecret({
      namespace: 'acme',
      body: { metadata: { name: 'carol-password' }, stringData: { password: 'first password' } },
    });
    await createClusterObject(objects(), 'User', 'carol', {
      passwordSecretRef: { namespace: 'acme', name: 'carol-password' },
      projects: [{ project: 'acme', roles: ['member'] }],
    });
    const user = await eventually(
      async () => {
        const u = (await objects().getClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: 'users',
          name: 'carol',
        })) as Ready & {
          status?: { passwordHashSecret?: string; passwordUpdatedAt?: string };
        };
        return readyAt(u) && u;
      },
      { description: 'User carol to be Ready' },
    );
    const hashSecret = await core().readNamespacedSecret({
      namespace: 'stratus-system',
      name: user.status!.passwordHashSecret!,
    });
    const hash = Buffer.from(hashSecret.data!.hash!, 'base64').toString();
    expect(hash).toMatch(/^\$scrypt\$ln=17,/);
    expect(await verifyPassword('first password', hash)).toBe(true);
    expect(JSON.stringify(hashSecret)).not.toContain('first password');

    const [binding] = (
      await rbac().listNamespacedRoleBinding({ namespace: 'acme', labelSelector: 'stratus.dev/user=carol' })
    ).items;
    expect(binding?.roleRef.name).toBe('stratus-member');
    expect(binding?.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'stratus:user:carol' },
    ]);

    // The binding works: carol (as the OpenStack API will impersonate her) may list
    // instances in acme, and nothing elsewhere.
    const asCarol = new k8s.KubeConfig();
    asCarol.loadFromString(env.kc.exportConfig());
    asCarol.users = asCarol.users.map((u) => ({ ...u, impersonateUser: 'stratus:user:carol' }));
    const carol = asCarol.makeApiClient(k8s.CustomObjectsApi);
    await eventually(
      () =>
        carol.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: 'acme',
          plural: 'instances',
        }),
      {
        description: 'carol to be allowed in acme',
      },
    );
    const elsewhere = await carol
      .listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: 'default',
        plural: 'instances',
      })
      .then(
        () => 200,
        (e: { code?: number }) => e.code,
      );
    expect(elsewhere).toBe(403);

    await core().replaceNamespacedSecret({
      namespace: 'acme',
      name: 'carol-password',
      body: { metadata: { name: 'carol-password' }, stringData: { password: 'second password' } },
    });
    await eventually(
      async () => {
        const s = await core().readNamespacedSecret({
          namespace: 'stratus-system',
          name: user.status!.passwordHashSecret!,
        });
        return verifyPassword('second password', Buffer.from(s.data!.hash!, 'base64').toString());
      },
      { description: 'the new password to be hashed', timeoutMs: 60_000 },
    );
  });
});

describe('deleting a Project', () => {
  it('takes its namespace and everything in it (garbage collection through owner references)', async () => {
    await objects().deleteClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'projects',
      name: 'acme',
    });
    await eventually(
      () =>
        core()
          .readNamespace({ name: 'acme' })
          .then(
            (ns) => !!ns.metadata?.deletionTimestamp,
            (e: { code?: number }) => e.code === 404,
          ),
      { timeoutMs: 90_000, description: 'namespace acme to be deleted' },
    );
  });
});
