// SIMULATION — installs what the simulated engines would have installed on a real cluster:
// their CRDs (minimal fixtures under crds/), the RBD StorageClass and VolumeSnapshotClass,
// and Kube-OVN's default VPC and subnets (fixtures/). Server-side apply with the simulator's
// field manager, so running it again changes nothing.
//
// The objects go through our own KubeClient as raw JSON, not client-node's typed models:
// those drop fields they do not know (harness/crds.ts explains the CEL case).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../operator/runtime/client.js';
import type { Logger } from '../operator/runtime/logger.js';
import type { ResourceDescriptor } from '../operator/runtime/resource.js';
import { eventually } from '../harness/testing/eventually.js';
import { engines, kube } from '../operator/kinds/external.js';

const here = dirname(fileURLToPath(import.meta.url));
export const crdsDir = join(here, 'crds');
export const fixturesDir = join(here, 'fixtures');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** Every YAML document of every .yaml file in `dir`, in file name order. */
export function loadManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8'))
        .map((d) => d.toJS() as Manifest | null)
        .filter((m): m is Manifest => m !== null && typeof m === 'object'),
    );
}

const FIXTURE_KINDS: Record<string, ResourceDescriptor> = {
  'storage.k8s.io/v1/StorageClass': kube.storageClasses,
  'snapshot.storage.k8s.io/v1/VolumeSnapshotClass': engines.volumeSnapshotClasses,
  'kubeovn.io/v1/Vpc': engines.kubeOvnVpcs,
  'kubeovn.io/v1/Subnet': engines.kubeOvnSubnets,
};

interface Crd {
  metadata?: { name?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/** Apply the CRDs and wait until the apiserver serves them; returns their names. */
export async function installCrds(client: KubeClient, dir = crdsDir): Promise<string[]> {
  const crds = loadManifests(dir);
  await Promise.all(crds.map((crd) => client.apply(kube.customResourceDefinitions, crd)));
  await Promise.all(
    crds.map((crd) =>
      eventually(
        async () => {
          const live = await client.get<Crd>(kube.customResourceDefinitions, crd.metadata.name);
          return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
        },
        { timeoutMs: 60_000, description: `CRD ${crd.metadata.name} to be Established` },
      ),
    ),
  );
  return crds.map((c) => c.metadata.name);
}

/** Apply the StorageClass, VolumeSnapshotClass and Kube-OVN defaults. */
export async function installObjects(client: KubeClient, dir = fixturesDir): Promise<string[]> {
  const applied: string[] = [];
  for (const manifest of loadManifests(dir)) {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    const resource = FIXTURE_KINDS[key];
    if (!resource) throw new Error(`fixture ${manifest.metadata.name}: no resource known for ${key}`);
    await client.apply(resource, manifest);
    applied.push(`${manifest.kind}/${manifest.metadata.name}`);
  }
  return applied;
}

export async function installFixtures(client: KubeClient, logger: Logger): Promise<void> {
  const crds = await installCrds(client);
  logger.info('installed engine CRD fixtures', { count: crds.length });
  const objects = await installObjects(client);
  logger.info('installed fixtures', { objects });
}
