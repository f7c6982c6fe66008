// `make dev`: the local environment in the foreground. Brings up a real control plane,
// installs the CRDs, serves the admission webhooks, runs the operator, writes
// .stratus/dev/kubeconfig once all of it is ready, and tears everything down on Ctrl-C (or
// when any component dies).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { join, relative } from 'node:path';
import { repoRoot } from '../harness/binaries.js';
import { ControlPlane, httpGet } from '../harness/control-plane.js';
import { applyCrds } from '../harness/crds.js';
import { freePort } from '../harness/ports.js';
import { eventually } from '../harness/testing/eventually.js';
import { startLocalWebhooks } from '../harness/webhooks.js';
import { KubeClient } from '../operator/runtime/client.js';
import { kube, type SecretObject } from '../operator/kinds/external.js';
import { resourceOf, User } from '../operator/kinds/index.js';
import type { UserObject } from '../operator/kinds/user.js';

function loadKubeConfig(path: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

// STRATUS_DEV_DIR lets e2e tests run their own environment beside a developer's.
const devDir = process.env.STRATUS_DEV_DIR ?? join(repoRoot, '.stratus', 'dev');
const kubeconfigFile = join(devDir, 'kubeconfig');
const openrcFile = join(devDir, 'openrc');
const pidFile = join(devDir, 'dev.pid');
/** Who the openrc logs in as: the user and project examples/ seed. */
const DEMO = { user: 'alice', project: 'demo', region: 'RegionOne' };
const log = (message: string): void => void process.stderr.write(`[dev] ${message}\n`);

/** Engine APIs the simulator serves; the operator starts once they are there. */
const ENGINE_APIS: Array<[string, string]> = [
  ['kubevirt.io', 'v1'],
  ['instancetype.kubevirt.io', 'v1beta1'],
  ['cdi.kubevirt.io', 'v1beta1'],
  ['kubeovn.io', 'v1'],
  ['k8s.cni.cncf.io', 'v1'],
];

/** examples/ files applied at start (kubectl applies them in this order). */
const SEED = [
  '00-project.yaml',
  '01-user.yaml',
  '10-flavors.yaml',
  '11-public-image.yaml',
  '12-external-network.yaml',
  '21-network.yaml',
];

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
  rmSync(openrcFile, { force: true });
  rmSync(pidFile, { force: true });
}

/** The openrc of the seeded demo user (examples/01-user.yaml) for the OpenStack CLI. */
function openrc(apiUrl: string, user: string, password: string): string {
  return [
    '# OpenStack CLI credentials of the demo user of `make dev` (valid while it runs).',
    `export OS_AUTH_URL=${apiUrl}/identity/v3`,
    `export OS_USERNAME=${user}`,
    `export OS_PASSWORD='${password.replace(/'/g, "'\\''")}'`,
    `export OS_PROJECT_NAME=${DEMO.project}`,
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    'export OS_IDENTITY_API_VERSION=3',
    `export OS_REGION_NAME=${DEMO.region}`,
    '',
  ].join('\n');
}

/**
 * The demo user's password, once the operator has hashed it (before that the API could not
 * authenticate them): read from the user's password Secret, as the example seeds it.
 */
async function demoPassword(kubeconfig: string): Promise<string> {
  const client = new KubeClient(loadKubeConfig(kubeconfig));
  try {
    const user = await eventually(
      async () => {
        const found = await client.get<UserObject>(resourceOf(User), DEMO.user);
        return found?.status?.passwordHashSecret ? found : undefined;
      },
      { timeoutMs: 60_000, description: `the operator to hash the password of user ${DEMO.user}` },
    );
    const ref = user.spec.passwordSecretRef!;
    const secret = await client.get<SecretObject>(kube.secrets, ref.name, ref.namespace);
    const value = secret?.data?.[ref.key ?? 'password'];
    if (!value) throw new Error(`the password Secret ${ref.namespace}/${ref.name} of ${DEMO.user} is gone`);
    return Buffer.from(value, 'base64').toString('utf8');
  } finally {
    client.close();
  }
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

  // The backend simulator plays KubeVirt, CDI, CSI and Kube-OVN (SIMULATION: nothing boots).
  // It installs the engines' CRDs first; the operator looks for them when it starts.
  cp.startComponent('simulator', process.execPath, ['--import', 'tsx', join(repoRoot, 'simulator/main.ts')], {
    STRATUS_SIM_LOG_LEVEL: 'warn',
  });
  const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
  await eventually(
    async () =>
      (await Promise.all(ENGINE_APIS.map(([group, version]) => client.serves(group, version)))).every(
        Boolean,
      ),
    { timeoutMs: 60_000, description: "the simulator to install the engines' APIs" },
  );
  client.close();
  log('backend simulator running (SIMULATION of KubeVirt, CDI, CSI and Kube-OVN)');

  // The operator runs as its own process, as in a cluster, against the same apiserver.
  const operatorPort = await freePort();
  cp.startComponent('operator', process.execPath, ['--import', 'tsx', join(repoRoot, 'cmd/operator.ts')], {
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
  // Seed what a newcomer needs to boot something: the demo project and user, flavors, a
  // public image, the external network and a tenant network (from examples/).
  const kubectl = (...args: string[]) =>
    promisify(execFile)(cp.binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, ...args]);
  // The project first: its namespace exists (and takes objects) once it is Ready.
  const [project, ...rest] = SEED.map((f) => join(repoRoot, 'examples', f));
  await kubectl('apply', '-f', project!);
  await kubectl('wait', '--for=condition=Ready', '--timeout=120s', 'project/demo');
  await kubectl('apply', ...rest.flatMap((f) => ['-f', f]));
  log(`seeded ${SEED.join(', ')}`);

  // The OpenStack API, a process of its own like the operator.
  const [apiPort, apiHealthPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  cp.startComponent('api', process.execPath, ['--import', 'tsx', join(repoRoot, 'cmd/openstack-api.ts')], {
    STRATUS_API_PORT: String(apiPort),
    STRATUS_API_ADDRESS: '127.0.0.1',
    STRATUS_HEALTH_PORT: String(apiHealthPort),
    STRATUS_HEALTH_ADDRESS: '127.0.0.1',
    STRATUS_API_PUBLIC_URL: apiUrl,
    STRATUS_API_REGION: DEMO.region,
    STRATUS_API_UPLOAD_DIR: join(cp.dir, 'api-uploads'),
    STRATUS_IDENTITY: 'dev-api',
  });
  const password = await demoPassword(cp.kubeconfigPath);
  await eventually(async () => (await httpGet(`http://127.0.0.1:${apiHealthPort}/readyz`)).status === 200, {
    timeoutMs: 60_000,
    description: 'the OpenStack API to be ready',
  });
  log(`OpenStack API serving at ${apiUrl} (metrics at http://127.0.0.1:${apiHealthPort}/metrics)`);
  writeAtomically(kubeconfigFile, readFileSync(cp.kubeconfigPath, 'utf8'));
  // Written only now that the API answers: scripts wait for this file.
  writeAtomically(openrcFile, openrc(apiUrl, DEMO.user, password));

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
      `  openstack:  ${apiUrl}  (credentials: ${relative(process.cwd(), openrcFile) || openrcFile})`,
      `  logs:       ${join(cp.dir, 'logs')}`,
      '',
      'Use it from another terminal:',
      `  export KUBECONFIG=${kubeconfigFile}`,
      `  export PATH=${cp.binaries.dir}:$PATH   # kubectl and helm matching the pinned version`,
      '  kubectl get namespaces',
      '  kubectl api-resources --categories=stratus',
      '  kubectl get projects,flavors,networks -A       # the seeded demo',
      '  kubectl apply -f examples/                     # the whole example tenant',
      '  kubectl wait --for=condition=Ready instance/web-1 -n demo --timeout=120s',
      '  kubectl get instances,vm,vmi -n demo           # VMs are SIMULATED here',
      `  source ${openrcFile} && openstack server list  # the OpenStack API, as ${DEMO.user}`,
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
