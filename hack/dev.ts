// `make dev`: the local environment in the foreground. Brings up a real control plane,
// installs the CRDs, serves the admission webhooks, runs the operator, writes
// .stratus/dev/kubeconfig once all of it is ready, and tears everything down on Ctrl-C (or
// when any component dies).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './controlplane/binaries.js';
import { ControlPlane, httpGet } from './controlplane/control-plane.js';
import { applyCrds } from './controlplane/crds.js';
import { freePort } from './controlplane/ports.js';
import { eventually } from './testing/eventually.js';
import { startLocalWebhooks } from '../webhooks/local.js';

// STRATUS_DEV_DIR lets e2e tests run their own environment beside a developer's.
const devDir = process.env.STRATUS_DEV_DIR ?? join(repoRoot, '.stratus', 'dev');
const kubeconfigFile = join(devDir, 'kubeconfig');
const pidFile = join(devDir, 'dev.pid');
const log = (message: string): void => void process.stderr.write(`[dev] ${message}\n`);

function alreadyRunning(): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Write-then-rename, so a script polling for the file never reads half of it. */
function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

function cleanupFiles(): void {
  rmSync(kubeconfigFile, { force: true });
  rmSync(pidFile, { force: true });
}

async function main(): Promise<void> {
  mkdirSync(devDir, { recursive: true });
  const other = alreadyRunning();
  if (other !== undefined && other !== process.pid) {
    log(`another 'make dev' is running (pid ${other}); stop it first`);
    process.exit(1);
  }
  // A stale kubeconfig from a killed run would point scripts at a dead apiserver.
  cleanupFiles();
  writeFileSync(pidFile, String(process.pid));
  process.once('exit', cleanupFiles);

  const cp = await ControlPlane.start({
    log: (message) => log(message),
    onFailure: (error) => {
      log(`${error.message}\ntearing down`);
      void cp.stop().then(() => process.exit(1));
    },
  });
  const crds = applyCrds(cp.binaries.kubectl, cp.kubeconfigPath);
  log(`installed ${crds.length} CRDs from crds/`);
  const webhooks = await startLocalWebhooks(cp.kubeconfigPath, {
    log: (entry) => process.stderr.write(`${JSON.stringify({ component: 'webhooks', ...entry })}\n`),
  });
  log(`admission webhooks serving at ${webhooks.url}`);

  // The operator runs as its own process, as in a cluster, against the same apiserver.
  const operatorPort = await freePort();
  cp.startComponent('operator', process.execPath, ['--import', 'tsx', join(repoRoot, 'operator/main.ts')], {
    STRATUS_HEALTH_PORT: String(operatorPort),
    STRATUS_HEALTH_ADDRESS: '127.0.0.1',
    STRATUS_LEADER_ELECT: 'false',
    STRATUS_IDENTITY: 'dev',
  });
  await eventually(async () => (await httpGet(`http://127.0.0.1:${operatorPort}/readyz`)).status === 200, {
    timeoutMs: 60_000,
    description: 'the operator to be ready',
  });
  log(`operator ready (metrics at http://127.0.0.1:${operatorPort}/metrics)`);
  writeAtomically(kubeconfigFile, readFileSync(cp.kubeconfigPath, 'utf8'));

  const rel = relative(process.cwd(), kubeconfigFile) || kubeconfigFile;
  process.stdout.write(
    [
      '',
      'Stratus local environment is up.',
      `  apiserver:  ${cp.server}`,
      `  kubeconfig: ${rel}`,
      `  binaries:   ${cp.binaries.dir}`,
      `  webhooks:   ${webhooks.url}`,
      `  operator:   http://127.0.0.1:${operatorPort}/metrics`,
      `  logs:       ${join(cp.dir, 'logs')}`,
      '',
      'Use it from another terminal:',
      `  export KUBECONFIG=${kubeconfigFile}`,
      `  export PATH=${cp.binaries.dir}:$PATH   # kubectl and helm matching the pinned version`,
      '  kubectl get namespaces',
      '  kubectl api-resources --categories=stratus',
      '  kubectl apply -f examples/00-project.yaml && kubectl wait --for=condition=Ready project/demo',
      '',
      'Press Ctrl-C to stop and remove everything.',
      '',
    ].join('\n'),
  );
  // Stay in the foreground: the control plane's signal handlers stop it and exit.
  await new Promise<never>(() => setInterval(() => {}, 1 << 30));
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
