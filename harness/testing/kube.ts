// Helpers for integration tests: clients for the run's control plane and a fresh namespace
// per test. The control plane is started once per run by harness/testing/global-setup.ts.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the control plane under test. */
    kubeconfig: string;
    /** kubectl matching the control plane's version. */
    kubectl: string;
    /** The Kubernetes version the control plane must report ('' for a foreign cluster). */
    expectedKubernetesVersion: string;
    /** Base URL of the admission webhook server ('' when testing a foreign cluster). */
    webhookUrl: string;
    /** CA certificate that signed the webhook server's certificate. */
    webhookCaPem: string;
  }
}

let privateKubeconfig: string | undefined;

/**
 * Point this test file's helpers at another cluster (a private control plane started by
 * the file), or back at the run's shared one with no argument. Test files run isolated, so
 * this never leaks into other files.
 */
export function useKubeconfig(path?: string): void {
  privateKubeconfig = path;
}

export function kubeConfig(options: { as?: string } = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(privateKubeconfig ?? inject('kubeconfig'));
  if (options.as) {
    const user = kc.getCurrentUser();
    if (!user) throw new Error('kubeconfig has no current user');
    kc.users = kc.users.map((u) => (u.name === user.name ? { ...u, impersonateUser: options.as } : u));
  }
  return kc;
}

/** A short random suffix for object names (DNS-label safe). */
export function randomSuffix(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Create a namespace for this test and delete it (without waiting) when the test ends.
 * Names carry the prefix and a random suffix so parallel test files never share one.
 */
export async function freshNamespace(prefix = 'test'): Promise<string> {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${randomSuffix()}`;
  await core.createNamespace({ body: { metadata: { name, labels: { 'stratus.dev/test': 'true' } } } });
  onTestFinished(async () => {
    await core.deleteNamespace({ name }).catch(() => undefined);
  });
  return name;
}

/** The HTTP status of a client-node error, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'number')
    return error.code;
  return undefined;
}
