// A real Kubernetes control plane as local processes: etcd, kube-apiserver and
// kube-controller-manager, on free loopback ports, with a throwaway PKI. Shared by the
// integration tests (globalSetup) and `make dev`.
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { obtainBinaries, type Binaries } from './binaries.js';
import { renderKubeconfig } from './kubeconfig.js';
import {
  createCertificateAuthority,
  createSigningKey,
  type CertificateAuthority,
  type CertificatePem,
} from '../operator/crypto/pki.js';
import { freePort } from './ports.js';
import { ManagedProcess, type ExitStatus } from './process.js';
import { eventually } from './testing/eventually.js';

const DIR_PREFIX = 'stratus-cp-';
/** The service range and the apiserver's in-cluster address (first IP of the range). */
const SERVICE_CIDR = '10.96.0.0/16';
const KUBERNETES_SERVICE_IP = '10.96.0.1';

/**
 * kube-controller-manager controllers we run. No kubelet or scheduler exists, so only the
 * controllers that act on API objects alone: garbage collection (owner references), namespace
 * deletion, service accounts and their tokens, the root CA ConfigMap, PV binding/protection,
 * resource quota usage and ClusterRole aggregation.
 */
export const CONTROLLERS = [
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'persistentvolume-binder-controller',
  'persistentvolume-protection-controller',
  'persistentvolumeclaim-protection-controller',
  'resourcequota-controller',
  'clusterrole-aggregation-controller',
];

export interface ControlPlaneOptions {
  binaries?: Binaries;
  /** Parent of the state directory; default /dev/shm (etcd on tmpfs) when writable. */
  baseDir?: string;
  log?: (message: string) => void;
  /** Called once if a component exits on its own after start-up. */
  onFailure?: (error: Error) => void;
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
}

const running = new Set<ControlPlane>();
let signalsInstalled = false;

/**
 * Stop every running control plane when this process is told to stop or exits. Async
 * teardown for signals; a synchronous SIGKILL + rm for `exit`, the last chance we get.
 */
function installCleanup(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  let stopping = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    // `on`, not `once`: a second signal (an impatient Ctrl-C, or a wrapper relaying the
    // same one) must not meet Node's default action, which dies without running the exit
    // handler below and so leaves the state directory behind.
    process.on(signal, () => {
      if (stopping) {
        process.exit(code); // the exit handler kills what is left, synchronously
        return;
      }
      stopping = true;
      if (running.size > 0)
        process.stderr.write(`[control-plane] ${signal}: stopping (send it again to kill at once)\n`);
      // Orderly first; whatever has not stopped within the bound is killed by the exit
      // handler below, so a Ctrl-C always ends in a clean slate.
      const bound = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
      void Promise.race([Promise.allSettled([...running].map((cp) => cp.stop())), bound]).then(() =>
        process.exit(code),
      );
    });
  }
  process.once('exit', () => {
    for (const cp of running) cp.killNow();
  });
}

function defaultBaseDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove state directories whose owning process is gone (it was killed with -9). */
function sweepStaleDirs(baseDir: string): void {
  for (const entry of readdirSync(baseDir)) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(baseDir, entry);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (Number.isInteger(owner) && isAlive(owner)) continue;
    } catch {
      // no owner file: a directory from an interrupted start, also stale
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

/** GET a URL; resolves with the status and body, rejects on connection errors. */
export function httpGet(url: string, tls: TlsOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const requester = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = requester(url, { method: 'GET', timeout: 5_000, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export class ControlPlane {
  private readonly processes: ManagedProcess[] = [];
  /** kube-apiserver's command line, kept so restartApiserver() can run the same one again. */
  private apiserverArgv: string[] = [];
  private stopped: Promise<void> | undefined;
  private failed = false;

  private constructor(
    readonly dir: string,
    readonly binaries: Binaries,
    readonly ca: CertificateAuthority,
    readonly admin: CertificatePem,
    readonly ports: Ports,
    private readonly options: ControlPlaneOptions,
  ) {}

  /** The apiserver URL. */
  get server(): string {
    return `https://127.0.0.1:${this.ports.apiserver}`;
  }

  /** Admin kubeconfig (system:masters), written inside the state directory. */
  get kubeconfigPath(): string {
    return join(this.dir, 'admin.kubeconfig');
  }

  get caPem(): string {
    return this.ca.certPem;
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const log = options.log ?? ((message: string) => process.stderr.write(`[control-plane] ${message}\n`));
    const binaries = options.binaries ?? (await obtainBinaries());
    const baseDir = options.baseDir ?? defaultBaseDir();
    sweepStaleDirs(baseDir);
    installCleanup();

    // A port picked as free can be taken before the component binds it; start over then.
    for (let attempt = 1; ; attempt++) {
      const cp = await ControlPlane.prepare(binaries, baseDir, { ...options, log });
      try {
        await cp.launch();
        return cp;
      } catch (error) {
        const portClash = cp.processes.some((p) => /address already in use/i.test(p.tail(50)));
        await cp.stop();
        if (!portClash || attempt >= 3) throw error;
        log(`a port was taken during start-up; retrying (attempt ${attempt + 1})`);
      }
    }
  }

  private static async prepare(
    binaries: Binaries,
    baseDir: string,
    options: ControlPlaneOptions,
  ): Promise<ControlPlane> {
    const dir = mkdtempSync(join(baseDir, DIR_PREFIX));
    writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    mkdirSync(join(dir, 'logs'));
    mkdirSync(join(dir, 'pki'));

    const ca = await createCertificateAuthority('stratus-local-ca');
    const admin = await ca.issue({
      commonName: 'stratus-admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    const ports: Ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiserver: await freePort(),
      controllerManager: await freePort(),
    };
    const cp = new ControlPlane(dir, binaries, ca, admin, ports, options);
    running.add(cp);
    return cp;
  }

  private pki(name: string, content: string): string {
    const path = join(this.dir, 'pki', name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  /**
   * etcd and kube-apiserver are Go programs that allocate a lot per request; with Go's default
   * GOGC=100 the apiserver spent a third of its CPU in the garbage collector during the
   * Instance burst bench on 2 cores. A disposable local control plane has memory to spare, so
   * collect 4× less often (an explicit GOGC in the environment wins).
   */
  private goEnv(): NodeJS.ProcessEnv {
    return { ...process.env, GOGC: process.env.GOGC ?? '400' };
  }

  private spawn(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ManagedProcess {
    const proc = new ManagedProcess(
      name,
      command,
      args,
      join(this.dir, 'logs', `${name}.log`),
      (p, status) => this.componentDied(p, status),
      env,
    );
    this.processes.push(proc);
    return proc;
  }

  private componentDied(proc: ManagedProcess, status: ExitStatus): void {
    if (this.stopped || this.failed) return;
    this.failed = true;
    const how = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    const error = new Error(`${proc.name} exited unexpectedly (${how}); last log lines:\n${proc.tail()}`);
    this.options.log?.(error.message);
    this.options.onFailure?.(error);
  }

  private async launch(): Promise<void> {
    const { ports, dir, binaries } = this;
    const log = this.options.log ?? (() => {});
    const started = Date.now();

    const caFile = this.pki('ca.crt', this.ca.certPem);
    const serving = await this.ca.issue({
      commonName: 'kube-apiserver',
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
      ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
      usage: 'server',
    });
    const kcmServing = await this.ca.issue({
      commonName: 'kube-controller-manager',
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
      usage: 'server',
    });
    const saKey = await createSigningKey();

    // etcd: plain HTTP on loopback, data on tmpfs, fsync off — a disposable test store.
    const etcd = this.spawn(
      'etcd',
      binaries.etcd,
      [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${ports.etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ],
      this.goEnv(),
    );
    await this.waitUntil(etcd, 'etcd /health', async () => {
      const res = await httpGet(`http://127.0.0.1:${ports.etcdClient}/health`);
      return res.status === 200 && res.body.includes('"true"');
    });

    this.apiserverArgv = this.apiserverArgs(caFile, serving, saKey);
    await this.waitForApiserver(
      this.spawn('kube-apiserver', binaries.kubeApiserver, this.apiserverArgv, this.goEnv()),
    );

    writeFileSync(
      this.kubeconfigPath,
      renderKubeconfig({
        server: this.server,
        caPem: this.ca.certPem,
        certPem: this.admin.certPem,
        keyPem: this.admin.keyPem,
        name: 'stratus-local',
      }),
      { mode: 0o600 },
    );

    const kcm = this.spawn('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--authentication-kubeconfig=${this.kubeconfigPath}`,
      `--authorization-kubeconfig=${this.kubeconfigPath}`,
      '--leader-elect=false',
      `--controllers=${CONTROLLERS.join(',')}`,
      `--service-account-private-key-file=${this.pki('sa.key', saKey.keyPem)}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`,
      `--tls-cert-file=${this.pki('kcm.crt', kcmServing.certPem)}`,
      `--tls-private-key-file=${this.pki('kcm.key', kcmServing.keyPem)}`,
      // Recount quota usage often: a quota that counts a just-installed CRD's objects is
      // "status unknown" (and refuses creates) until the next full sync (default 5 min).
      '--resource-quota-sync-period=15s',
      '--v=1',
    ]);
    await this.waitUntil(kcm, 'kube-controller-manager /healthz', async () => {
      const res = await httpGet(`https://127.0.0.1:${ports.controllerManager}/healthz`, {
        ca: this.ca.certPem,
      });
      return res.status === 200;
    });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${this.server} (state in ${dir})`);
  }

  private apiserverArgs(
    caFile: string,
    serving: CertificatePem,
    saKey: { keyPem: string; publicKeyPem: string },
  ): string[] {
    const { ports, dir } = this;
    return [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiserver}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--tls-cert-file=${this.pki('apiserver.crt', serving.certPem)}`,
      `--tls-private-key-file=${this.pki('apiserver.key', serving.keyPem)}`,
      `--client-ca-file=${caFile}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${this.pki('sa.pub', saKey.publicKeyPem)}`,
      `--service-account-signing-key-file=${this.pki('sa-signing.key', saKey.keyPem)}`,
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--profiling=true', // loopback and admin-only; `kubectl get --raw /debug/pprof/profile` when tuning,
      '--v=1',
    ];
  }

  private async waitForApiserver(apiserver: ManagedProcess): Promise<void> {
    const adminTls = { ca: this.ca.certPem, cert: this.admin.certPem, key: this.admin.keyPem };
    await this.waitUntil(
      apiserver,
      'kube-apiserver /readyz',
      async () => {
        const res = await httpGet(`${this.server}/readyz`, adminTls);
        return res.status === 200;
      },
      60_000,
    );
  }

  /**
   * Stop kube-apiserver and start it again with the same arguments and port, then wait for
   * /readyz; etcd and the controller-manager keep running. For tests of clients that must
   * survive an apiserver restart (dropped watches, a fresh watch cache).
   */
  async restartApiserver(): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === 'kube-apiserver');
    const old = this.processes[index];
    if (!old || this.stopped) throw new Error('kube-apiserver is not running');
    await old.stop();
    const apiserver = this.spawn(
      'kube-apiserver',
      this.binaries.kubeApiserver,
      this.apiserverArgv,
      this.goEnv(),
    );
    // Keep start order (stop() goes in reverse): the new process takes the old one's place.
    this.processes.pop();
    this.processes.splice(index, 1, apiserver);
    await this.waitForApiserver(apiserver);
  }

  /** Wait for a readiness probe, failing fast (with the log) if the process dies meanwhile. */
  private async waitUntil(
    proc: ManagedProcess,
    what: string,
    probe: () => Promise<boolean>,
    timeoutMs = 30_000,
  ): Promise<void> {
    const died = proc.exited.then((status) => {
      throw new Error(
        `${proc.name} exited during start-up (${status.signal ?? `code ${status.code}`}):\n${proc.tail()}`,
      );
    });
    const ready = eventually(probe, { timeoutMs, intervalMs: 100, description: what }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${proc.name} log:\n${proc.tail()}`);
      },
    );
    await Promise.race([ready, died]);
    died.catch(() => {}); // the race is decided; don't leave the loser unhandled
  }

  /**
   * Run another process beside the control plane (the operator, the simulator): its log
   * goes with the others, it stops first on teardown, and its death counts as a failure.
   */
  startComponent(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
    return this.spawn(name, command, args, { ...process.env, KUBECONFIG: this.kubeconfigPath, ...env });
  }

  /** A kubeconfig for another identity, signed by this control plane's CA. */
  async kubeconfigFor(user: string, groups: string[] = []): Promise<string> {
    const cert = await this.ca.issue({ commonName: user, organizations: groups, usage: 'client' });
    return renderKubeconfig({
      server: this.server,
      caPem: this.ca.certPem,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      name: user,
    });
  }

  /** Stop components in reverse order and delete the state directory. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const proc of [...this.processes].reverse()) await proc.stop();
      rmSync(this.dir, { recursive: true, force: true });
      running.delete(this);
    })();
    return this.stopped;
  }

  /** Synchronous last-resort teardown for process exit. */
  killNow(): void {
    for (const proc of this.processes) proc.killNow();
    rmSync(this.dir, { recursive: true, force: true });
    running.delete(this);
  }
}
