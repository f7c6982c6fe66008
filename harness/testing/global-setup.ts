// Vitest globalSetup for integration tests: one real control plane per test run. Set
// STRATUS_TEST_KUBECONFIG to run the same tests against an existing cluster instead.
import type { TestProject } from 'vitest/node';
import { pinnedVersions } from '../binaries.js';
import { ControlPlane } from '../control-plane.js';
import { applyCrds } from '../crds.js';
import { startLocalWebhooks } from '../webhooks.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const foreign = process.env.STRATUS_TEST_KUBECONFIG;
  if (foreign) {
    project.provide('kubeconfig', foreign);
    project.provide('kubectl', process.env.KUBECTL ?? 'kubectl');
    project.provide('expectedKubernetesVersion', '');
    project.provide('webhookUrl', '');
    project.provide('webhookCaPem', '');
    return undefined;
  }
  const cp = await ControlPlane.start();
  try {
    // The environment tests see is the one users get: CRDs installed, webhooks registered.
    applyCrds(cp.binaries.kubectl, cp.kubeconfigPath);
    const webhooks = await startLocalWebhooks(cp.kubeconfigPath);
    project.provide('kubeconfig', cp.kubeconfigPath);
    project.provide('kubectl', cp.binaries.kubectl);
    project.provide('expectedKubernetesVersion', pinnedVersions().kubernetes);
    project.provide('webhookUrl', webhooks.url);
    project.provide('webhookCaPem', webhooks.caPem);
    return async () => {
      await webhooks.close();
      await cp.stop();
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}
