// `make dev` as a newcomer uses it: it comes up, kubectl answers through the kubeconfig it
// writes, and Ctrl-C (or even kill -9) leaves nothing running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { obtainBinaries, repoRoot } from '../hack/controlplane/binaries.js';
import { eventually } from '../hack/testing/eventually.js';

interface DevRun {
  child: ChildProcess;
  devDir: string;
  output: () => string;
  exited: Promise<number | null>;
}

const runs: DevRun[] = [];

/** `make dev` in its own process group, as a terminal would run it. */
function startMakeDev(): DevRun {
  const devDir = mkdtempSync(join(tmpdir(), 'stratus-dev-e2e-'));
  const child = spawn('make', ['--no-print-directory', 'dev'], {
    cwd: repoRoot,
    env: { ...process.env, STRATUS_DEV_DIR: devDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, devDir, output: () => out, exited };
  runs.push(run);
  return run;
}

/** PIDs of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

async function waitUntilUp(run: DevRun): Promise<{ kubeconfig: string; stateDir: string }> {
  const kubeconfig = join(run.devDir, 'kubeconfig');
  await eventually(() => existsSync(kubeconfig) || run.child.exitCode !== null, {
    timeoutMs: 240_000,
    intervalMs: 200,
    description: '.stratus/dev/kubeconfig to appear',
  });
  expect(run.child.exitCode, run.output()).toBeNull();
  const stateDir = await eventually(() => /logs:\s+(\S+)\/logs/.exec(run.output())?.[1], {
    description: 'make dev to print where its state lives',
  });
  return { kubeconfig, stateDir };
}

afterEach(() => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null) {
      try {
        process.kill(-run.child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(run.devDir, { recursive: true, force: true });
  }
});

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
    expect(existsSync(kubeconfig)).toBe(false);
    expect(existsSync(stateDir)).toBe(false);
    expect(processesMentioning(stateDir)).toEqual([]);
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
