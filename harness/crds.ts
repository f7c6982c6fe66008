// Install the generated CRDs (server-side apply, idempotent) and wait until Established.
//
// kubectl, not client-node: client-node serializes a CustomResourceDefinition through its
// typed model, which expects `xKubernetesValidations` and silently drops the YAML's
// `x-kubernetes-validations` — the CEL rules would never reach the apiserver.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './binaries.js';

export const crdsDir = join(repoRoot, 'crds');

/** Apply every CRD file in `dir`; returns the CRD names (none if the directory is empty). */
export function applyCrds(kubectl: string, kubeconfig: string, dir = crdsDir): string[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  if (files.length === 0) return [];
  const run = (...args: string[]): void => {
    const result = spawnSync(kubectl, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
  };
  run('apply', '--server-side', '--force-conflicts', '--field-manager=stratus-crds', '-f', dir);
  run('wait', '--for=condition=Established', '--timeout=60s', '-f', dir);
  return files.map(
    (f) => (parse(readFileSync(join(dir, f), 'utf8')) as { metadata: { name: string } }).metadata.name,
  );
}
