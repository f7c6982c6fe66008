// Install the generated CRDs into the control plane under test (idempotent: server-side
// apply) and wait until each is Established.
//
// kubectl, not client-node: client-node serializes a CustomResourceDefinition through its
// typed model, which expects `xKubernetesValidations` and silently drops the YAML's
// `x-kubernetes-validations` — the CEL rules would never reach the apiserver.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../controlplane/binaries.js';

/** Apply every CRD under crds/ and wait for Established; returns their names. */
export function installCrds(): string[] {
  const dir = join(repoRoot, 'crds');
  const kubectl = (...args: string[]): void => {
    const result = spawnSync(inject('kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
  };
  kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=stratus-tests', '-f', dir);
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', dir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => (parse(readFileSync(join(dir, f), 'utf8')) as { metadata: { name: string } }).metadata.name);
}
