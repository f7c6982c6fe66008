import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The scripts folder: the binary builder and the pinned versions live there. */
const hackDir = join(repoRoot, 'hack');

export interface Binaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  helm: string;
}

/** The pinned versions from hack/versions.env (the single place they are written). */
export function pinnedVersions(): { kubernetes: string; etcd: string; helm: string } {
  const env = Object.fromEntries(
    readFileSync(join(hackDir, 'versions.env'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('=', 2) as [string, string]),
  );
  const get = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`hack/versions.env has no ${key}`);
    return value;
  };
  return { kubernetes: get('K8S_VERSION'), etcd: get('ETCD_VERSION'), helm: get('HELM_VERSION') };
}

/**
 * Locate (or, the first time, build) the control-plane binaries through
 * hack/k8s-binaries.sh, which owns the lookup order and the cache. Its progress is shown on
 * our stderr because a cold build takes many minutes.
 */
export async function obtainBinaries(): Promise<Binaries> {
  const script = join(hackDir, 'k8s-binaries.sh');
  const dir = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${script} failed with exit code ${code}`)),
    );
  });
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
    helm: join(dir, 'helm'),
  };
}
