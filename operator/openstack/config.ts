// Configuration of the OpenStack API process, from the environment (the chart's API
// Deployment sets these), validated once at start with messages naming the variable.
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS } from '../runtime/logger.js';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = (min: number) => z.coerce.number().min(min);

export const apiConfigSchema = z.object({
  /** Path of a kubeconfig; empty means in-cluster service-account credentials. */
  KUBECONFIG: z.string().default(''),
  /** The release namespace: password hashes and the token keys live here. */
  STRATUS_NAMESPACE: z.string().min(1).default('stratus-system'),
  /** Shared namespace of public images and external networks. */
  STRATUS_PUBLIC_NAMESPACE: z.string().min(1).default('stratus-public'),
  STRATUS_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** The one listener of every OpenStack service (plain HTTP; TLS ends at the Ingress). */
  STRATUS_API_PORT: port.default(8080),
  STRATUS_API_ADDRESS: z.string().default('0.0.0.0'),
  /** /metrics, /healthz and /readyz (plain HTTP). */
  STRATUS_HEALTH_PORT: port.default(8081),
  STRATUS_HEALTH_ADDRESS: z.string().default('0.0.0.0'),
  /**
   * The base URL clients reach the API at; the catalog's endpoints are this plus the
   * service prefixes (/identity, /compute, /image, /network). Empty: http://127.0.0.1:<port>.
   */
  STRATUS_API_PUBLIC_URL: z
    .string()
    .default('')
    .refine((v) => v === '' || /^https?:\/\/[^/]+(\/.*)?$/.test(v), 'must be an http:// or https:// URL'),
  /** Region name in the catalog (OS_REGION_NAME). */
  STRATUS_API_REGION: z.string().min(1).max(64).default('RegionOne'),
  /** Secret (in STRATUS_NAMESPACE) with the token keys ("0", "1", ...) and revocations. */
  STRATUS_API_TOKEN_KEYS_SECRET: z.string().min(1).default('stratus-api-token-keys'),
  /**
   * Where the chart mounts the same Secret. Unused: the keys are read through the API, so a
   * rotation or a revocation reaches every replica at once rather than at the kubelet's next
   * sync. Accepted so the chart's environment validates.
   */
  STRATUS_API_TOKEN_KEYS_DIR: z.string().default(''),
  /** Lifetime of a token (Keystone [token] expiration, default one hour). */
  STRATUS_API_TOKEN_TTL_SECONDS: seconds(60).default(3600),
  /**
   * Rotate the token keys this often (the staged key becomes primary, a new staged key is
   * made, keys beyond STRATUS_API_TOKEN_MAX_KEYS retire); 0 never. Replicas coordinate
   * through the Secret, so one rotation happens per period whatever the replica count.
   */
  STRATUS_API_TOKEN_ROTATION_HOURS: z.coerce.number().min(0).default(24),
  /** Keys kept (Keystone max_active_keys): at least ttl/rotation + 2 so no live token loses its key. */
  STRATUS_API_TOKEN_MAX_KEYS: z.coerce.number().int().min(3).max(32).default(5),
  /** Comma-separated groups impersonated with every user (RBAC in the chart allows only these). */
  STRATUS_API_IMPERSONATION_GROUPS: z
    .string()
    .default('stratus:users')
    .transform((v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    ),
  /** How long an access decision (SelfSubjectAccessReview) is reused. */
  STRATUS_API_AUTHZ_CACHE_SECONDS: seconds(0).default(10),
  /** Failed logins allowed per user and per client address before exponential lockout. */
  STRATUS_API_LOGIN_FAILURES_ALLOWED: z.coerce.number().int().min(1).default(5),
  /** Longest lockout after repeated failures. */
  STRATUS_API_LOGIN_LOCKOUT_MAX_SECONDS: seconds(1).default(900),
  /** Largest JSON body accepted (bytes); larger gets 413. */
  STRATUS_API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Largest image upload (bytes); larger gets 413. */
  STRATUS_API_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024 * 1024),
  /** Where uploaded image data waits until CDI has imported it. */
  STRATUS_API_UPLOAD_DIR: z.string().min(1).default(join(tmpdir(), 'stratus-api-uploads')),
  /**
   * The URL the image importer (CDI) fetches uploaded data from: this process as seen from
   * the cluster, e.g. http://$(POD_IP):8080. Empty: the public URL.
   */
  STRATUS_API_INTERNAL_URL: z.string().default(''),
  /** Identity in logs. */
  STRATUS_IDENTITY: z.string().min(1).default(`${hostname()}-${process.pid}`),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = apiConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
