// The generated CRDs install into a real apiserver and make every kind usable.
import * as k8s from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../harness/binaries.js';
import { kubeConfig } from '../../../harness/testing/kube.js';
import { installCrds } from '../../../harness/testing/crds.js';
import { stratusKinds } from '../index.js';

describe('generated CRDs', () => {
  it('install, become Established, and are all in the stratus category', async () => {
    const names = installCrds();
    const files = readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect(names).toHaveLength(files.length);
    expect(names.sort()).toEqual(stratusKinds.map((k) => `${k.plural}.stratus.dev`).sort());
    const ext = kubeConfig().makeApiClient(k8s.ApiextensionsV1Api);
    for (const name of names) {
      const crd = await ext.readCustomResourceDefinition({ name });
      expect(crd.spec.names.categories).toContain('stratus');
      const onDisk = parse(
        readFileSync(join(repoRoot, 'crds', `stratus.dev_${crd.spec.names.plural}.yaml`), 'utf8'),
      ) as {
        spec: { versions: unknown[] };
      };
      expect(crd.spec.versions).toHaveLength(onDisk.spec.versions.length);
    }
  });
});
