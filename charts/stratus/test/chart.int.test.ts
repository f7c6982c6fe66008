// The Helm chart, checked the way a cluster operator meets it:
//   - rules read off the rendered objects: CRDs identical to crds/ and kept on uninstall,
//     webhooks that fail closed, no wildcard RBAC, impersonation for the API alone, a
//     schema that rejects unknown keys;
//   - every rendering (defaults, every option on) accepted by the real apiserver
//     (`kubectl apply --dry-run=server`, strict field validation);
//   - `helm install` into a control plane of its own, where every object is created, the
//     apiserver's own RBAC answers who may impersonate, and the operator runs as the
//     chart's ServiceAccount with the chart's environment: it converges a Project and a
//     User and injects its webhook CA. Its own control plane because a fail-closed webhook
//     with no pod behind it (no kubelet here) would refuse every stratus.dev write of the
//     test files sharing the run's apiserver, and the tenant ClusterRoles have fixed names.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { obtainBinaries, repoRoot } from '../../../harness/binaries.js';
import { ControlPlane } from '../../../harness/control-plane.js';
import { eventually } from '../../../harness/testing/eventually.js';
import { freshNamespace } from '../../../harness/testing/kube.js';
import { loadConfig } from '../../../operator/config.js';
import { runOperator } from '../../../operator/process.js';

const chartDir = join(repoRoot, 'charts', 'stratus');
const allOnValues = join(chartDir, 'ci', 'all-on-values.yaml');
const fixturesDir = join(chartDir, 'test', 'fixtures');
const RELEASE = 'stratus';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface Container {
  name: string;
  command: string[];
  env: EnvVar[];
  envFrom?: Array<{ configMapRef: { name: string } }>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string } };
}

interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        securityContext: Record<string, unknown>;
        containers: Container[];
        topologySpreadConstraints?: unknown[];
        volumes?: Array<{ name: string; secret?: { secretName: string } }>;
      };
    };
  };
}

interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  clientConfig: {
    service: { name: string; namespace: string; path: string; port: number };
    caBundle?: string;
  };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let helm = '';

function run(command: string, args: string[], input?: string): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustRun(command: string, args: string[], input?: string): string {
  const result = run(command, args, input);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** `helm template` as YAML text. */
function template(namespace: string, args: string[] = [], release = RELEASE): string {
  return mustRun(helm, ['template', release, chartDir, '--namespace', namespace, ...args]);
}

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJSON() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const render = (namespace: string, args: string[] = []): Manifest[] =>
  parseManifests(template(namespace, args));

const ofKind = <T extends Manifest = Manifest>(docs: Manifest[], kind: string): T[] =>
  docs.filter((d) => d.kind === kind) as T[];

function one<T extends Manifest = Manifest>(docs: Manifest[], kind: string, name: string): T {
  const found = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendering`);
  return found as T;
}

/**
 * Install the stand-in CRDs of the optional parts (ServiceMonitor, cert-manager) where the
 * real ones are missing; a real cluster's own CRDs are never replaced.
 */
function ensureFixtureCrds(kubectl: string, kubeconfig: string): void {
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith('.yaml'))) {
    const name = (parse(readFileSync(join(fixturesDir, file), 'utf8')) as Manifest).metadata.name;
    if (run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'crd', name]).status === 0) continue;
    mustRun(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '-f', join(fixturesDir, file)]);
    mustRun(kubectl, [
      '--kubeconfig',
      kubeconfig,
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/${name}`,
    ]);
  }
}

/**
 * The operator container's environment as the kubelet would give it: plain values, the
 * downward API's namespace and pod name, and the engines ConfigMap.
 */
function operatorEnv(
  docs: Manifest[],
  namespace: string,
  podName = 'stratus-operator-0',
): Record<string, string> {
  const container = one<Deployment>(docs, 'Deployment', `${RELEASE}-operator`).spec.template.spec
    .containers[0]!;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    Object.assign(
      env,
      one<Manifest & { data: Record<string, string> }>(docs, 'ConfigMap', from.configMapRef.name).data,
    );
  }
  for (const variable of container.env) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    env[variable.name] =
      field === 'metadata.namespace'
        ? namespace
        : field === 'metadata.name'
          ? podName
          : (variable.value ?? '');
  }
  return env;
}

const RENDERINGS: Array<[string, string[]]> = [
  ['defaults', []],
  ['every option on', ['--values', allOnValues]],
];

beforeAll(async () => {
  helm = process.env.HELM ?? (await obtainBinaries()).helm;
});

describe('the chart, rendered', () => {
  it('passes helm lint --strict with defaults and with every option on', () => {
    for (const [, args] of RENDERINGS) {
      const out = mustRun(helm, ['lint', '--strict', chartDir, ...args]);
      expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('rejects values the schema does not know, at every level', () => {
    for (const typo of ['typo=1', 'operator.replicsa=3', 'api.ingress.hots=x', 'crds.kep=false']) {
      const result = run(helm, ['template', RELEASE, chartDir, '--set', typo]);
      expect(result.status, typo).not.toBe(0);
      expect(result.stderr).toMatch(/additional properties '\w+' not allowed/);
    }
    // Wrong types and values too.
    for (const bad of [
      'operator.logLevel=loud',
      'webhooks.timeoutSeconds=60',
      'engines.network.cniProvider=flannel',
    ]) {
      expect(run(helm, ['template', RELEASE, chartDir, '--set', bad]).status, bad).not.toBe(0);
    }
    expect(run(helm, ['template', RELEASE, chartDir, '--set', 'operator.logLevel=debug']).status).toBe(0);
  });

  it('renders the CRDs of crds/ unchanged, kept on uninstall unless told otherwise', () => {
    const onDisk = new Map(
      readdirSync(join(repoRoot, 'crds')).map((file) => {
        const crd = parse(readFileSync(join(repoRoot, 'crds', file), 'utf8')) as Manifest & { spec: unknown };
        return [crd.metadata.name, crd.spec] as const;
      }),
    );
    const crds = ofKind<Manifest & { spec: unknown }>(render('stratus-system'), 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([...onDisk.keys()].sort());
    for (const crd of crds) {
      expect(crd.spec, crd.metadata.name).toEqual(onDisk.get(crd.metadata.name));
      expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
    const unkept = ofKind(render('stratus-system', ['--set', 'crds.keep=false']), 'CustomResourceDefinition');
    expect(unkept).toHaveLength(crds.length);
    for (const crd of unkept) expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
    expect(
      ofKind(render('stratus-system', ['--set', 'crds.enabled=false']), 'CustomResourceDefinition'),
    ).toEqual([]);
  });

  it('registers webhooks that fail closed, have no side effects and reach the webhook Service', () => {
    for (const [label, args] of RENDERINGS) {
      const docs = render('stratus-system', args);
      const configs = [
        ...ofKind<Manifest & { webhooks: Webhook[] }>(docs, 'ValidatingWebhookConfiguration'),
        ...ofKind<Manifest & { webhooks: Webhook[] }>(docs, 'MutatingWebhookConfiguration'),
      ];
      expect(configs, label).toHaveLength(2);
      const service = one<Manifest & { spec: { ports: Array<{ port: number }> } }>(
        docs,
        'Service',
        `${RELEASE}-webhooks`,
      );
      for (const config of configs) {
        expect(config.webhooks.length).toBeGreaterThan(0);
        for (const webhook of config.webhooks) {
          expect(webhook.failurePolicy, `${label} ${webhook.name}`).toBe('Fail');
          expect(webhook.sideEffects, `${label} ${webhook.name}`).toBe('None');
          expect(webhook.clientConfig.service).toMatchObject({
            name: service.metadata.name,
            namespace: 'stratus-system',
            port: 443,
          });
          expect(service.spec.ports.map((p) => p.port)).toContain(webhook.clientConfig.service.port);
        }
      }
    }
  });

  it('takes the webhook certificate from cert-manager when enabled, else from the operator', () => {
    const self = render('stratus-system');
    const operator = one<Deployment>(self, 'Deployment', `${RELEASE}-operator`);
    const webhooks = one<Deployment>(self, 'Deployment', `${RELEASE}-webhooks`);
    const env = Object.fromEntries(
      operator.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]),
    );
    const mounted = webhooks.spec.template.spec.volumes?.find((v) => v.secret)?.secret?.secretName;
    expect(env.STRATUS_WEBHOOK_CA_MODE).toBe('self');
    expect(env.STRATUS_WEBHOOK_SECRET_NAME).toBe(mounted);
    expect(env.STRATUS_WEBHOOK_CONFIGURATION_NAME).toBe(`${RELEASE}-webhooks`);
    expect(ofKind(self, 'Certificate')).toEqual([]);

    const managed = render('stratus-system', ['--set', 'webhooks.certManager.enabled=true']);
    const certificate = one<Manifest & { spec: { secretName: string; dnsNames: string[] } }>(
      managed,
      'Certificate',
      `${RELEASE}-webhooks`,
    );
    expect(certificate.spec.secretName).toBe(mounted);
    expect(certificate.spec.dnsNames).toContain(`${RELEASE}-webhooks.stratus-system.svc`);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      expect(one(managed, kind, `${RELEASE}-webhooks`).metadata.annotations).toMatchObject({
        'cert-manager.io/inject-ca-from': `stratus-system/${certificate.metadata.name}`,
      });
    }
    const managedEnv = one<Deployment>(managed, 'Deployment', `${RELEASE}-operator`).spec.template.spec
      .containers[0]!.env;
    expect(managedEnv.find((e) => e.name === 'STRATUS_WEBHOOK_CA_MODE')?.value).toBe('none');
    // Without cert-manager the operator may not touch webhook configurations at all.
    const operatorRules = (docs: Manifest[]) =>
      one<Manifest & { rules: Rule[] }>(docs, 'ClusterRole', `${RELEASE}-operator`).rules;
    const touchesWebhooks = (rules: Rule[]) =>
      rules.some((r) => r.apiGroups?.includes('admissionregistration.k8s.io'));
    expect(touchesWebhooks(operatorRules(self))).toBe(true);
    expect(touchesWebhooks(operatorRules(managed))).toBe(false);
  });

  it('grants no wildcard, and impersonation to the API ServiceAccount alone', () => {
    const variants: Array<[string, string[]]> = [
      ...RENDERINGS,
      ['without the API', ['--set', 'api.enabled=false']],
    ];
    for (const [label, args] of variants) {
      const docs = render('stratus-system', args);
      const roles = [...ofKind(docs, 'ClusterRole'), ...ofKind(docs, 'Role')] as Array<
        Manifest & { rules: Rule[] }
      >;
      for (const role of roles) {
        for (const rule of role.rules) {
          const where = `${label}: ${role.kind} ${role.metadata.name} ${JSON.stringify(rule)}`;
          for (const field of [rule.apiGroups, rule.resources, rule.verbs]) {
            expect(field ?? [], where).not.toContain('*');
          }
          // Our roles never reach core resources by a wildcard or an empty list.
          if (rule.apiGroups?.includes('')) expect(rule.resources?.length, where).toBeGreaterThan(0);
          // Escalation rights on RBAC are never granted; `bind` only to named roles.
          expect(rule.verbs, where).not.toContain('escalate');
          if (rule.verbs.includes('bind')) expect(rule.resourceNames?.length, where).toBeGreaterThan(0);
        }
      }
      const impersonators = roles.filter((r) => r.rules.some((rule) => rule.verbs.includes('impersonate')));
      if (label === 'without the API') {
        expect(impersonators, label).toEqual([]);
        continue;
      }
      expect(
        impersonators.map((r) => `${r.kind}/${r.metadata.name}`),
        label,
      ).toEqual([`ClusterRole/${RELEASE}-api`]);
      const groups = impersonators[0]!.rules.find((r) => r.resources?.includes('groups'));
      expect(groups?.resourceNames?.length, 'impersonated groups are listed by name').toBeGreaterThan(0);
      expect(groups?.resourceNames).not.toContain('system:masters');
      // Bound to the API's ServiceAccount and nothing else.
      const bindings = ofKind<
        Manifest & { roleRef: { name: string }; subjects: Array<{ kind: string; name: string }> }
      >(docs, 'ClusterRoleBinding').filter((b) => b.roleRef.name === `${RELEASE}-api`);
      expect(bindings.flatMap((b) => b.subjects)).toEqual([
        { kind: 'ServiceAccount', name: `${RELEASE}-api`, namespace: 'stratus-system' },
      ]);
      const apiDeployment = one<Deployment>(docs, 'Deployment', `${RELEASE}-api`);
      expect(apiDeployment.spec.template.spec.serviceAccountName).toBe(`${RELEASE}-api`);
    }
  });

  it('runs each component hardened: probes, resources, non-root, read-only, disruption budget, spread', () => {
    const docs = render('stratus-system');
    const deployments = ofKind<Deployment>(docs, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['api', 'operator', 'webhooks'].map((c) => `${RELEASE}-${c}`),
    );
    const operator = one<Deployment>(docs, 'Deployment', `${RELEASE}-operator`);
    expect(operator.spec.replicas).toBe(2);
    const operatorEnv = operator.spec.template.spec.containers[0]!.env;
    expect(operatorEnv.find((e) => e.name === 'STRATUS_LEADER_ELECT')?.value).toBe('true');
    const entryPoints = Object.fromEntries(
      deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]!.command.join(' ')]),
    );
    expect(entryPoints).toEqual({
      [`${RELEASE}-operator`]: 'node dist/cmd/operator.js',
      [`${RELEASE}-webhooks`]: 'node dist/cmd/webhooks.js',
      [`${RELEASE}-api`]: 'node dist/cmd/openstack-api.js',
    });
    for (const deployment of deployments) {
      const name = deployment.metadata.name;
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true });
      for (const container of pod.containers) {
        expect(container.livenessProbe?.httpGet.path, name).toBe('/healthz');
        expect(container.readinessProbe?.httpGet.path, name).toBe('/readyz');
        expect(container.resources.requests?.cpu, name).toBeDefined();
        expect(container.resources.limits?.memory, name).toBeDefined();
        expect(container.securityContext, name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
        });
        expect(container.securityContext.capabilities?.drop, name).toEqual(['ALL']);
      }
      expect(pod.topologySpreadConstraints?.length, name).toBeGreaterThan(0);
      const pdb = ofKind<Manifest & { spec: { selector: { matchLabels: object } } }>(
        docs,
        'PodDisruptionBudget',
      ).find((p) => p.metadata.name === name);
      expect(pdb?.spec.selector.matchLabels, `${name} PodDisruptionBudget`).toEqual(
        deployment.spec.selector.matchLabels,
      );
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    }
    // Two unelected operators would reconcile the same objects at once.
    const unelected = run(helm, [
      'template',
      RELEASE,
      chartDir,
      '--set',
      'operator.leaderElection.enabled=false',
    ]);
    expect(unelected.status).not.toBe(0);
    expect(unelected.stderr).toMatch(/needs operator.leaderElection.enabled/);
    expect(
      run(helm, [
        'template',
        RELEASE,
        chartDir,
        '--set',
        'operator.leaderElection.enabled=false',
        '--set',
        'operator.replicas=1',
      ]).status,
    ).toBe(0);
  });

  it('gives the operator an environment its configuration accepts', () => {
    for (const [label, args] of RENDERINGS) {
      // loadConfig validates every key it knows (zod) and names the bad one.
      const config = loadConfig(operatorEnv(render('stratus-system', args), 'stratus-system'));
      expect(config.STRATUS_NAMESPACE, label).toBe('stratus-system');
      expect(config.STRATUS_LEASE_NAME, label).toBe(`${RELEASE}-operator`);
      expect(config.STRATUS_MANAGE_CLUSTER_RBAC, label).toBe(false);
    }
    // Engine settings: empty values leave the operator's defaults, set ones arrive.
    const defaults = loadConfig(operatorEnv(render('stratus-system'), 'stratus-system'));
    const allOn = loadConfig(
      operatorEnv(render('stratus-system', ['--values', allOnValues]), 'stratus-system'),
    );
    expect([defaults.STRATUS_STORAGE_CLASS, defaults.STRATUS_SNAPSHOT_CLASS]).toEqual(['rbd', 'rbd']);
    expect([allOn.STRATUS_STORAGE_CLASS, allOn.STRATUS_SNAPSHOT_CLASS, allOn.STRATUS_IMAGE_DISK_GIB]).toEqual(
      ['ceph-rbd', 'ceph-rbd-snapshots', 20],
    );
  });

  it('renders the optional parts when switched on', () => {
    const kinds = (docs: Manifest[]) => new Set(docs.map((d) => d.kind));
    const defaults = kinds(render('stratus-system'));
    const all = render('stratus-system', ['--values', allOnValues]);
    for (const kind of ['ServiceMonitor', 'Ingress', 'Certificate', 'Issuer']) {
      expect(defaults.has(kind), kind).toBe(false);
      expect(kinds(all).has(kind), kind).toBe(true);
    }
    const dashboard = one<Manifest & { data: Record<string, string> }>(
      all,
      'ConfigMap',
      `${RELEASE}-dashboard`,
    );
    const json = JSON.parse(dashboard.data['stratus.json']!) as { panels: Array<{ title: string }> };
    expect(json.panels.length).toBeGreaterThan(0);
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
  });
});

describe('the chart, against the apiserver', () => {
  it('every rendering is accepted by the apiserver (server-side dry run)', async () => {
    const kubectl = inject('kubectl');
    const kubeconfig = inject('kubeconfig');
    // The optional parts need their CRDs: minimal fixtures stand in for the real ones.
    ensureFixtureCrds(kubectl, kubeconfig);
    const namespace = await freshNamespace('chart');
    // A release name of its own: the run's harness already registered "stratus-webhooks".
    const release = `dry-${namespace}`;
    for (const [label, args] of RENDERINGS) {
      const rendered = template(namespace, args, release);
      const result = run(
        kubectl,
        ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '--validate=strict', '-f', '-'],
        rendered,
      );
      expect(result.status, `${label}: ${result.stderr}`).toBe(0);
      expect(result.stderr, label).not.toMatch(/error/i);
      const applied = result.stdout.trim().split('\n');
      expect(applied.length, label).toBe(parseManifests(rendered).length);
      for (const line of applied) expect(line, label).toMatch(/\(server dry run\)$/);
    }
  });

  describe('installed into a control plane of its own', () => {
    let cp: ControlPlane;
    let kubectl = '';
    let work = '';
    const namespace = 'stratus-system';
    const k = (...args: string[]) => mustRun(kubectl, ['--kubeconfig', cp.kubeconfigPath, ...args]);
    /** The apiserver's own authorization answer (a SubjectAccessReview), as `kubectl auth can-i` would give. */
    const allowed = (user: string, verb: string, resource: string, name?: string, group = '') => {
      const review = stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user, resourceAttributes: { verb, group, resource, ...(name ? { name } : {}) } },
      });
      const answer = mustRun(
        kubectl,
        ['--kubeconfig', cp.kubeconfigPath, 'create', '-f', '-', '-o', 'jsonpath={.status.allowed}'],
        review,
      );
      return answer === 'true';
    };
    const sa = (name: string) => `system:serviceaccount:${namespace}:${RELEASE}-${name}`;

    beforeAll(async () => {
      const binaries = await obtainBinaries();
      kubectl = binaries.kubectl;
      cp = await ControlPlane.start({ binaries, log: () => {} });
      ensureFixtureCrds(kubectl, cp.kubeconfigPath);
      work = mkdtempSync(join(tmpdir(), 'stratus-chart-'));
    });

    afterAll(async () => {
      await cp?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /** Every object of the release's manifest exists in the cluster. */
    function expectEveryObjectCreated(): Manifest[] {
      const manifest = mustRun(helm, [
        'get',
        'manifest',
        RELEASE,
        '--namespace',
        namespace,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      const docs = parseManifests(manifest);
      const file = join(work, 'manifest.yaml');
      writeFileSync(file, manifest);
      const names = k('get', '-f', file, '-o', 'name').trim().split('\n');
      expect(names).toHaveLength(docs.length);
      return docs;
    }

    it('installs with defaults, runs the operator with the chart’s rights, keeps the CRDs on uninstall, installs with every option on', async () => {
      mustRun(helm, [
        'install',
        RELEASE,
        chartDir,
        '--namespace',
        namespace,
        '--create-namespace',
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      const docs = expectEveryObjectCreated();
      expect(ofKind(docs, 'CustomResourceDefinition')).toHaveLength(14);

      // The apiserver's RBAC: only the API may impersonate, and only the listed groups.
      const RBAC = 'rbac.authorization.k8s.io';
      expect(allowed(sa('api'), 'impersonate', 'users', 'stratus:user:alice')).toBe(true);
      expect(allowed(sa('api'), 'impersonate', 'groups', 'stratus:users')).toBe(true);
      expect(allowed(sa('api'), 'impersonate', 'groups', 'system:masters')).toBe(false);
      expect(allowed(sa('api'), 'impersonate', 'serviceaccounts', 'default')).toBe(false);
      for (const other of ['operator', 'webhooks']) {
        expect(allowed(sa(other), 'impersonate', 'users', 'stratus:user:alice'), other).toBe(false);
        expect(allowed(sa(other), 'impersonate', 'groups', 'system:masters'), other).toBe(false);
      }
      // The operator binds the tenant roles and nothing else; it cannot write ClusterRoles.
      expect(allowed(sa('operator'), 'bind', 'clusterroles', 'stratus-admin', RBAC)).toBe(true);
      expect(allowed(sa('operator'), 'bind', 'clusterroles', 'cluster-admin', RBAC)).toBe(false);
      expect(allowed(sa('operator'), 'create', 'clusterroles', undefined, RBAC)).toBe(false);
      expect(allowed(sa('operator'), 'escalate', 'clusterroles', 'stratus-admin', RBAC)).toBe(false);
      expect(allowed(sa('webhooks'), 'create', 'projects', undefined, 'stratus.dev')).toBe(false);

      // Fail closed: no webhook pod can run here (no kubelet), so writes are refused.
      const project = stringify({
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Project',
        metadata: { name: 'chart-demo' },
        spec: {
          description: 'made through the chart',
          members: [{ kind: 'Group', name: 'devs', role: 'member' }],
        },
      });
      const refused = run(kubectl, ['--kubeconfig', cp.kubeconfigPath, 'create', '-f', '-'], project);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/failed calling webhook/);
      // Point the webhooks at objects nobody labels, so the operator's run below can write.
      for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
        k(
          'patch',
          kind,
          `${RELEASE}-webhooks`,
          '--type=json',
          '-p',
          JSON.stringify([
            {
              op: 'add',
              path: '/webhooks/0/objectSelector',
              value: { matchLabels: { 'stratus.dev/no-pods-here': 'true' } },
            },
          ]),
        );
      }

      // The operator as the chart runs it: its ServiceAccount's token, its environment.
      const token = k(
        'create',
        'token',
        `${RELEASE}-operator`,
        '--namespace',
        namespace,
        '--duration=1h',
      ).trim();
      const kubeconfig = join(work, 'operator.kubeconfig');
      writeFileSync(
        kubeconfig,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'chart',
              cluster: {
                server: cp.server,
                'certificate-authority-data': Buffer.from(cp.caPem).toString('base64'),
              },
            },
          ],
          users: [{ name: 'operator', user: { token } }],
          contexts: [{ name: 'chart', context: { cluster: 'chart', user: 'operator' } }],
          'current-context': 'chart',
        }),
      );
      const env = operatorEnv(docs, namespace, 'chart-operator-0');
      // The chart's environment is a valid operator configuration (zod checks every key).
      const config = loadConfig({
        ...env,
        KUBECONFIG: kubeconfig,
        STRATUS_HEALTH_PORT: '0',
        STRATUS_HEALTH_ADDRESS: '127.0.0.1',
      });
      expect(config.STRATUS_WEBHOOK_CA_MODE).toBe('self');
      expect(config.STRATUS_MANAGE_CLUSTER_RBAC).toBe(false);

      k('create', 'namespace', 'passwords');
      k(
        'create',
        'secret',
        'generic',
        'alice',
        '--namespace',
        'passwords',
        '--from-literal=password=correct horse',
      );
      mustRun(kubectl, ['--kubeconfig', cp.kubeconfigPath, 'create', '-f', '-'], project);
      mustRun(
        kubectl,
        ['--kubeconfig', cp.kubeconfigPath, 'create', '-f', '-'],
        stringify({
          apiVersion: 'stratus.dev/v1alpha1',
          kind: 'User',
          metadata: { name: 'alice' },
          spec: {
            passwordSecretRef: { name: 'alice', namespace: 'passwords' },
            projects: [{ project: 'chart-demo', roles: ['admin'] }],
          },
        }),
      );

      const stop = new AbortController();
      const operator = runOperator(config, stop.signal);
      let bundle = '';
      try {
        const ready = (kind: string, name: string) =>
          run(kubectl, [
            '--kubeconfig',
            cp.kubeconfigPath,
            'get',
            kind,
            name,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]).stdout === 'True';
        await eventually(() => ready('project', 'chart-demo') && ready('user', 'alice'), {
          timeoutMs: 60_000,
          description: 'the Project and the User to become Ready under the operator’s ServiceAccount',
        });
        // The webhook certificate: issued into the Secret the webhook pods mount, its CA in both configurations.
        bundle = await eventually(
          () => {
            const secret = run(kubectl, [
              '--kubeconfig',
              cp.kubeconfigPath,
              'get',
              'secret',
              `${RELEASE}-webhook-tls`,
              '--namespace',
              namespace,
              '-o',
              'jsonpath={.data.ca-bundle\\.crt}',
            ]);
            return secret.status === 0 && secret.stdout ? secret.stdout : undefined;
          },
          { description: 'the webhook certificate Secret' },
        );
        for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
          await eventually(
            () =>
              k('get', kind, `${RELEASE}-webhooks`, '-o', 'jsonpath={.webhooks[*].clientConfig.caBundle}') ===
              bundle,
            { description: `the CA bundle in the ${kind}` },
          );
        }
        expect(
          k(
            'get',
            'lease',
            `${RELEASE}-operator`,
            '--namespace',
            namespace,
            '-o',
            'jsonpath={.spec.holderIdentity}',
          ),
        ).toBe('chart-operator-0');
      } finally {
        stop.abort();
        await operator;
      }

      // An upgrade keeps the injected caBundle (the operator is stopped, so nothing could put
      // it back): Helm's three-way merge leaves alone the fields its manifests never set.
      mustRun(helm, [
        'upgrade',
        RELEASE,
        chartDir,
        '--namespace',
        namespace,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
        expect(
          k('get', kind, `${RELEASE}-webhooks`, '-o', 'jsonpath={.webhooks[*].clientConfig.caBundle}'),
        ).toBe(bundle);
      }

      // Uninstall: the workloads go, the CRDs — and so every tenant object — stay.
      mustRun(helm, ['uninstall', RELEASE, '--namespace', namespace, '--kubeconfig', cp.kubeconfigPath]);
      expect(
        run(kubectl, [
          '--kubeconfig',
          cp.kubeconfigPath,
          'get',
          'deployment',
          `${RELEASE}-operator`,
          '-n',
          namespace,
        ]).status,
      ).not.toBe(0);
      expect(
        k('get', 'crd', '-l', 'app.kubernetes.io/part-of=stratus', '-o', 'name').trim().split('\n'),
      ).toHaveLength(14);
      expect(k('get', 'project', 'chart-demo', '-o', 'name').trim()).toBe('project.stratus.dev/chart-demo');

      // Install again with every option on: the kept CRDs are taken back into the release.
      mustRun(helm, [
        'install',
        RELEASE,
        chartDir,
        '--namespace',
        namespace,
        '--values',
        allOnValues,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      const allOn = expectEveryObjectCreated();
      for (const kind of ['ServiceMonitor', 'Certificate', 'Issuer', 'Ingress']) {
        expect(ofKind(allOn, kind).length, kind).toBeGreaterThan(0);
      }
    });
  });
});
