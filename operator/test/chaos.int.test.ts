// kill -9 of the operator at random points while 200 Projects are created and a quarter of
// them deleted, restarting it each time: at the end every Project has exactly its children,
// and nothing is left of the deleted ones — no duplicates, no orphans.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../harness/testing/eventually.js';
import {
  createClusterObject,
  privateEnvironment,
  spawnOperator,
  type Environment,
  type OperatorProcess,
} from './support.js';

const GROUP = 'stratus.dev';
const VERSION = 'v1alpha1';
const COUNT = Number(process.env.STRATUS_CHAOS_PROJECTS ?? 200);

let env: Environment;
let operator: OperatorProcess | undefined;
const logFile = join(mkdtempSync(join(tmpdir(), 'stratus-chaos-')), 'operator.log');
const operatorEnv = { STRATUS_LEADER_ELECT: 'false', STRATUS_LOG_LEVEL: 'warn' };

beforeAll(async () => {
  env = await privateEnvironment();
});

afterAll(async () => {
  await operator?.kill('SIGKILL');
  await env?.stop();
});

describe('operator under kill -9', () => {
  it(`leaves every one of ${COUNT} Projects with exactly its children`, { timeout: 600_000 }, async () => {
    const objects = env.kc.makeApiClient(k8s.CustomObjectsApi);
    const core = env.kc.makeApiClient(k8s.CoreV1Api);
    const rbac = env.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const names = Array.from({ length: COUNT }, (_, i) => `chaos-${String(i).padStart(3, '0')}`);
    const doomed = new Set(names.filter((_, i) => i % 4 === 3));
    const started = Date.now();

    operator = await spawnOperator(env.cp.kubeconfigPath, operatorEnv, logFile);
    let kills = 0;
    // Kill after a random number of writes, so the operator dies mid-reconcile at varying
    // points; restart at once, as a Deployment would.
    let nextKill = 5 + Math.floor(Math.random() * 15);
    let writes = 0;
    const maybeKill = async () => {
      if (++writes < nextKill) return;
      writes = 0;
      nextKill = 5 + Math.floor(Math.random() * 15);
      await operator!.kill('SIGKILL');
      kills++;
      operator = await spawnOperator(env.cp.kubeconfigPath, operatorEnv, logFile);
    };

    for (const [i, name] of names.entries()) {
      await createClusterObject(objects, 'Project', name, {
        members: [{ kind: 'Group', name: `${name}-team`, role: 'member' }],
      });
      await maybeKill();
      // Delete some a little after creating them, while their children are being made.
      const victim = names[i - 2];
      if (victim && doomed.has(victim)) {
        await objects.deleteClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: 'projects',
          name: victim,
        });
        await maybeKill();
      }
    }
    // The last doomed ones had no later creation to follow.
    for (const name of names.slice(-2).filter((n) => doomed.has(n))) {
      await objects.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'projects', name });
    }
    const survivors = names.filter((n) => !doomed.has(n));

    let progress = '';
    // Converged: every survivor Ready with exactly its children; the doomed gone entirely.
    await eventually(
      async () => {
        const projects = (await objects.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: 'projects',
        })) as {
          items: Array<{
            metadata: { name: string; generation: number };
            status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
          }>;
        };
        const ready = projects.items.filter(
          (p) =>
            p.status?.observedGeneration === p.metadata.generation &&
            p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        const namespaces = (await core.listNamespace({ labelSelector: 'stratus.dev/project' })).items.map(
          (n) => n.metadata!.name!,
        );
        progress = `${ready.length}/${survivors.length} survivors Ready, ${projects.items.length} projects, ${namespaces.length} project namespaces (${namespaces
          .filter((n) => doomed.has(n))
          .slice(0, 5)
          .join(',')}...)`;
        return (
          ready.length === survivors.length &&
          projects.items.length === survivors.length &&
          namespaces.length === survivors.length
        );
      },
      {
        timeoutMs: 300_000,
        intervalMs: 1_000,
        description: 'survivors Ready and the deleted projects’ namespaces gone',
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; ${progress}`);
    });

    const namespaces = (await core.listNamespace({ labelSelector: 'stratus.dev/project' })).items;
    expect(namespaces.map((n) => n.metadata!.name).sort()).toEqual(survivors);
    const bindings = (await rbac.listRoleBindingForAllNamespaces({ labelSelector: 'stratus.dev/project' }))
      .items;
    const quotas = (await core.listResourceQuotaForAllNamespaces({ labelSelector: 'stratus.dev/project' }))
      .items;
    const groups = (await objects.listCustomObjectForAllNamespaces({
      group: GROUP,
      version: VERSION,
      plural: 'securitygroups',
    })) as {
      items: Array<{ metadata: { namespace: string; name: string } }>;
    };
    const count = (items: Array<{ metadata?: { namespace?: string } }>) => {
      const perNamespace = new Map<string, number>();
      for (const item of items)
        perNamespace.set(item.metadata!.namespace!, (perNamespace.get(item.metadata!.namespace!) ?? 0) + 1);
      return perNamespace;
    };
    for (const [label, perNamespace] of [
      ['RoleBinding', count(bindings)],
      ['ResourceQuota', count(quotas)],
      ['SecurityGroup', count(groups.items)],
    ] as const) {
      expect([...perNamespace.keys()].sort(), `${label}s only in survivors' namespaces`).toEqual(survivors);
      expect([...new Set(perNamespace.values())], `exactly one ${label} per project`).toEqual([1]);
    }
    for (const binding of bindings) {
      expect(binding.subjects?.[0]?.name).toBe(`${binding.metadata!.namespace}-team`);
    }
    console.log(
      `chaos: ${COUNT} projects, ${doomed.size} deleted, ${kills} kill -9s, converged in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
