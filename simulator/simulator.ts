// SIMULATION — the backend simulator as a library: install the engines' fixtures, then run
// the simulated KubeVirt, CDI, CSI, snapshot and Kube-OVN controllers on the operator's
// controller runtime. It talks to the apiserver only; the operator never imports it and sees
// it exactly as it would see the real engines. main.ts runs it as its own process; the
// integration tests start it in-process.
import type { KubeConfig } from '@kubernetes/client-node';
import { setMaxListeners } from 'node:events';
import type { Registry } from 'prom-client';
import { KubeClient } from '../operator/runtime/client.js';
import { silentLogger, type Logger } from '../operator/runtime/logger.js';
import { addCdiControllers } from './cdi.js';
import { Delays, FIELD_MANAGER, SIMULATED_LABEL, type DelayRange, type Sim } from './common.js';
import { addCsiControllers } from './csi.js';
import { installFixtures } from './fixtures.js';
import { addKubeOvnControllers, AddressBook } from './kubeovn.js';
import { addKubeVirtControllers } from './kubevirt.js';
import { addSnapshotControllers } from './snapshots.js';
import { Manager } from '../operator/runtime/manager.js';

export const DEFAULT_DELAY: DelayRange = { minMs: 50, maxMs: 300 };

export interface SimulatorOptions {
  kubeConfig: KubeConfig;
  /** How long each simulated step takes (default 50–300 ms; tests use 0). */
  delay?: DelayRange;
  logger?: Logger;
  /** Install the CRD and object fixtures first (default true). */
  installFixtures?: boolean;
  registry?: Registry;
  /** Informer tuning (tests shorten the stall timeout). */
  informer?: { stallTimeoutMs?: number; resyncPeriodMs?: number };
  /** Clock for status timestamps. */
  now?: () => Date;
}

export interface Simulator {
  readonly client: KubeClient;
  readonly manager: Manager;
  /** Stop the controllers and informers; resolves when in-flight reconciles have finished. */
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const logger = options.logger ?? silentLogger();
  const delay = options.delay ?? DEFAULT_DELAY;
  logger.warn(
    'SIMULATION: this process plays KubeVirt, CDI, the Ceph RBD CSI driver and snapshotter, and Kube-OVN. ' +
      'No VM runs, no disk is written, no packet flows; only the API objects those engines would write are real. ' +
      `Objects it writes carry the label ${SIMULATED_LABEL}=true.`,
    { delayMs: `${delay.minMs}-${delay.maxMs}` },
  );
  const client = new KubeClient(options.kubeConfig, {
    fieldManager: FIELD_MANAGER,
    userAgent: 'stratus-simulator',
  });
  if (options.installFixtures ?? true) await installFixtures(client, logger);
  const manager = new Manager({
    kubeConfig: options.kubeConfig,
    logger,
    identity: 'stratus-simulator',
    registry: options.registry,
    informer: options.informer,
  });
  const sim: Sim = {
    client,
    manager,
    delays: new Delays(delay),
    logger,
    now: options.now ?? (() => new Date()),
  };
  const book = new AddressBook(sim);
  addKubeVirtControllers(sim, book);
  addCdiControllers(sim);
  addCsiControllers(sim);
  addSnapshotControllers(sim);
  addKubeOvnControllers(sim, book);

  const abort = new AbortController();
  // Every controller and informer listens on this one signal: more than Node's default 10.
  setMaxListeners(200, abort.signal);
  try {
    await manager.startInformers(abort.signal);
  } catch (error) {
    abort.abort();
    await manager.stopInformers();
    client.close();
    throw error;
  }
  const running = manager.runControllers(abort.signal).catch((error: unknown) => {
    logger.error('simulator controllers failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  logger.info('simulator running');
  let stopped: Promise<void> | undefined;
  return {
    client,
    manager,
    stop() {
      stopped ??= (async () => {
        abort.abort();
        await running;
        await manager.stopInformers();
        client.close();
        logger.info('simulator stopped');
      })();
      return stopped;
    },
  };
}
