// Support for the API's integration tests against the run's control plane: the tenant
// ClusterRoles, the project/user/keypair controllers in-process (the API relies on the
// operator for password hashes, RoleBindings and generated keys), projects and users made
// for one test file, the API itself in-process, and a small HTTP client.
import type * as k8s from '@kubernetes/client-node';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../harness/testing/eventually.js';
import { kubeConfig, randomSuffix } from '../../../harness/testing/kube.js';
import { keyPairController } from '../../controllers/keypair/controller.js';
import { projectController } from '../../controllers/project/controller.js';
import { tenantBindings, tenantClusterRoles } from '../../controllers/rbac.js';
import { userController } from '../../controllers/user/controller.js';
import { KubeClient } from '../../runtime/client.js';
import { createLogger } from '../../runtime/logger.js';
import { apiConfigSchema, type ApiConfig } from '../config.js';
import { startApi, type RunningApi } from '../process.js';
import { Project, User, resourceOf } from '../../kinds/index.js';
import { kube } from '../../kinds/external.js';
import { Manager } from '../../runtime/manager.js';

export const PUBLIC = 'stratus-public';

export interface TestUser {
  name: string;
  password: string;
}

export interface Environment {
  kc: k8s.KubeConfig;
  /** Admin client (plays the cloud admin and, where a test says so, the operator). */
  admin: KubeClient;
  /** The API's own namespace: token keys, password hashes. */
  systemNamespace: string;
  projects: string[];
  users: Record<string, TestUser>;
  api: RunningApi;
  config: ApiConfig;
  /** Start another API process-in-process on the same Secret (a restart, a second replica). */
  startApi(overrides?: Record<string, string>): Promise<RunningApi>;
  stop(): Promise<void>;
}

interface Conditioned {
  metadata?: object;
  status?: { conditions?: Array<{ type: string; status: string }>; passwordHashSecret?: string };
}

const ready = (o: Conditioned | undefined) =>
  o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * Projects named `<prefix>-<n>-<suffix>`; users with roles in them, e.g.
 * `{ alice: [{ project: 0, roles: ['member'] }] }`.
 */
export async function environment(options: {
  prefix: string;
  projects: number;
  users: Record<string, Array<{ project: number; roles: Array<'reader' | 'member' | 'admin'> }>>;
  env?: Record<string, string>;
}): Promise<Environment> {
  const kc = kubeConfig();
  const admin = new KubeClient(kc, { fieldManager: 'test-admin' });
  const operatorClient = new KubeClient(kc); // the operator's field manager, as it would apply these
  for (const role of tenantClusterRoles() as Array<{ metadata: { name: string } }>) {
    await operatorClient.apply(kube.clusterRoles, role);
  }
  await admin.apply(kube.namespaces, { metadata: { name: PUBLIC } });
  for (const binding of tenantBindings(PUBLIC) as Array<{ kind: string; metadata: { name: string } }>) {
    await operatorClient.apply(
      binding.kind === 'RoleBinding' ? kube.roleBindings : kube.clusterRoleBindings,
      binding,
    );
  }
  operatorClient.close();

  const suffix = randomSuffix(3);
  const systemNamespace = `${options.prefix}-sys-${suffix}`;
  await admin.apply(kube.namespaces, {
    metadata: { name: systemNamespace, labels: { 'stratus.dev/test': 'true' } },
  });

  const logger = createLogger({ level: (process.env.STRATUS_TEST_LOG_LEVEL ?? 'error') as 'error' });
  const manager = new Manager({ kubeConfig: kc, logger });
  manager.add(projectController({ kubeOvn: false }));
  manager.add(userController({ namespace: systemNamespace, passwordRecheckMs: 1000 }));
  manager.add(keyPairController({ recheckMs: 300 }));
  const stopOperator = new AbortController();
  setMaxListeners(64, stopOperator.signal);
  await manager.startInformers(stopOperator.signal);
  const running = manager.runControllers(stopOperator.signal);

  const projects = Array.from({ length: options.projects }, (_, i) => `${options.prefix}-${i}-${suffix}`);
  for (const name of projects) {
    await admin.apply(resourceOf(Project), { metadata: { name }, spec: { displayName: name } });
  }
  const users: Record<string, TestUser> = {};
  for (const [base, grants] of Object.entries(options.users)) {
    const name = `${base}-${suffix}`;
    const password = `pw-${randomSuffix(8)}`;
    await admin.apply(kube.secrets, {
      metadata: { name: `${name}-password`, namespace: systemNamespace },
      data: { password: Buffer.from(password).toString('base64') },
    });
    await admin.apply(resourceOf(User), {
      metadata: { name },
      spec: {
        passwordSecretRef: { namespace: systemNamespace, name: `${name}-password` },
        ...(grants[0] ? { defaultProject: projects[grants[0].project] } : {}),
        projects: grants.map((g) => ({ project: projects[g.project]!, roles: g.roles })),
      },
    });
    users[base] = { name, password };
  }
  await eventually(
    async () => {
      for (const name of projects)
        if (!ready(await admin.get<Conditioned>(resourceOf(Project), name))) return false;
      for (const user of Object.values(users)) {
        const object = await admin.get<Conditioned>(resourceOf(User), user.name);
        if (!ready(object) || !object?.status?.passwordHashSecret) return false;
      }
      return true;
    },
    { timeoutMs: 60_000, description: 'projects and users to be Ready' },
  );

  const uploads = mkdtempSync(join(tmpdir(), 'stratus-api-test-'));
  const config = apiConfigSchema.parse({
    STRATUS_NAMESPACE: systemNamespace,
    STRATUS_PUBLIC_NAMESPACE: PUBLIC,
    STRATUS_API_PORT: '0',
    STRATUS_API_ADDRESS: '127.0.0.1',
    STRATUS_HEALTH_PORT: '0',
    STRATUS_HEALTH_ADDRESS: '127.0.0.1',
    STRATUS_API_TOKEN_KEYS_SECRET: 'stratus-api-token-keys',
    STRATUS_API_UPLOAD_DIR: uploads,
    STRATUS_API_AUTHZ_CACHE_SECONDS: '1',
    STRATUS_LOG_LEVEL: process.env.STRATUS_TEST_LOG_LEVEL ?? 'error',
    ...options.env,
  });
  const apis: RunningApi[] = [];
  const start = async (overrides: Record<string, string> = {}) => {
    const api = await startApi(
      apiConfigSchema.parse({
        ...config,
        ...overrides,
        STRATUS_API_IMPERSONATION_GROUPS: config.STRATUS_API_IMPERSONATION_GROUPS.join(','),
      }),
      { kubeConfig: kc, logger },
    );
    apis.push(api);
    return api;
  };
  const api = await start();

  return {
    kc,
    admin,
    systemNamespace,
    projects,
    users,
    api,
    config,
    startApi: start,
    stop: async () => {
      for (const a of apis) await a.stop().catch(() => undefined);
      // The operator first, so it does not race the namespaces' deletion; owner references
      // take the rest.
      stopOperator.abort();
      await running.catch(() => undefined);
      await manager.stopInformers();
      for (const user of Object.values(users))
        await admin.delete(resourceOf(User), user.name).catch(() => undefined);
      for (const name of projects) await admin.delete(resourceOf(Project), name).catch(() => undefined);
      await admin.delete(kube.namespaces, systemNamespace).catch(() => undefined);
      admin.close();
      rmSync(uploads, { recursive: true, force: true });
    },
  };
}

/**
 * A parsed JSON response. Tests walk it freely and let their assertions check the shape,
 * so it is `any` on purpose (the OpenStack shapes are what the tests are about).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP request to the API; the body is parsed when it is JSON. */
export async function call<T = Json>(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string;
    json?: unknown;
    body?: RequestInit['body'];
    headers?: Record<string, string>;
  } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['X-Auth-Token'] = options.token;
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  // duplex: node's fetch needs it for a streamed body; the DOM types do not know it.
  const init: RequestInit & { duplex: 'half' } = { method, headers, body, duplex: 'half' };
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Password login; returns the token and the token body. */
export async function login(
  base: string,
  user: TestUser,
  scope: { project?: string; projectId?: string; unscoped?: boolean } = {},
): Promise<{ token: string; body: Json; status: number }> {
  const reply = await call<unknown>(base, 'POST', '/identity/v3/auth/tokens', {
    json: {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user.name, domain: { name: 'Default' }, password: user.password } },
        },
        ...(scope.unscoped
          ? { scope: 'unscoped' }
          : scope.projectId
            ? { scope: { project: { id: scope.projectId } } }
            : scope.project
              ? { scope: { project: { name: scope.project, domain: { id: 'default' } } } }
              : {}),
      },
    },
  });
  return {
    token: reply.headers.get('x-subject-token') ?? '',
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- Json by design (see above)
    body: reply.body as Json,
    status: reply.status,
  };
}
