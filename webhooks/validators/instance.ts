// Instance admission: everything it names exists and is visible to the tenant, ports and
// volumes are not taken by another instance, and cores/RAM stay within the project quota.
import type { Denial, KubeObject } from '../admission.js';
import type { AdmissionContext, KindAdmission } from '../context.js';
import type { Instance } from '../../operator/kinds/instance.js';
import type { KindObject } from '../../operator/kinds/kind.js';
import {
  checkQuota,
  cidrContains,
  creatorUnchanged,
  nameOf,
  others,
  projectQuota,
  specOf,
  stampCreator,
} from './common.js';
import { clusterRef, denialsOf, localRef, sharedRef } from './refs.js';
import { imageVisibility, networkVisibility } from './visibility.js';

type InstanceSpec = KindObject<typeof Instance>['spec'];
interface FlavorSpec {
  vcpus: number;
  ramMiB: number;
  isPublic?: boolean;
}

async function fixedIPsInNetwork(
  ctx: AdmissionContext,
  field: string,
  network: KubeObject,
  fixedIPs: string[],
): Promise<Denial[]> {
  if (fixedIPs.length === 0) return [];
  const namespace = network.metadata?.namespace;
  const subnets = (await ctx.lookup.list('subnets', namespace)).filter(
    (s) => specOf<{ network: string }>(s)?.network === nameOf(network),
  );
  const cidrs = subnets.map((s) => specOf<{ cidr: string }>(s)?.cidr ?? '');
  return fixedIPs.flatMap((ip, i) =>
    cidrs.some((c) => cidrContains(c, ip))
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
function conflicts(spec: InstanceSpec, siblings: KubeObject[], multiattach: Map<string, boolean>): Denial[] {
  const denials: Denial[] = [];
  for (const other of siblings) {
    const theirs = specOf<InstanceSpec>(other);
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

async function validate(ctx: AdmissionContext): Promise<Denial[]> {
  if (ctx.operation === 'DELETE') return [];
  const spec = specOf<InstanceSpec>(ctx.object);
  if (!spec) return [];
  const denials: Denial[] = [...creatorUnchanged(ctx)];
  // The other instances of the project are one slow read (a live list, see CachedLookup)
  // whose cost grows with the project: read them only when this instance takes ports or
  // volumes another could hold, or when a cores/RAM quota must be summed. Start it while
  // references are checked.
  const attaches = !!spec.bootVolume || !!spec.volumes?.length || (spec.networks ?? []).some((n) => n.port);
  const flavorChanges =
    ctx.operation === 'CREATE' || specOf<InstanceSpec>(ctx.oldObject)?.flavor !== spec.flavor;
  const quota = flavorChanges ? await projectQuota(ctx) : undefined;
  const quotaLimited = ['cores', 'ramMiB'].some((key) => (quota?.[key] ?? -1) >= 0);
  const siblingsRead = attaches || quotaLimited ? others(ctx, 'instances') : Promise.resolve([]);
  siblingsRead.catch(() => undefined);

  const flavor = await clusterRef(ctx, 'spec.flavor', 'flavors', 'flavor', spec.flavor);
  if (flavor.denial) denials.push(flavor.denial);
  const flavorSpec = specOf<FlavorSpec>(flavor.object);
  if (flavorSpec && flavorSpec.isPublic === false) {
    denials.push({
      field: 'spec.flavor',
      code: 403,
      message: `flavor "${spec.flavor}" is not public; pick a public flavor (kubectl get flavors)`,
    });
  }

  const checks: Array<Promise<{ denial?: Denial }>> = [];
  if (spec.image) checks.push(sharedRef(ctx, 'spec.image', 'images', 'image', spec.image, imageVisibility));
  if (spec.bootVolume) checks.push(localRef(ctx, 'spec.bootVolume', 'volumes', 'volume', spec.bootVolume));
  if (spec.keyName) checks.push(localRef(ctx, 'spec.keyName', 'keypairs', 'key pair', spec.keyName));
  (spec.securityGroups ?? []).forEach((sg, i) =>
    checks.push(localRef(ctx, `spec.securityGroups[${i}]`, 'securitygroups', 'security group', sg)),
  );
  (spec.networks ?? []).forEach((n, i) => {
    if (n.port) checks.push(localRef(ctx, `spec.networks[${i}].port`, 'ports', 'port', n.port));
    if (n.network) {
      const field = `spec.networks[${i}].network`;
      checks.push(
        sharedRef(ctx, field, 'networks', 'network', n.network, networkVisibility).then(async (result) => {
          if (result.denial || !result.object) return result;
          const ipDenials = await fixedIPsInNetwork(
            ctx,
            `spec.networks[${i}].fixedIPs`,
            result.object,
            n.fixedIPs ?? [],
          );
          denials.push(...ipDenials);
          return result;
        }),
      );
    }
  });
  const volumeChecks = (spec.volumes ?? []).map((v, i) =>
    localRef(ctx, `spec.volumes[${i}].volume`, 'volumes', 'volume', v.volume),
  );
  denials.push(...(await denialsOf([...checks, ...volumeChecks])));

  // Attachments: other instances' ports and single-attach volumes are off limits.
  const volumeObjects = await Promise.all(volumeChecks);
  const bootVolume = spec.bootVolume
    ? await ctx.lookup.get('volumes', ctx.namespace, spec.bootVolume)
    : undefined;
  const multiattach = new Map<string, boolean>();
  for (const v of [...volumeObjects.map((r) => r.object), bootVolume]) {
    if (v) multiattach.set(nameOf(v), specOf<{ multiattach?: boolean }>(v)?.multiattach === true);
  }
  const siblings = await siblingsRead;
  denials.push(...conflicts(spec, siblings, multiattach));

  // Quota: cores and RAM (counts of instances are the ResourceQuota's job).
  if (flavorSpec && quotaLimited) {
    const flavors = new Map<string, FlavorSpec | undefined>();
    let cores = 0;
    let ram = 0;
    for (const other of siblings) {
      const name = specOf<InstanceSpec>(other)?.flavor;
      if (!name) continue;
      if (!flavors.has(name))
        flavors.set(name, specOf<FlavorSpec>(await ctx.lookup.get('flavors', undefined, name)));
      cores += flavors.get(name)?.vcpus ?? 0;
      ram += flavors.get(name)?.ramMiB ?? 0;
    }
    for (const denial of [
      checkQuota(quota, 'cores', 'vCPUs', cores, flavorSpec.vcpus, 'spec.flavor', ctx.namespace),
      checkQuota(quota, 'ramMiB', 'MiB', ram, flavorSpec.ramMiB, 'spec.flavor', ctx.namespace),
    ]) {
      if (denial) denials.push(denial);
    }
  }
  return denials;
}

async function mutate(ctx: AdmissionContext) {
  const patch = stampCreator(ctx);
  const spec = specOf<InstanceSpec>(ctx.object);
  // Nova puts a server without security groups into the project's "default" group.
  if (
    ctx.operation === 'CREATE' &&
    spec &&
    !spec.securityGroups?.length &&
    !(spec.networks ?? []).some((n) => n.port)
  ) {
    if (await ctx.lookup.get('securitygroups', ctx.namespace, 'default')) {
      patch.push({ op: 'add', path: '/spec/securityGroups', value: ['default'] });
    }
  }
  return patch;
}

export const instanceAdmission: KindAdmission = {
  plural: 'instances',
  scope: 'Namespaced',
  operations: ['CREATE', 'UPDATE'],
  mutate,
  validate,
};
