// Instance admission: everything it names exists and is visible to the tenant, ports and
// volumes are not taken by another instance, and cores/RAM stay within the project quota.
import type { Denial } from '../admission.js';
import type { AdmissionContext } from '../context.js';
import { Flavor, type FlavorObject } from '../../operator/kinds/flavor.js';
import { Image } from '../../operator/kinds/image.js';
import { Instance, type InstanceObject } from '../../operator/kinds/instance.js';
import { KeyPair } from '../../operator/kinds/keypair.js';
import { Network, type NetworkObject } from '../../operator/kinds/network.js';
import { Port } from '../../operator/kinds/port.js';
import { SecurityGroup } from '../../operator/kinds/securitygroup.js';
import { Subnet } from '../../operator/kinds/subnet.js';
import { Volume } from '../../operator/kinds/volume.js';
import { subnetsHolding } from '../../operator/domain/subnet.js';
import type { WriteContext } from './common.js';
import { nameOf, others, projectKindAdmission, projectQuota, checkQuota } from './common.js';
import { clusterRef, denialsOf, localRef, sharedRef } from './refs.js';
import { imageVisibility, networkVisibility } from './visibility.js';

type InstanceSpec = InstanceObject['spec'];

async function fixedIPsInNetwork(
  ctx: AdmissionContext,
  field: string,
  network: NetworkObject,
  fixedIPs: string[],
): Promise<Denial[]> {
  if (fixedIPs.length === 0) return [];
  const namespace = network.metadata?.namespace;
  const subnets = (await ctx.lookup.list(Subnet, namespace)).filter(
    (s) => s.spec?.network === nameOf(network),
  );
  const cidrs = subnets.map((s) => s.spec?.cidr ?? '');
  return fixedIPs.flatMap((ip, i) =>
    subnetsHolding(ip, subnets).length > 0
      ? []
      : [
          {
            field: `${field}[${i}]`,
            message: `${ip} is in no subnet of network "${nameOf(network)}" (${cidrs.join(', ') || 'it has no subnets'}); pick an address inside one of them`,
          },
        ],
  );
}

/** Ports and non-multiattach volumes another instance already uses. */
function conflicts(
  spec: InstanceSpec,
  siblings: InstanceObject[],
  multiattach: Map<string, boolean>,
): Denial[] {
  const denials: Denial[] = [];
  for (const other of siblings) {
    const theirs = other.spec;
    if (!theirs) continue;
    const theirPorts = new Set((theirs.networks ?? []).flatMap((n) => (n.port ? [n.port] : [])));
    spec.networks?.forEach((n, i) => {
      if (n.port && theirPorts.has(n.port)) {
        denials.push({
          field: `spec.networks[${i}].port`,
          code: 409,
          message: `port "${n.port}" is already bound to instance "${nameOf(other)}"; a port serves one instance — create another port or detach it there`,
        });
      }
    });
    const theirVolumes = new Set([
      ...(theirs.volumes ?? []).map((v) => v.volume),
      ...(theirs.bootVolume ? [theirs.bootVolume] : []),
    ]);
    const mine = [
      ...(spec.volumes ?? []).map((v, i) => ({ name: v.volume, field: `spec.volumes[${i}].volume` })),
      ...(spec.bootVolume ? [{ name: spec.bootVolume, field: 'spec.bootVolume' }] : []),
    ];
    for (const { name, field } of mine) {
      if (theirVolumes.has(name) && !multiattach.get(name)) {
        denials.push({
          field,
          code: 409,
          message: `volume "${name}" is attached to instance "${nameOf(other)}" and is not multiattach; detach it there first, or use a volume created with multiattach: true`,
        });
      }
    }
  }
  return denials;
}

/** Every object the instance names exists and is visible; fixed IPs lie in their network. */
async function referenceDenials(
  ctx: WriteContext<typeof Instance>,
  volumeChecks: Array<Promise<{ denial?: Denial }>>,
) {
  const spec = ctx.object.spec;
  const denials: Denial[] = [];
  const checks: Array<Promise<{ denial?: Denial }>> = [];
  if (spec.image) checks.push(sharedRef(ctx, 'spec.image', Image, spec.image, imageVisibility));
  if (spec.bootVolume) checks.push(localRef(ctx, 'spec.bootVolume', Volume, spec.bootVolume));
  if (spec.keyName) checks.push(localRef(ctx, 'spec.keyName', KeyPair, spec.keyName));
  (spec.securityGroups ?? []).forEach((sg, i) =>
    checks.push(localRef(ctx, `spec.securityGroups[${i}]`, SecurityGroup, sg)),
  );
  (spec.networks ?? []).forEach((n, i) => {
    if (n.port) checks.push(localRef(ctx, `spec.networks[${i}].port`, Port, n.port));
    if (n.network) {
      checks.push(
        sharedRef(ctx, `spec.networks[${i}].network`, Network, n.network, networkVisibility).then(
          async (result) => {
            if (result.denial || !result.object) return result;
            const field = `spec.networks[${i}].fixedIPs`;
            denials.push(...(await fixedIPsInNetwork(ctx, field, result.object, n.fixedIPs ?? [])));
            return result;
          },
        ),
      );
    }
  });
  // The fixed-IP denials land in `denials` while the checks run, ahead of the reference denials.
  const refused = await denialsOf([...checks, ...volumeChecks]);
  return [...denials, ...refused];
}

/** Cores and RAM within the project quota (counts of instances are the ResourceQuota's job). */
async function coreAndRamDenials(
  ctx: WriteContext<typeof Instance>,
  quota: Awaited<ReturnType<typeof projectQuota>>,
  flavor: FlavorObject['spec'],
  siblings: InstanceObject[],
): Promise<Denial[]> {
  const flavors = new Map<string, FlavorObject['spec'] | undefined>();
  let cores = 0;
  let ram = 0;
  for (const other of siblings) {
    const name = other.spec?.flavor;
    if (!name) continue;
    if (!flavors.has(name)) flavors.set(name, (await ctx.lookup.get(Flavor, undefined, name))?.spec);
    cores += flavors.get(name)?.vcpus ?? 0;
    ram += flavors.get(name)?.ramMiB ?? 0;
  }
  const field = 'spec.flavor';
  return [
    checkQuota(
      quota,
      { key: 'cores', unit: 'vCPUs', used: cores, requested: flavor.vcpus, field },
      ctx.namespace,
    ),
    checkQuota(
      quota,
      { key: 'ramMiB', unit: 'MiB', used: ram, requested: flavor.ramMiB, field },
      ctx.namespace,
    ),
  ].flatMap((denial) => denial ?? []);
}

async function validate(ctx: WriteContext<typeof Instance>): Promise<Denial[]> {
  const spec = ctx.object.spec;
  const denials: Denial[] = [];
  // The other instances of the project are one slow read (a live list, see CachedLookup)
  // whose cost grows with the project: read them only when this instance takes ports or
  // volumes another could hold, or when a cores/RAM quota must be summed. Start it while
  // references are checked.
  const attachesAny =
    !!spec.bootVolume || !!spec.volumes?.length || (spec.networks ?? []).some((n) => n.port);
  const flavorChanges = ctx.operation === 'CREATE' || ctx.oldObject?.spec?.flavor !== spec.flavor;
  const quota = flavorChanges ? await projectQuota(ctx) : undefined;
  const quotaLimited = (['cores', 'ramMiB'] as const).some((key) => (quota?.[key] ?? -1) >= 0);
  const siblingsRead = attachesAny || quotaLimited ? others(ctx, Instance) : Promise.resolve([]);
  siblingsRead.catch(() => undefined);

  const flavor = await clusterRef(ctx, 'spec.flavor', Flavor, spec.flavor);
  if (flavor.denial) denials.push(flavor.denial);
  const flavorSpec = flavor.object?.spec;
  if (flavorSpec && flavorSpec.isPublic === false) {
    denials.push({
      field: 'spec.flavor',
      code: 403,
      message: `flavor "${spec.flavor}" is not public; pick a public flavor (kubectl get flavors)`,
    });
  }

  const volumeChecks = (spec.volumes ?? []).map((v, i) =>
    localRef(ctx, `spec.volumes[${i}].volume`, Volume, v.volume),
  );
  denials.push(...(await referenceDenials(ctx, volumeChecks)));

  // Attachments: other instances' ports and single-attach volumes are off limits.
  const volumeObjects = await Promise.all(volumeChecks);
  const bootVolume = spec.bootVolume
    ? await ctx.lookup.get(Volume, ctx.namespace, spec.bootVolume)
    : undefined;
  const multiattach = new Map<string, boolean>();
  for (const v of [...volumeObjects.map((r) => r.object), bootVolume]) {
    if (v) multiattach.set(nameOf(v), v.spec?.multiattach === true);
  }
  const siblings = await siblingsRead;
  denials.push(...conflicts(spec, siblings, multiattach));

  if (flavorSpec && quotaLimited)
    denials.push(...(await coreAndRamDenials(ctx, quota, flavorSpec, siblings)));
  return denials;
}

export const instanceAdmission = projectKindAdmission(Instance, {
  validate,
  // Nova puts a server without security groups into the project's "default" group.
  async mutate(ctx) {
    const spec = ctx.object.spec;
    if (
      ctx.operation !== 'CREATE' ||
      spec.securityGroups?.length ||
      (spec.networks ?? []).some((n) => n.port)
    )
      return [];
    if (!(await ctx.lookup.get(SecurityGroup, ctx.namespace, 'default'))) return [];
    return [{ op: 'add', path: '/spec/securityGroups', value: ['default'] }];
  },
});
