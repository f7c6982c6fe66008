// Install the generated CRDs into the control plane under test (idempotent: server-side
// apply) and wait until each is Established.
import * as k8s from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../controlplane/binaries.js';
import { eventually } from './eventually.js';
import { kubeConfig } from './kube.js';

const FIELD_MANAGER = 'stratus-tests';

/** Apply every CRD under crds/ and wait for Established; returns their names. */
export async function installCrds(): Promise<string[]> {
  const kc = kubeConfig();
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const dir = join(repoRoot, 'crds');
  const crds = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as k8s.V1CustomResourceDefinition);
  for (const crd of crds) {
    await client.patch(crd, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
  }
  const names = crds.map((crd) => crd.metadata!.name!);
  for (const name of names) {
    await eventually(
      async () =>
        (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      { description: `CRD ${name} to be Established` },
    );
  }
  return names;
}
