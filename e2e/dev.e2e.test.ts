// `make dev` as a newcomer uses it: it comes up, kubectl answers through the kubeconfig it
// writes, and Ctrl-C (or even kill -9) leaves nothing running.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { obtainBinaries, repoRoot } from '../harness/binaries.js';
import { eventually } from '../harness/testing/eventually.js';
import { cleanUpAfterEach, processesMentioning, startMakeDev, waitUntilUp } from './support.js';

cleanUpAfterEach();

describe('make dev', () => {
  it('serves kubectl through .stratus/dev/kubeconfig and leaves nothing behind on Ctrl-C', async () => {
    const { kubectl } = await obtainBinaries();
    const run = startMakeDev();
    const { kubeconfig, stateDir } = await waitUntilUp(run);
    expect(run.output()).toContain(`export KUBECONFIG=${kubeconfig}`);

    const get = spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name'], {
      encoding: 'utf8',
    });
    expect(get.stderr).toBe('');
    expect(get.stdout).toContain('namespace/default');
    expect(get.stdout).toContain('namespace/kube-system');
    expect(processesMentioning(stateDir).length).toBeGreaterThanOrEqual(3); // etcd, apiserver, kcm

    // The operator runs: a Project becomes its namespace.
    const apply = spawnSync(
      kubectl,
      ['--kubeconfig', kubeconfig, 'apply', '-f', join(repoRoot, 'examples/00-project.yaml')],
      {
        encoding: 'utf8',
      },
    );
    expect(apply.stderr).toBe('');
    const wait = spawnSync(
      kubectl,
      ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Ready', '--timeout=120s', 'project/demo'],
      { encoding: 'utf8' },
    );
    expect(wait.stdout).toContain('condition met');
    const ns = spawnSync(
      kubectl,
      ['--kubeconfig', kubeconfig, 'get', 'namespace', 'demo', '-o', 'jsonpath={.metadata.labels}'],
      {
        encoding: 'utf8',
      },
    );
    expect(ns.stdout).toContain('"stratus.dev/project":"demo"');

    process.kill(-run.child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does
    await run.exited;
    // make returns at once; its node child finishes stopping the components just after.
    await eventually(
      () => {
        const left = [
          ...(existsSync(kubeconfig) ? ['the kubeconfig'] : []),
          ...(existsSync(stateDir) ? ['the state directory'] : []),
          ...processesMentioning(stateDir).map((pid) => `process ${pid}`),
        ];
        if (left.length > 0)
          throw new Error(`still there: ${left.join(', ')}; make dev said:\n${run.output().slice(-2000)}`);
        return true;
      },
      { timeoutMs: 60_000, description: 'the environment to be torn down after Ctrl-C' },
    );
  });

  it('takes the control plane down with it even when killed with SIGKILL', async () => {
    const run = startMakeDev();
    const { stateDir } = await waitUntilUp(run);
    const devPid = Number(readFileSync(join(run.devDir, 'dev.pid'), 'utf8'));
    process.kill(devPid, 'SIGKILL');
    await eventually(() => processesMentioning(stateDir).length === 0, {
      timeoutMs: 30_000,
      description: 'etcd, kube-apiserver and kube-controller-manager to exit after their parent died',
    });
    rmSync(stateDir, { recursive: true, force: true });
  });
});
