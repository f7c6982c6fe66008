// Vitest globalSetup for integration tests: one real control plane per test run. Set
// STRATUS_TEST_KUBECONFIG to run the same tests against an existing cluster instead.
import type { TestProject } from 'vitest/node';
import { pinnedVersions } from '../controlplane/binaries.js';
import { ControlPlane } from '../controlplane/control-plane.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const foreign = process.env.STRATUS_TEST_KUBECONFIG;
  if (foreign) {
    project.provide('kubeconfig', foreign);
    project.provide('kubectl', process.env.KUBECTL ?? 'kubectl');
    project.provide('expectedKubernetesVersion', '');
    return undefined;
  }
  const cp = await ControlPlane.start();
  project.provide('kubeconfig', cp.kubeconfigPath);
  project.provide('kubectl', cp.binaries.kubectl);
  project.provide('expectedKubernetesVersion', pinnedVersions().kubernetes);
  return () => cp.stop();
}
