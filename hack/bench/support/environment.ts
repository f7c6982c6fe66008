// What most benches stand on: a local control plane with our CRDs installed and the
// admission webhooks registered, and a client configuration for it. `close()` stops both.
import * as k8s from '@kubernetes/client-node';
import { obtainBinaries, type Binaries } from '../../../harness/binaries.js';
import { ControlPlane } from '../../../harness/control-plane.js';
import { applyCrds } from '../../../harness/crds.js';
import { startLocalWebhooks, type LocalWebhooks } from '../../../harness/webhooks.js';

export interface BenchEnvironment {
  binaries: Binaries;
  controlPlane: ControlPlane;
  kubeConfig: k8s.KubeConfig;
  webhooks: LocalWebhooks;
  close(): Promise<void>;
}

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const binaries = await obtainBinaries();
  const controlPlane = await ControlPlane.start({ binaries, log: () => {} });
  try {
    applyCrds(binaries.kubectl, controlPlane.kubeconfigPath);
    const webhooks = await startLocalWebhooks(controlPlane.kubeconfigPath);
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
    return {
      binaries,
      controlPlane,
      kubeConfig,
      webhooks,
      close: async () => {
        await webhooks.close().finally(() => controlPlane.stop());
      },
    };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}
