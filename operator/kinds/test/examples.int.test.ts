// examples/ is documentation that must stay true: the tenant applies cleanly, and every
// file in examples/invalid/ is refused for the reason its header states.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../../harness/binaries.js';
import { installCrds } from '../../../harness/testing/crds.js';
import { kubeConfig } from '../../../harness/testing/kube.js';
import { stratusKinds } from '../index.js';

/** The namespaces the example tenant uses; the Project controller creates these later. */
const TENANT_NAMESPACE = 'demo';
const PUBLIC_NAMESPACE = 'stratus-public';
const examplesDir = join(repoRoot, 'examples');
const invalidDir = join(examplesDir, 'invalid');

function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(inject('kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args], {
    encoding: 'utf8',
    input,
  });
}

/** The `# expect:` lines of an invalid example: substrings the refusal must contain. */
export function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
}

/** Create a namespace as the Project controller would (labelled when it is a project's). */
async function ensureNamespace(name: string, project?: string): Promise<void> {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  const labels: Record<string, string> = project ? { 'stratus.dev/project': project } : {};
  await core.createNamespace({ body: { metadata: { name, labels } } }).catch(() => undefined);
}

describe('examples', () => {
  beforeAll(async () => {
    installCrds();
    await ensureNamespace(TENANT_NAMESPACE, TENANT_NAMESPACE);
    await ensureNamespace(PUBLIC_NAMESPACE);
  });

  it('the tenant applies cleanly (kubectl apply -f examples/)', () => {
    const result = kubectl(['apply', '-f', examplesDir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // Applying again changes nothing: the examples are stable under re-apply.
    const again = kubectl(['apply', '-f', examplesDir]);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toMatch(/ (created|configured)$/m);
  });

  // Deletion of an object others depend on is refused by admission (409) rather than
  // breaking the dependants; see docs/api.md for the policy per kind.
  it.each([
    ['volume', 'data', 'volume "data" is in use by instance "web-1"'],
    ['securitygroup', 'web', 'security group "web" is in use by instance "web-1"'],
    ['network', 'private', 'network "private" is in use by instance "demo/web-1"'],
    ['subnet', 'private-v4', 'subnet "private-v4" is in use by router "router1"'],
    ['snapshot', 'data-snap', 'snapshot "data-snap" is in use by volume "data-restored"'],
  ])('refuses deleting %s %s while it is in use', (kind, name, message) => {
    // Fully qualified: on a cluster with Kube-OVN, `subnets` alone may mean subnets.kubeovn.io.
    const result = kubectl(['delete', `${kind}.stratus.dev`, name, '-n', TENANT_NAMESPACE, '--wait=false']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(kubectl(['get', `${kind}.stratus.dev`, name, '-n', TENANT_NAMESPACE]).status).toBe(0);
  });

  it('lists every kind with kubectl get stratus -A', () => {
    const result = kubectl(['get', 'stratus', '-A', '-o', 'jsonpath={range .items[*]}{.kind}{"\\n"}{end}']);
    expect(result.status, result.stderr).toBe(0);
    const listed = new Set(result.stdout.split('\n').filter(Boolean));
    expect([...listed].sort()).toEqual(stratusKinds.map((k) => k.kind).sort());
  });

  it('teaches the API through kubectl explain', () => {
    const result = kubectl(['explain', 'instances.spec']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('KIND:       Instance');
    expect(result.stdout).toMatch(/flavor\s+<string> -required-/);
    expect(result.stdout).toContain('Name of the Flavor');
    const networks = kubectl(['explain', 'instances.spec.networks.fixedIPs']);
    expect(networks.stdout).toContain('Fixed addresses to request');
  });

  const files = readdirSync(invalidDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  it.each(files)('refuses invalid/%s for the stated reason', (file) => {
    const path = join(invalidDir, file);
    const text = readFileSync(path, 'utf8');
    const expected = expectations(text);
    expect(expected.length, `${file} needs at least one '# expect:' line`).toBeGreaterThan(0);
    expect(text.split('\n')[0], `${file} must start with a comment saying why it is rejected`).toMatch(
      /^# Rejected/,
    );
    // Every document but the last sets the stage (an update rule needs an object to
    // update) and must be accepted; the last is the one refused.
    const documents = text.split(/^---$/m);
    const setup = documents.slice(0, -1).join('---');
    try {
      if (setup.trim()) {
        const staged = kubectl(['apply', '-n', TENANT_NAMESPACE, '-f', '-'], setup);
        expect(staged.stderr, `${file}: the documents before the last must be accepted`).toBe('');
      }
      const result = kubectl(['apply', '-n', TENANT_NAMESPACE, '-f', '-'], documents.at(-1));
      expect(result.status, `${file} was accepted:\n${result.stdout}`).not.toBe(0);
      for (const substring of expected) expect(result.stderr).toContain(substring);
    } finally {
      kubectl(['delete', '-n', TENANT_NAMESPACE, '--ignore-not-found', '--wait=false', '-f', path]);
    }
  });
});
