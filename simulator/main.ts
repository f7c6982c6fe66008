// SIMULATION — the backend simulator process:
//
//   node --import tsx simulator/main.ts --kubeconfig=.stratus/dev/kubeconfig [--delay-ms=50-300]
//
// Plays KubeVirt, CDI, the Ceph RBD CSI driver and snapshotter, and Kube-OVN against a
// control plane that cannot run them (see README.md). Flags win over environment variables.
import * as k8s from '@kubernetes/client-node';
import { z } from 'zod';
import { createLogger, LOG_LEVELS } from '../operator/runtime/logger.js';
import { parseDelay } from './common.js';
import { DEFAULT_DELAY, startSimulator } from './simulator.js';

const USAGE = `usage: node --import tsx simulator/main.ts [--kubeconfig=PATH] [--delay-ms=MS|MIN-MAX] [--log-level=LEVEL] [--no-fixtures]

  --kubeconfig   admin kubeconfig of the control plane (env KUBECONFIG; else ~/.kube/config)
  --delay-ms     how long each simulated step takes, e.g. 0, 100 or 50-300 (env STRATUS_SIM_DELAY_MS; default ${DEFAULT_DELAY.minMs}-${DEFAULT_DELAY.maxMs})
  --log-level    ${LOG_LEVELS.join(', ')} (env STRATUS_SIM_LOG_LEVEL; default info)
  --no-fixtures  do not install the engine CRDs, StorageClass and Kube-OVN defaults first`;

const Config = z.object({
  kubeconfig: z.string().min(1).optional(),
  delay: z.string().transform((text, ctx) => {
    try {
      return parseDelay(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
  logLevel: z.enum(LOG_LEVELS),
  fixtures: z.boolean(),
});

export type SimulatorConfig = z.infer<typeof Config>;

/** Flags (`--name=value`) over environment variables over defaults; throws with usage on anything unknown. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SimulatorConfig {
  const raw: Record<string, string | boolean | undefined> = {
    kubeconfig: env.KUBECONFIG || undefined,
    delay: env.STRATUS_SIM_DELAY_MS ?? `${DEFAULT_DELAY.minMs}-${DEFAULT_DELAY.maxMs}`,
    logLevel: env.STRATUS_SIM_LOG_LEVEL ?? 'info',
    fixtures: true,
  };
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const [, name, value] = m ?? [];
    if (name === 'kubeconfig' && value) raw.kubeconfig = value;
    else if (name === 'delay-ms' && value !== undefined) raw.delay = value;
    else if (name === 'log-level' && value) raw.logLevel = value;
    else if (name === 'no-fixtures' && value === undefined) raw.fixtures = false;
    else if (name === 'help') throw new Error(USAGE);
    else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`,
    );
  }
  return parsed.data;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = parseArgs(process.argv.slice(2), process.env);
  const logger = createLogger({ level: config.logLevel, component: 'simulator' });
  const kubeConfig = new k8s.KubeConfig();
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault();
  const simulator = await startSimulator({
    kubeConfig,
    delay: config.delay,
    logger,
    installFixtures: config.fixtures,
  });
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await simulator.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
