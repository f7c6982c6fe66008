// Shared by the e2e scenarios: run `make dev` as a terminal would, wait for it, and clean up.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { repoRoot } from '../harness/binaries.js';
import { eventually } from '../harness/testing/eventually.js';

export interface DevRun {
  child: ChildProcess;
  devDir: string;
  output: () => string;
  exited: Promise<number | null>;
}

const runs: DevRun[] = [];

/** `make dev` in its own process group, as a terminal would run it. */
export function startMakeDev(): DevRun {
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
export function processesMentioning(needle: string): number[] {
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

export async function waitUntilUp(run: DevRun): Promise<{ kubeconfig: string; stateDir: string }> {
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

export function cleanUpAfterEach(): void {
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
}
