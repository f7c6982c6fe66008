// Operator configuration from the environment (and --flags), validated once at start with
// messages that name the variable. Flags win over the environment.
import { hostname } from 'node:os';
import { z } from 'zod';
import { LOG_LEVELS } from './runtime/logger.js';

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  /** Path of a kubeconfig; empty means in-cluster service-account credentials. */
  KUBECONFIG: z.string().default(''),
  /** The operator's own namespace: Lease, password hashes. */
  STRATUS_NAMESPACE: z.string().min(1).default('stratus-system'),
  /** Shared namespace of public images and external networks. */
  STRATUS_PUBLIC_NAMESPACE: z.string().min(1).default('stratus-public'),
  STRATUS_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** /metrics, /healthz and /readyz. */
  STRATUS_HEALTH_PORT: port.default(8081),
  STRATUS_HEALTH_ADDRESS: z.string().default('0.0.0.0'),
  STRATUS_LEADER_ELECT: boolean.default(true),
  STRATUS_LEASE_NAME: z.string().min(1).default('stratus-operator'),
  STRATUS_LEASE_DURATION_SECONDS: z.coerce.number().int().min(2).default(15),
  STRATUS_RENEW_DEADLINE_SECONDS: z.coerce.number().int().min(1).default(10),
  STRATUS_RETRY_PERIOD_SECONDS: z.coerce.number().min(0.1).default(2),
  /** Identity in the Lease and in Events: the pod name in a cluster. */
  STRATUS_IDENTITY: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** StorageClass of golden images and root disks: Ceph RBD, so clones are copy-on-write. */
  STRATUS_STORAGE_CLASS: z.string().min(1).default('rbd'),
  /** VolumeSnapshotClass of volume snapshots (Ceph RBD); for the snapshot controller still to come. */
  STRATUS_SNAPSHOT_CLASS: z.string().min(1).default('rbd'),
  /** Golden disk size of an image that states no minDiskGiB (thin-provisioned). */
  STRATUS_IMAGE_DISK_GIB: z.coerce.number().int().min(1).default(10),
  /** Restart a watch silent for this long (bookmarks arrive every minute). */
  STRATUS_WATCH_STALL_SECONDS: z.coerce.number().min(1).default(120),
  /** How often a User's password Secret is re-read for changes (Secrets are not watched). */
  STRATUS_PASSWORD_RECHECK_SECONDS: z.coerce.number().min(0.1).default(60),
  /**
   * Apply the tenant ClusterRoles and their ClusterRoleBindings at start. The chart renders
   * them itself and sets false, so there the operator needs no right to write ClusterRoles.
   */
  STRATUS_MANAGE_CLUSTER_RBAC: boolean.default(true),
  /**
   * `self`: keep a CA and the webhooks' serving certificate in a Secret and inject the CA
   * into the webhook configurations (the chart without cert-manager). `none`: someone else
   * does (cert-manager, or `make dev`, which serves the webhooks itself).
   */
  STRATUS_WEBHOOK_CA_MODE: z.enum(['none', 'self']).default('none'),
  /** Secret (in STRATUS_NAMESPACE) holding the serving certificate the webhook pods mount. */
  STRATUS_WEBHOOK_SECRET_NAME: z.string().min(1).default('stratus-webhook-tls'),
  /** The webhooks' Service (in STRATUS_NAMESPACE): the certificate names it. */
  STRATUS_WEBHOOK_SERVICE_NAME: z.string().min(1).default('stratus-webhooks'),
  /** Name of both the Validating- and the MutatingWebhookConfiguration. */
  STRATUS_WEBHOOK_CONFIGURATION_NAME: z.string().min(1).default('stratus-webhooks'),
  /** Lifetime of the self-managed serving certificate; renewed two thirds through. */
  STRATUS_WEBHOOK_CERT_VALIDITY_DAYS: z.coerce.number().int().min(2).max(3650).default(365),
});

export type OperatorConfig = z.output<typeof configSchema>;

/** `--health-port=8081` → STRATUS_HEALTH_PORT; `--kubeconfig=x` → KUBECONFIG. */
export function flagsToEnv(argv: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}; flags look like --health-port=8081`);
    const name = match[1]!.toUpperCase().replace(/-/g, '_');
    env[name === 'KUBECONFIG' ? name : `STRATUS_${name}`] = match[2] ?? 'true';
  }
  return env;
}

export function loadConfig(env: NodeJS.ProcessEnv, argv: string[] = []): OperatorConfig {
  const merged = { ...env, ...flagsToEnv(argv) };
  const known = Object.keys(configSchema.shape);
  const unknownFlags = Object.keys(flagsToEnv(argv)).filter((k) => !known.includes(k));
  if (unknownFlags.length > 0) throw new Error(`unknown flag(s): ${unknownFlags.join(', ')}`);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
