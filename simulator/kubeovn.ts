// SIMULATION of Kube-OVN (kubeovn/kube-ovn pkg/controller): there is no OVN here, so no packet
// ever flows. What is simulated is what Kube-OVN reports through the Kubernetes API:
//   - Subnet: the spec defaults Kube-OVN writes back (provider, vpc, gateway, excludeIps,
//     protocol), status Validated/Ready and the v4/v6 using/available counters;
//   - Vpc: status standby, router, subnets;
//   - IP: the address book. Allocations are kubeovn.io/v1 IP objects named as Kube-OVN names
//     them (`<pod>.<namespace>[.<provider>]`), so they survive a simulator restart; IPs a
//     client creates to reserve an address are filled in (address, MAC) as Kube-OVN does;
//   - IptablesEIP (address from the external subnet), IptablesFIPRule, IptablesSnatRule,
//     VpcNatGateway (no pod), SecurityGroup, OvnEip and OvnFip: ready with resolved addresses.
import { createHash } from 'node:crypto';
import { controllerFor, type MapFunc } from '../operator/runtime/controller.js';
import type { KubeObject } from '../operator/runtime/store.js';
import {
  cached,
  cachedList,
  compact,
  conditionOf,
  createIfAbsent,
  deleteObject,
  fresh,
  isGone,
  markSimulated,
  nameOf,
  refsOf,
  olderThan,
  setCondition,
  SIM_NODE,
  SIMULATED,
  timestamp,
  writeStatus,
  type KubeOvnCondition,
  type Obj,
  type Sim,
} from './common.js';
import {
  addressingOf,
  addressOf,
  allocate,
  canonicalAddress,
  defaultGateway,
  inAnyCidr,
  isMac,
  macFor,
  parseCidrBlock,
  protocolOf,
  usage,
  type SubnetAddressing,
} from './ipam.js';
import { blocksOverlap, formatCidr, formatIP } from '../operator/domain/address.js';
import { engines } from '../operator/kinds/external.js';

/** Kube-OVN's names for its defaults (pkg/util/const.go, controller config defaults). */
export const OVN_PROVIDER = 'ovn';
export const CLUSTER_ROUTER = 'ovn-cluster';
export const DEFAULT_SUBNET = 'ovn-default';
export const NODE_SWITCH = 'join';
/** Where an IptablesEIP gets its address when spec.externalSubnet is empty. */
export const VPC_EXTERNAL_NETWORK = 'ovn-vpc-external-network';
/** Where an OvnEip gets its address when spec.externalSubnet is empty. */
export const OVN_EXTERNAL = 'ovn-external';

export const LABELS = {
  subnet: 'ovn.kubernetes.io/subnet',
  nodeName: 'ovn.kubernetes.io/node-name',
  ipReserved: 'ovn.kubernetes.io/ip_reserved',
  vpcNatGateway: 'ovn.kubernetes.io/vpc_nat_gw',
  eipV4: 'ovn.kubernetes.io/eip_v4_ip',
} as const;

/** `<provider>.kubernetes.io/<key>`: Kube-OVN's per-attachment pod annotations. */
export const annotationFor = (
  provider: string,
  key: 'ip_address' | 'mac_address' | 'logical_switch',
): string => `${provider}.kubernetes.io/${key}`;

// ---------------------------------------------------------------------------------------
// Types (the fields the simulator reads; see pkg/apis/kubeovn/v1).

export interface SubnetSpec {
  cidrBlock?: string;
  gateway?: string;
  excludeIps?: string[];
  protocol?: string;
  provider?: string;
  vpc?: string;
  default?: boolean;
  namespaces?: string[];
  gatewayType?: string;
}
export interface SubnetStatus {
  conditions?: KubeOvnCondition[];
  [field: string]: unknown;
}
export type Subnet = Obj<SubnetSpec, SubnetStatus>;

export interface IpSpec {
  podName?: string;
  namespace?: string;
  subnet?: string;
  attachSubnets?: string[];
  nodeName?: string;
  ipAddress?: string;
  v4IpAddress?: string;
  v6IpAddress?: string;
  attachIps?: string[];
  macAddress?: string;
  attachMacs?: string[];
  containerID?: string;
  podType?: string;
}
export type Ip = Obj<IpSpec, never>;

export type Vpc = Obj<{
  namespaces?: string[];
  defaultSubnet?: string;
  enableExternal?: boolean;
  enableBfd?: boolean;
}>;
export type Eip = Obj<
  {
    v4ip?: string;
    v6ip?: string;
    macAddress?: string;
    natGwDp?: string;
    qosPolicy?: string;
    externalSubnet?: string;
  },
  { ready?: boolean; ip?: string; nat?: string; conditions?: KubeOvnCondition[] }
>;
export type FipRule = Obj<{ eip?: string; internalIp?: string }, { conditions?: KubeOvnCondition[] }>;
export type SnatRule = Obj<{ eip?: string; internalCIDR?: string }, { conditions?: KubeOvnCondition[] }>;
export type NatGateway = Obj<
  {
    namespace?: string;
    vpc?: string;
    subnet?: string;
    lanIp?: string;
    externalSubnets?: string[];
    replicas?: number;
    selector?: string[];
    qosPolicy?: string;
    internalSubnets?: string[];
    internalCIDRs?: string[];
  },
  { ready?: boolean }
>;
export type SecurityGroup = Obj<{
  ingressRules?: unknown[];
  egressRules?: unknown[];
  allowSameGroupTraffic?: boolean;
}>;
export type OvnEip = Obj<
  { externalSubnet?: string; v4Ip?: string; v6Ip?: string; macAddress?: string; type?: string },
  { ready?: boolean; v4Ip?: string; v6Ip?: string; conditions?: KubeOvnCondition[] }
>;
export type OvnFip = Obj<
  {
    ovnEip?: string;
    ipType?: string;
    ipName?: string;
    vpc?: string;
    v4Ip?: string;
    v6Ip?: string;
    type?: string;
  },
  { conditions?: KubeOvnCondition[] }
>;
export type Nad = Obj<{ config?: string }>;

// ---------------------------------------------------------------------------------------
// Pure decisions.

/** Kube-OVN's logical switch port / IP object name (pkg/ovs PodNameToPortName). */
export function portName(pod: string, namespace: string, provider: string): string {
  return provider === OVN_PROVIDER ? `${pod}.${namespace}` : `${pod}.${namespace}.${provider}`;
}

export type NadNetwork =
  | { kind: 'kube-ovn'; provider: string }
  | { kind: 'other'; type: string }
  | { kind: 'invalid'; message: string };

/**
 * What a NetworkAttachmentDefinition attaches. A Kube-OVN attachment (`type: kube-ovn` in the
 * config, or in one of its plugins) gets addresses from the Subnet whose spec.provider is
 * `<nad>.<namespace>.ovn` — the name Kube-OVN derives, whatever the config's provider says.
 */
export function nadNetwork(nad: Nad): NadNetwork {
  let config: { type?: unknown; plugins?: Array<{ type?: unknown }> };
  try {
    config = JSON.parse(nad.spec?.config ?? '') as typeof config;
  } catch {
    return {
      kind: 'invalid',
      message: `NetworkAttachmentDefinition ${nameOf(nad)} has no valid JSON config`,
    };
  }
  const types = [config.type, ...(config.plugins ?? []).map((p) => p.type)];
  if (types.includes('kube-ovn')) {
    return { kind: 'kube-ovn', provider: `${nameOf(nad)}.${nad.metadata.namespace}.${OVN_PROVIDER}` };
  }
  return { kind: 'other', type: typeof config.type === 'string' ? config.type : 'unknown' };
}

/** The external subnet of an IptablesEIP (util.GetExternalNetwork). */
export function eipSubnet(eip: Eip): string {
  return eip.spec?.externalSubnet || VPC_EXTERNAL_NETWORK;
}

export function ovnEipSubnet(eip: OvnEip): string {
  return eip.spec?.externalSubnet || OVN_EXTERNAL;
}

function sortedStrings(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The spec fields Kube-OVN fills in or normalizes when it first sees a Subnet (formatSubnet):
 * CIDRs in canonical form, the gateway (first address), the gateway added to excludeIps,
 * protocol, provider `ovn`, vpc `ovn-cluster` and gatewayType `distributed` in the default
 * VPC. Returns only what must change ({} when nothing), or undefined for an invalid CIDR.
 * A client that server-side applies a different value of these fields will see them
 * rewritten, exactly as on a real cluster.
 */
export function subnetDefaults(subnet: Subnet): Partial<SubnetSpec> | undefined {
  const spec = subnet.spec ?? {};
  const cidrs = parseCidrBlock(spec.cidrBlock ?? '');
  if (!cidrs) return undefined;
  const patch: Partial<SubnetSpec> = {};
  const cidrBlock = cidrs.map(formatCidr).join(',');
  if (cidrBlock !== spec.cidrBlock) patch.cidrBlock = cidrBlock;
  let gateway = spec.gateway ?? '';
  if (!gateway) gateway = defaultGateway(cidrs);
  else if (cidrs.length === 2 && gateway.split(',').length === 1) {
    // Dual stack with one gateway: Kube-OVN appends the other family's default gateway.
    const given = addressOf(gateway);
    const other = cidrs.find((c) => c.version !== given?.version);
    if (other) gateway = `${gateway},${defaultGateway([other])}`;
  }
  if (gateway !== spec.gateway) patch.gateway = gateway;
  const exclude = [...(spec.excludeIps ?? [])];
  for (const gw of gateway.split(',')) {
    const covered = exclude.some((entry) => {
      const [a, b] = entry.split('..');
      const g = addressOf(gw);
      const first = a !== undefined ? addressOf(a) : undefined;
      const last = b !== undefined ? addressOf(b) : first;
      return (
        !!g &&
        !!first &&
        !!last &&
        g.version === first.version &&
        g.value >= first.value &&
        g.value <= last.value
      );
    });
    if (!covered) exclude.push(gw);
  }
  const sortedExclude = sortedStrings(exclude);
  if (!spec.excludeIps || exclude.length !== spec.excludeIps.length) patch.excludeIps = sortedExclude;
  const protocol = protocolOf(cidrs);
  if (spec.protocol !== protocol) patch.protocol = protocol;
  if (!spec.provider) patch.provider = OVN_PROVIDER;
  const provider = spec.provider || OVN_PROVIDER;
  const vpc =
    spec.vpc || (provider === OVN_PROVIDER || provider.endsWith(`.${OVN_PROVIDER}`) ? CLUSTER_ROUTER : '');
  if (vpc && vpc !== spec.vpc) patch.vpc = vpc;
  if (vpc === CLUSTER_ROUTER && nameOf(subnet) !== NODE_SWITCH && !spec.gatewayType) {
    patch.gatewayType = 'distributed';
  }
  return patch;
}

/** The subnet's addressing with Kube-OVN's defaults applied (usable before they are written back). */
export function subnetAddressing(subnet: Subnet): SubnetAddressing | undefined {
  const spec = subnet.spec ?? {};
  return addressingOf({ ...spec, ...subnetDefaults(subnet) });
}

/**
 * A subnet of the same VPC that was there first and overlaps this one, if any: Kube-OVN
 * refuses the newcomer and the first stays valid. "First" is the one already validated,
 * else the older (creation timestamps have one-second resolution; names break ties).
 */
export function overlappingSubnet(subnet: Subnet, others: readonly Subnet[]): Subnet | undefined {
  const mine = parseCidrBlock(subnet.spec?.cidrBlock ?? '') ?? [];
  const vpc = subnet.spec?.vpc || CLUSTER_ROUTER;
  return others.find((other) => {
    if (nameOf(other) === nameOf(subnet) || (other.spec?.vpc || CLUSTER_ROUTER) !== vpc) return false;
    const validated = (x: Subnet) => conditionOf(x.status?.conditions, 'Validated')?.status === 'True';
    const first = validated(other) !== validated(subnet) ? validated(other) : olderThan(other, subnet);
    if (!first) return false;
    const theirs = parseCidrBlock(other.spec?.cidrBlock ?? '') ?? [];
    return mine.some((a) => theirs.some((b) => blocksOverlap(a, b)));
  });
}

export interface SubnetObservation {
  valid: boolean;
  invalidMessage?: string;
  vpcExists: boolean;
  used: readonly string[];
}

/** Subnet.status as Kube-OVN reports it. */
export function subnetStatus(subnet: Subnet, seen: SubnetObservation, now: string): Record<string, unknown> {
  const generation = subnet.metadata.generation;
  let conditions = subnet.status?.conditions;
  if (!seen.valid) {
    const message = seen.invalidMessage ?? 'invalid subnet';
    for (const type of ['Validated', 'Ready']) {
      const condition = { type, status: 'False', reason: 'ValidateLogicalSwitchFailed', message } as const;
      conditions = setCondition('kubeovn', conditions, condition, now, generation);
    }
    return { conditions };
  }
  conditions = setCondition(
    'kubeovn',
    conditions,
    { type: 'Validated', status: 'True', reason: 'ValidateLogicalSwitchSuccess', message: '' },
    now,
    generation,
  );
  conditions = seen.vpcExists
    ? setCondition(
        'kubeovn',
        conditions,
        { type: 'Ready', status: 'True', reason: 'ResetLogicalSwitchAclSuccess', message: '' },
        now,
        generation,
      )
    : setCondition(
        'kubeovn',
        conditions,
        {
          type: 'Ready',
          status: 'False',
          reason: 'VpcNotFound',
          message: `vpc ${subnet.spec?.vpc} not found (simulated)`,
        },
        now,
        generation,
      );
  const addressing = subnetAddressing(subnet)!;
  const u = usage(addressing, seen.used);
  return {
    conditions,
    v4availableIPs: u.v4.available,
    v4availableIPrange: u.v4.availableRange,
    v4usingIPs: u.v4.using,
    v4usingIPrange: u.v4.usingRange,
    v6availableIPs: u.v6.available,
    v6availableIPrange: u.v6.availableRange,
    v6usingIPs: u.v6.using,
    v6usingIPrange: u.v6.usingRange,
  };
}

/** Vpc.status: a logical router per VPC, its subnets listed. */
export function vpcStatus(vpc: Vpc, subnets: readonly Subnet[]): Record<string, unknown> {
  const name = nameOf(vpc);
  const mine = sortedStrings(subnets.filter((s) => (s.spec?.vpc || CLUSTER_ROUTER) === name).map(nameOf));
  return {
    standby: true,
    default: name === CLUSTER_ROUTER,
    router: name,
    subnets: mine,
    defaultLogicalSwitch: vpc.spec?.defaultSubnet ?? (name === CLUSTER_ROUTER ? DEFAULT_SUBNET : ''),
    enableExternal: vpc.spec?.enableExternal ?? false,
    enableBfd: vpc.spec?.enableBfd ?? false,
  };
}

/** SecurityGroup.status: its port group and a digest of the rules "synced" to OVN. */
export function securityGroupStatus(sg: SecurityGroup): Record<string, unknown> {
  const md5 = (rules: unknown[] | undefined) =>
    createHash('md5')
      .update(JSON.stringify(rules ?? []))
      .digest('hex');
  return {
    portGroup: `ovn.sg.${nameOf(sg)}`.replaceAll('-', '.'),
    allowSameGroupTraffic: sg.spec?.allowSameGroupTraffic ?? false,
    ingressMd5: md5(sg.spec?.ingressRules),
    egressMd5: md5(sg.spec?.egressRules),
    ingressLastSyncSuccess: true,
    egressLastSyncSuccess: true,
  };
}

/** IptablesEIP.status.nat: which kinds of NAT rules use the EIP (`fip`, `snat`, comma-joined). */
export function eipNat(eipName: string, fips: readonly FipRule[], snats: readonly SnatRule[]): string {
  const nats: string[] = [];
  if (fips.some((f) => f.spec?.eip === eipName && !f.metadata.deletionTimestamp)) nats.push('fip');
  if (snats.some((s) => s.spec?.eip === eipName && !s.metadata.deletionTimestamp)) nats.push('snat');
  return nats.join(',');
}

/**
 * Another FIP rule that holds the same EIP, if any: Kube-OVN allows one FIP per EIP, and the
 * rule that had it first (already ready, else older) keeps it.
 */
export function competingFip(fip: FipRule, all: readonly FipRule[]): FipRule | undefined {
  const isReady = (f: FipRule) => (f.status as { ready?: boolean } | undefined)?.ready === true;
  const first = (a: FipRule, b: FipRule) => (isReady(a) !== isReady(b) ? isReady(a) : olderThan(a, b));
  return all
    .filter(
      (f) =>
        nameOf(f) !== nameOf(fip) &&
        f.spec?.eip === fip.spec?.eip &&
        !f.metadata.deletionTimestamp &&
        first(f, fip),
    )
    .sort((a, b) => (first(a, b) ? -1 : 1))[0];
}

/** `v4,v6` addresses of an IP object's spec, canonical, in family order. */
export function ipAddressesOf(ip: Ip): string[] {
  const spec = ip.spec ?? {};
  const listed = [spec.v4IpAddress, spec.v6IpAddress, ...(spec.ipAddress ?? '').split(',')];
  const out = new Map<number, string>();
  for (const text of listed) {
    if (!text) continue;
    const a = addressOf(text);
    if (a && !out.has(a.version)) out.set(a.version, formatIP(a.version, a.value));
  }
  return [...out.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

/** Whether `requested` (comma-separated) names exactly the addresses the IP holds, per family asked. */
export function satisfies(held: readonly string[], requested: string | undefined): boolean {
  if (!requested) return true;
  return requested
    .split(',')
    .filter((s) => s.trim())
    .every((r) => {
      const c = canonicalAddress(r);
      return c !== undefined && held.includes(c);
    });
}

// ---------------------------------------------------------------------------------------
// The address book: which addresses of a subnet are taken, by whom.

interface Holding {
  subnet: string;
  addresses: string[];
}

/**
 * Addresses in use, derived from the API (IP objects, EIPs, OvnEips, NAT gateway LAN IPs),
 * plus allocations made in this process whose objects the caches have not shown yet. The
 * pick of an address and its reservation happen in one synchronous step, so two reconciles
 * running at once can never be handed the same address.
 */
export class AddressBook {
  private readonly pending = new Map<string, Holding>();

  constructor(private readonly sim: Sim) {}

  private fromApi(): Map<string, Holding> {
    const out = new Map<string, Holding>();
    const add = (owner: string, subnet: string | undefined, addresses: Array<string | undefined>) => {
      const list = addresses
        .map((a) => (a ? canonicalAddress(a) : undefined))
        .filter((a): a is string => !!a);
      if (subnet && list.length) out.set(owner, { subnet, addresses: list });
    };
    for (const ip of cachedList<Ip>(this.sim, engines.kubeOvnIPs))
      add(`ip:${nameOf(ip)}`, ip.spec?.subnet, ipAddressesOf(ip));
    for (const eip of cachedList<Eip>(this.sim, engines.iptablesEips)) {
      add(`eip:${nameOf(eip)}`, eipSubnet(eip), [eip.spec?.v4ip || eip.status?.ip, eip.spec?.v6ip]);
    }
    for (const eip of cachedList<OvnEip>(this.sim, engines.ovnEips)) {
      add(`oeip:${nameOf(eip)}`, ovnEipSubnet(eip), [
        eip.spec?.v4Ip || eip.status?.v4Ip,
        eip.spec?.v6Ip || eip.status?.v6Ip,
      ]);
    }
    for (const gw of cachedList<NatGateway>(this.sim, engines.vpcNatGateways)) {
      add(`natgw:${nameOf(gw)}`, gw.spec?.subnet, [gw.spec?.lanIp]);
    }
    return out;
  }

  /** Every holding, the pending ones over what the caches say. */
  holdings(): Map<string, Holding> {
    const all = this.fromApi();
    for (const [owner, holding] of this.pending) {
      const seen = all.get(owner);
      // The cache has caught up: the pending entry has served its purpose.
      if (seen && seen.subnet === holding.subnet && seen.addresses.join() === holding.addresses.join()) {
        this.pending.delete(owner);
        continue;
      }
      all.set(owner, holding);
    }
    return all;
  }

  /** Addresses of `subnet` held by anyone but `except`. */
  used(subnet: string, except?: string): Set<string> {
    const out = new Set<string>();
    for (const [owner, holding] of this.holdings()) {
      if (owner !== except && holding.subnet === subnet) for (const a of holding.addresses) out.add(a);
    }
    return out;
  }

  reserve(owner: string, subnet: string, addresses: string[]): void {
    this.pending.set(owner, { subnet, addresses });
  }

  release(owner: string): void {
    this.pending.delete(owner);
  }
}

export type Allocation =
  | { ok: true; addresses: string[]; mac: string; subnet: string }
  | { ok: false; reason: string; message: string };

export interface IpRequest {
  /** The IP object's name (portName of the pod/VM). */
  name: string;
  podName: string;
  namespace: string;
  subnet: Subnet;
  /** Requested address(es), comma-separated. */
  requested?: string;
  mac?: string;
  podType: string;
  nodeName: string;
}

/**
 * Make sure the IP object `request.name` holds addresses from the subnet (honouring a
 * requested address and MAC) and return them. Idempotent: an IP object that already holds
 * what is asked is returned as is, so a restarted simulator hands out the same address.
 * A new IP object is ours (ip_reserved "false", deleted with its VM); an existing one
 * created by a client (a reservation) is filled in and keeps its reserved label.
 */
export async function ensureIp(sim: Sim, book: AddressBook, request: IpRequest): Promise<Allocation> {
  const subnetName = nameOf(request.subnet);
  const existing = await fresh<Ip>(sim, engines.kubeOvnIPs, { name: request.name });
  const held = existing && existing.spec?.subnet === subnetName ? ipAddressesOf(existing) : [];
  const heldMac = existing?.spec?.macAddress;
  if (request.mac && !isMac(request.mac)) {
    return { ok: false, reason: 'InvalidMac', message: `${request.mac} is not a MAC address` };
  }
  const familiesWanted = (parseCidrBlock(request.subnet.spec?.cidrBlock ?? '') ?? []).length;
  if (
    existing &&
    held.length === familiesWanted &&
    satisfies(held, request.requested) &&
    heldMac &&
    (!request.mac || request.mac.toLowerCase() === heldMac.toLowerCase())
  ) {
    return { ok: true, addresses: held, mac: heldMac, subnet: subnetName };
  }
  const addressing = subnetAddressing(request.subnet);
  if (!addressing) {
    return { ok: false, reason: 'InvalidSubnet', message: `subnet ${subnetName} has an invalid cidrBlock` };
  }
  const owner = `ip:${request.name}`;
  // Synchronous from here to reserve(): no other reconcile can pick between the two.
  const picked = allocate(
    addressing,
    book.used(subnetName, owner),
    request.requested ?? (held.join(',') || undefined),
  );
  if (!picked.ok)
    return { ok: false, reason: picked.reason, message: `${picked.message} (subnet ${subnetName})` };
  book.reserve(owner, subnetName, picked.addresses);
  const mac = (request.mac ?? heldMac ?? macFor(request.name)).toLowerCase();
  const v4 = picked.addresses.find((a) => addressOf(a)?.version === 4) ?? '';
  const v6 = picked.addresses.find((a) => addressOf(a)?.version === 6) ?? '';
  const spec: IpSpec = {
    podName: request.podName,
    namespace: request.namespace,
    subnet: subnetName,
    nodeName: request.nodeName,
    ipAddress: picked.addresses.join(','),
    v4IpAddress: v4,
    v6IpAddress: v6,
    macAddress: mac,
    podType: request.podType,
  };
  try {
    if (existing) {
      const reserved = existing.metadata.labels?.[LABELS.ipReserved] === 'false' ? 'false' : 'true';
      await sim.client.patch(
        engines.kubeOvnIPs,
        request.name,
        undefined,
        {
          metadata: {
            labels: {
              ...SIMULATED,
              [LABELS.subnet]: subnetName,
              [subnetName]: '',
              [LABELS.ipReserved]: reserved,
            },
          },
          spec,
        },
        'merge',
      );
    } else {
      const created = await createIfAbsent(sim, engines.kubeOvnIPs, {
        metadata: {
          name: request.name,
          labels: {
            ...SIMULATED,
            [LABELS.subnet]: subnetName,
            [LABELS.nodeName]: request.nodeName,
            [subnetName]: '',
            [LABELS.ipReserved]: 'false',
          },
        },
        spec: { ...spec, attachIps: [], attachMacs: [], attachSubnets: [], containerID: '' },
      });
      // Someone created it between our read and our create: start over with theirs.
      if (!created) {
        book.release(owner);
        throw new Error(`IP ${request.name} appeared while allocating; retrying`);
      }
    }
  } catch (error) {
    book.release(owner);
    throw error;
  }
  return { ok: true, addresses: picked.addresses, mac, subnet: subnetName };
}

// ---------------------------------------------------------------------------------------
// Controllers.

const ready = (sim: Sim, object: KubeObject, step: string) =>
  sim.delays.remaining(`${object.metadata?.uid}/${step}`);

export function subnetController(sim: Sim, book: AddressBook) {
  const subnets = () => cachedList<Subnet>(sim, engines.kubeOvnSubnets);
  const sameVpc: MapFunc<Subnet> = (s) =>
    refsOf(subnets(), (o) => (o.spec?.vpc || CLUSTER_ROUTER) === (s.spec?.vpc || CLUSTER_ROUTER));
  return controllerFor<Subnet>(engines.kubeOvnSubnets)
    .named('sim-kubeovn-subnet')
    .watches<Ip>(engines.kubeOvnIPs, (ip) => (ip.spec?.subnet ? [{ name: ip.spec.subnet }] : []))
    .watches<Eip>(engines.iptablesEips, (eip) => [{ name: eipSubnet(eip) }])
    .watches<OvnEip>(engines.ovnEips, (eip) => [{ name: ovnEipSubnet(eip) }])
    .watches<NatGateway>(engines.vpcNatGateways, (gw) => (gw.spec?.subnet ? [{ name: gw.spec.subnet }] : []))
    .watches<Vpc>(engines.kubeOvnVpcs, (vpc) =>
      refsOf(subnets(), (s) => (s.spec?.vpc || CLUSTER_ROUTER) === nameOf(vpc)),
    )
    .watches<Subnet>(engines.kubeOvnSubnets, sameVpc)
    .reconcile(async (subnet) => {
      if (subnet.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      const defaults = subnetDefaults(subnet);
      if (defaults === undefined) {
        await markSimulated(sim, engines.kubeOvnSubnets, subnet);
        await writeStatus(
          sim,
          engines.kubeOvnSubnets,
          subnet,
          subnetStatus(
            subnet,
            {
              valid: false,
              invalidMessage: `subnet ${nameOf(subnet)} cidr ${subnet.spec?.cidrBlock} is invalid`,
              vpcExists: false,
              used: [],
            },
            now,
          ),
        );
        return;
      }
      if (Object.keys(defaults).length > 0) {
        // As Kube-OVN's formatSubnet: write the defaults into the spec, then carry on when
        // the update comes back through the watch.
        await sim.client.patch(
          engines.kubeOvnSubnets,
          nameOf(subnet),
          undefined,
          { metadata: { labels: SIMULATED }, spec: defaults },
          'merge',
        );
        return;
      }
      await markSimulated(sim, engines.kubeOvnSubnets, subnet);
      const wait = conditionOf(subnet.status?.conditions, 'Ready') ? 0 : ready(sim, subnet, 'ready');
      if (wait > 0) return { requeueAfterMs: wait };
      const overlap = overlappingSubnet(subnet, subnets());
      const vpcName = subnet.spec?.vpc || CLUSTER_ROUTER;
      const status = subnetStatus(
        subnet,
        {
          valid: !overlap,
          invalidMessage: overlap
            ? `subnet ${nameOf(subnet)} cidr ${subnet.spec?.cidrBlock} conflicts with subnet ${nameOf(overlap)} cidr ${overlap.spec?.cidrBlock}`
            : undefined,
          vpcExists: !!cached(sim, engines.kubeOvnVpcs, { name: vpcName }),
          used: [...book.used(nameOf(subnet))],
        },
        now,
      );
      await writeStatus(sim, engines.kubeOvnSubnets, subnet, status);
    });
}

export function vpcController(sim: Sim) {
  return controllerFor<Vpc>(engines.kubeOvnVpcs)
    .named('sim-kubeovn-vpc')
    .watches<Subnet>(engines.kubeOvnSubnets, (s) => [{ name: s.spec?.vpc || CLUSTER_ROUTER }])
    .reconcile(async (vpc) => {
      if (vpc.metadata.deletionTimestamp) return;
      await markSimulated(sim, engines.kubeOvnVpcs, vpc);
      const wait = vpc.status?.standby ? 0 : ready(sim, vpc, 'standby');
      if (wait > 0) return { requeueAfterMs: wait };
      await writeStatus(
        sim,
        engines.kubeOvnVpcs,
        vpc,
        vpcStatus(vpc, cachedList<Subnet>(sim, engines.kubeOvnSubnets)),
      );
    });
}

/**
 * IP objects: fill in reservations clients create (as Kube-OVN's handleAddReservedIP), and
 * release the addresses of VMs that are gone (ours only: ip_reserved "false").
 */
export function ipController(sim: Sim, book: AddressBook) {
  // A VM and its VMI share the name the IP objects record as their pod.
  const ipsOfPod = (pod: Obj) =>
    refsOf(
      cachedList<Ip>(sim, engines.kubeOvnIPs),
      (ip) => ip.spec?.podName === nameOf(pod) && ip.spec?.namespace === pod.metadata.namespace,
    );
  return controllerFor<Ip>(engines.kubeOvnIPs)
    .named('sim-kubeovn-ip')
    .watches<Obj>(engines.virtualMachines, ipsOfPod)
    .watches<Obj>(engines.virtualMachineInstances, ipsOfPod)
    .watches<Subnet>(engines.kubeOvnSubnets, (s) =>
      refsOf(
        cachedList<Ip>(sim, engines.kubeOvnIPs),
        (ip) => ip.spec?.subnet === nameOf(s) && ipAddressesOf(ip).length === 0,
      ),
    )
    .reconcile(async (ip) => {
      if (ip.metadata.deletionTimestamp) return;
      const spec = ip.spec ?? {};
      if (ip.metadata.labels?.[LABELS.ipReserved] === 'false') {
        // Allocated by the CNI: Kube-OVN keeps a VM's address across restarts of its VMI and
        // releases it when the VM itself is gone; a VMI without a VM releases it when it goes.
        if (!spec.podName || !spec.namespace) return;
        const owner =
          spec.podType === 'VirtualMachine' ? engines.virtualMachines : engines.virtualMachineInstances;
        if (await isGone(sim, owner, { name: spec.podName, namespace: spec.namespace })) {
          sim.logger.info('releasing an address', {
            ip: nameOf(ip),
            owner: `${owner.kind} ${spec.namespace}/${spec.podName}`,
          });
          book.release(`ip:${nameOf(ip)}`);
          await deleteObject(sim.client, engines.kubeOvnIPs, ip);
        }
        return;
      }
      if (!spec.subnet || !spec.podName || !spec.namespace) return; // Kube-OVN ignores these too
      const subnet = cached<Subnet>(sim, engines.kubeOvnSubnets, { name: spec.subnet });
      if (!subnet) throw new Error(`reserved IP ${nameOf(ip)}: subnet ${spec.subnet} not found`);
      const provider = subnet.spec?.provider || OVN_PROVIDER;
      // Kube-OVN only handles reservations named as the port of the pod they reserve for.
      if (nameOf(ip) !== portName(spec.podName, spec.namespace, provider)) return;
      const held = ipAddressesOf(ip);
      const families = (parseCidrBlock(subnet.spec?.cidrBlock ?? '') ?? []).length;
      if (held.length === families && spec.macAddress && ip.metadata.labels?.[LABELS.ipReserved] === 'true')
        return;
      const result = await ensureIp(sim, book, {
        name: nameOf(ip),
        podName: spec.podName,
        namespace: spec.namespace,
        subnet,
        requested: [spec.v4IpAddress, spec.v6IpAddress].filter(Boolean).join(',') || undefined,
        mac: spec.macAddress || undefined,
        podType: spec.podType ?? '',
        nodeName: spec.nodeName ?? '',
      });
      if (!result.ok) throw new Error(`reserved IP ${nameOf(ip)}: ${result.message}`);
    });
}

function eipCondition(
  object: { status?: { conditions?: KubeOvnCondition[] }; metadata: { generation?: number } },
  ok: boolean,
  reason: string,
  message: string,
  now: string,
) {
  return setCondition(
    'kubeovn',
    object.status?.conditions,
    { type: 'Ready', status: ok ? 'True' : 'False', reason, message },
    now,
    object.metadata.generation,
  );
}

export function iptablesEipController(sim: Sim, book: AddressBook) {
  const eips = () => cachedList<Eip>(sim, engines.iptablesEips);
  return controllerFor<Eip>(engines.iptablesEips)
    .named('sim-kubeovn-iptables-eip')
    .watches<Subnet>(engines.kubeOvnSubnets, (s) => refsOf(eips(), (e) => eipSubnet(e) === nameOf(s)))
    .watches<NatGateway>(engines.vpcNatGateways, (gw) =>
      refsOf(eips(), (e) => e.spec?.natGwDp === nameOf(gw)),
    )
    .watches<FipRule>(engines.iptablesFipRules, (f) => (f.spec?.eip ? [{ name: f.spec.eip }] : []))
    .watches<SnatRule>(engines.iptablesSnatRules, (s) => (s.spec?.eip ? [{ name: s.spec.eip }] : []))
    .reconcile(async (eip) => {
      if (eip.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      const name = nameOf(eip);
      await markSimulated(sim, engines.iptablesEips, eip);
      const notReady = (reason: string, message: string) =>
        writeStatus(sim, engines.iptablesEips, eip, {
          ready: false,
          ip: eip.status?.ip ?? '',
          nat: '',
          redo: '',
          qosPolicy: eip.spec?.qosPolicy ?? '',
          conditions: eipCondition(eip, false, reason, `${message} (simulated)`, now),
        });
      const gwName = eip.spec?.natGwDp;
      const gw = gwName ? cached<NatGateway>(sim, engines.vpcNatGateways, { name: gwName }) : undefined;
      if (!gw?.status?.ready) {
        await notReady(
          'NatGwNotReady',
          gwName ? `vpc nat gateway ${gwName} is not ready` : 'spec.natGwDp is empty',
        );
        return;
      }
      const subnetName = eipSubnet(eip);
      const subnet = cached<Subnet>(sim, engines.kubeOvnSubnets, { name: subnetName });
      const addressing = subnet ? subnetAddressing(subnet) : undefined;
      if (!subnet || !addressing) {
        await notReady('SubnetNotFound', `external subnet ${subnetName} not found or invalid`);
        return;
      }
      if (!eip.status?.ready) {
        const wait = ready(sim, eip, 'ready');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      const owner = `eip:${name}`;
      const spec = eip.spec ?? {};
      // Check (or make) the allocation until the EIP is ready with the address its spec names.
      let v4 = eip.status?.ip;
      if (!eip.status?.ready || !v4 || canonicalAddress(spec.v4ip ?? '') !== v4) {
        const requested = [spec.v4ip, spec.v6ip].filter(Boolean).join(',') || undefined;
        const picked = allocate(addressing, book.used(subnetName, owner), requested);
        if (!picked.ok) {
          await notReady('AllocationFailed', picked.message);
          return;
        }
        v4 = picked.addresses.find((a) => addressOf(a)?.version === 4);
        const v6 = picked.addresses.find((a) => addressOf(a)?.version === 6);
        if (!v4) {
          await notReady('NoIPv4', `subnet ${subnetName} does not support ipv4`);
          return;
        }
        if (
          canonicalAddress(spec.v4ip ?? '') !== v4 ||
          (v6 && canonicalAddress(spec.v6ip ?? '') !== v6) ||
          !spec.macAddress
        ) {
          book.reserve(owner, subnetName, picked.addresses);
          // Kube-OVN records the allocation in the EIP's own spec and labels.
          await sim.client.patch(
            engines.iptablesEips,
            name,
            undefined,
            {
              metadata: {
                labels: {
                  [LABELS.subnet]: subnetName,
                  [LABELS.vpcNatGateway]: gwName ?? '',
                  [LABELS.eipV4]: v4,
                },
              },
              spec: compact({ v4ip: v4, v6ip: v6, macAddress: spec.macAddress || macFor(`eip.${name}`) }),
            },
            'merge',
          );
          return; // the spec update comes back through the watch
        }
      }
      await writeStatus(sim, engines.iptablesEips, eip, {
        ready: true,
        ip: v4,
        nat: eipNat(
          name,
          cachedList<FipRule>(sim, engines.iptablesFipRules),
          cachedList<SnatRule>(sim, engines.iptablesSnatRules),
        ),
        redo: '',
        qosPolicy: eip.spec?.qosPolicy ?? '',
        conditions: eipCondition(eip, true, 'EipReady', '', now),
      });
    });
}

function natRuleController<T extends FipRule | SnatRule>(sim: Sim, kind: 'fip' | 'snat') {
  const resource = kind === 'fip' ? engines.iptablesFipRules : engines.iptablesSnatRules;
  return controllerFor<T>(resource)
    .named(`sim-kubeovn-iptables-${kind}`)
    .watches<Eip>(engines.iptablesEips, (eip) =>
      refsOf(cachedList<T>(sim, resource), (r) => r.spec?.eip === nameOf(eip)),
    )
    .reconcile(async (rule) => {
      if (rule.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      await markSimulated(sim, resource, rule);
      const eipName = rule.spec?.eip ?? '';
      const eip = eipName ? cached<Eip>(sim, engines.iptablesEips, { name: eipName }) : undefined;
      const internal =
        kind === 'fip'
          ? { internalIp: (rule as FipRule).spec?.internalIp ?? '' }
          : { internalCIDR: (rule as SnatRule).spec?.internalCIDR ?? '' };
      let problem: string | undefined;
      if (!eip?.status?.ready || !eip.status.ip) problem = `eip ${eipName || '(none)'} is not ready`;
      else if (kind === 'fip') {
        const other = competingFip(rule, cachedList<FipRule>(sim, engines.iptablesFipRules));
        if (other) problem = `eip ${eipName} is already used by fip ${nameOf(other)}`;
      }
      if (!problem) {
        const wait = (rule.status as { ready?: boolean } | undefined)?.ready ? 0 : ready(sim, rule, 'ready');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      await writeStatus(sim, resource, rule, {
        ready: !problem,
        v4ip: problem ? '' : (eip?.status?.ip ?? ''),
        v6ip: problem ? '' : (eip?.spec?.v6ip ?? ''),
        natGwDp: eip?.spec?.natGwDp ?? '',
        redo: '',
        ...internal,
        conditions: eipCondition(
          rule,
          !problem,
          problem ? 'EipNotReady' : 'RuleReady',
          problem ? `${problem} (simulated)` : '',
          now,
        ),
      });
    });
}

export const iptablesFipController = (sim: Sim) => natRuleController<FipRule>(sim, 'fip');
export const iptablesSnatController = (sim: Sim) => natRuleController<SnatRule>(sim, 'snat');

export function vpcNatGatewayController(sim: Sim) {
  const gws = () => cachedList<NatGateway>(sim, engines.vpcNatGateways);
  return controllerFor<NatGateway>(engines.vpcNatGateways)
    .named('sim-kubeovn-vpc-nat-gateway')
    .watches<Vpc>(engines.kubeOvnVpcs, (vpc) => refsOf(gws(), (g) => g.spec?.vpc === nameOf(vpc)))
    .watches<Subnet>(engines.kubeOvnSubnets, (s) => refsOf(gws(), (g) => g.spec?.subnet === nameOf(s)))
    .reconcile(async (gw) => {
      if (gw.metadata.deletionTimestamp) return;
      await markSimulated(sim, engines.vpcNatGateways, gw);
      const spec = gw.spec ?? {};
      const subnet = spec.subnet
        ? cached<Subnet>(sim, engines.kubeOvnSubnets, { name: spec.subnet })
        : undefined;
      const cidrs = parseCidrBlock(subnet?.spec?.cidrBlock ?? '') ?? [];
      const lan = spec.lanIp ? addressOf(spec.lanIp) : undefined;
      const ok =
        !!spec.vpc &&
        !!cached(sim, engines.kubeOvnVpcs, { name: spec.vpc }) &&
        !!subnet &&
        (!spec.lanIp || (!!lan && inAnyCidr(cidrs, lan)));
      if (ok && !gw.status?.ready) {
        const wait = ready(sim, gw, 'ready');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      await writeStatus(sim, engines.vpcNatGateways, gw, {
        ready: ok,
        lanIp: spec.lanIp ?? '',
        externalSubnets: spec.externalSubnets?.length ? spec.externalSubnets : [VPC_EXTERNAL_NETWORK],
        replicas: spec.replicas ?? 1,
        internalSubnets: spec.internalSubnets ?? [],
        internalCIDRs: spec.internalCIDRs ?? [],
        qosPolicy: spec.qosPolicy ?? '',
        selector: spec.selector ?? [],
        tolerations: [],
        affinity: {},
        workload: ok
          ? {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              name: `vpc-nat-gw-${nameOf(gw)}`,
              nodes: [SIM_NODE],
            }
          : {},
      });
    });
}

export function securityGroupController(sim: Sim) {
  return controllerFor<SecurityGroup>(engines.kubeOvnSecurityGroups)
    .named('sim-kubeovn-security-group')
    .reconcile(async (sg) => {
      if (sg.metadata.deletionTimestamp) return;
      await markSimulated(sim, engines.kubeOvnSecurityGroups, sg);
      if (!sg.status?.portGroup) {
        const wait = ready(sim, sg, 'synced');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      await writeStatus(sim, engines.kubeOvnSecurityGroups, sg, securityGroupStatus(sg));
    });
}

export function ovnEipController(sim: Sim, book: AddressBook) {
  return controllerFor<OvnEip>(engines.ovnEips)
    .named('sim-kubeovn-ovn-eip')
    .watches<Subnet>(engines.kubeOvnSubnets, (s) =>
      refsOf(cachedList<OvnEip>(sim, engines.ovnEips), (e) => ovnEipSubnet(e) === nameOf(s)),
    )
    .watches<OvnFip>(engines.ovnFips, (f) => (f.spec?.ovnEip ? [{ name: f.spec.ovnEip }] : []))
    .reconcile(async (eip) => {
      if (eip.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      const name = nameOf(eip);
      await markSimulated(sim, engines.ovnEips, eip);
      const subnetName = ovnEipSubnet(eip);
      const subnet = cached<Subnet>(sim, engines.kubeOvnSubnets, { name: subnetName });
      const addressing = subnet ? subnetAddressing(subnet) : undefined;
      const type = eip.spec?.type || 'nat';
      const base = { type, nat: '', macAddress: eip.spec?.macAddress || macFor(`oeip.${name}`) };
      if (!addressing) {
        await writeStatus(sim, engines.ovnEips, eip, {
          ...base,
          ready: false,
          v4Ip: '',
          v6Ip: '',
          conditions: eipCondition(
            eip,
            false,
            'SubnetNotFound',
            `external subnet ${subnetName} not found or invalid (simulated)`,
            now,
          ),
        });
        return;
      }
      if (!eip.status?.ready) {
        const wait = ready(sim, eip, 'ready');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      const owner = `oeip:${name}`;
      const held = [eip.status?.v4Ip, eip.status?.v6Ip].filter((a): a is string => !!a);
      const requested = [eip.spec?.v4Ip, eip.spec?.v6Ip].filter(Boolean).join(',');
      let addresses = held;
      if (held.length === 0 || !satisfies(held, requested)) {
        const picked = allocate(addressing, book.used(subnetName, owner), requested || undefined);
        if (!picked.ok) {
          await writeStatus(sim, engines.ovnEips, eip, {
            ...base,
            ready: false,
            v4Ip: '',
            v6Ip: '',
            conditions: eipCondition(eip, false, 'AllocationFailed', `${picked.message} (simulated)`, now),
          });
          return;
        }
        addresses = picked.addresses;
        book.reserve(owner, subnetName, addresses);
      }
      const fipUsers = cachedList<OvnFip>(sim, engines.ovnFips).filter((f) => f.spec?.ovnEip === name);
      await writeStatus(sim, engines.ovnEips, eip, {
        ...base,
        nat: fipUsers.length ? 'fip' : '',
        ready: true,
        v4Ip: addresses.find((a) => addressOf(a)?.version === 4) ?? '',
        v6Ip: addresses.find((a) => addressOf(a)?.version === 6) ?? '',
        conditions: eipCondition(eip, true, 'EipReady', '', now),
      });
    });
}

export function ovnFipController(sim: Sim) {
  return controllerFor<OvnFip>(engines.ovnFips)
    .named('sim-kubeovn-ovn-fip')
    .watches<OvnEip>(engines.ovnEips, (e) =>
      refsOf(cachedList<OvnFip>(sim, engines.ovnFips), (f) => f.spec?.ovnEip === nameOf(e)),
    )
    .watches<Ip>(engines.kubeOvnIPs, (ip) =>
      refsOf(cachedList<OvnFip>(sim, engines.ovnFips), (f) => f.spec?.ipName === nameOf(ip)),
    )
    .reconcile(async (fip) => {
      if (fip.metadata.deletionTimestamp) return;
      const now = timestamp(sim.now());
      await markSimulated(sim, engines.ovnFips, fip);
      const spec = fip.spec ?? {};
      const eip = spec.ovnEip ? cached<OvnEip>(sim, engines.ovnEips, { name: spec.ovnEip }) : undefined;
      const ip = spec.ipName ? cached<Ip>(sim, engines.kubeOvnIPs, { name: spec.ipName }) : undefined;
      const internal = ip ? ipAddressesOf(ip) : [spec.v4Ip, spec.v6Ip].filter((a): a is string => !!a);
      const subnet = ip?.spec?.subnet
        ? cached<Subnet>(sim, engines.kubeOvnSubnets, { name: ip.spec.subnet })
        : undefined;
      const vpc = spec.vpc || subnet?.spec?.vpc || '';
      let problem: string | undefined;
      if (!eip?.status?.ready) problem = `ovn eip ${spec.ovnEip ?? '(none)'} is not ready`;
      else if (internal.length === 0)
        problem = spec.ipName ? `ip ${spec.ipName} not found` : 'no internal address';
      if (!problem && !(fip.status as { ready?: boolean } | undefined)?.ready) {
        const wait = ready(sim, fip, 'ready');
        if (wait > 0) return { requeueAfterMs: wait };
      }
      await writeStatus(sim, engines.ovnFips, fip, {
        ready: !problem,
        vpc,
        v4Eip: problem ? '' : (eip?.status?.v4Ip ?? ''),
        v6Eip: problem ? '' : (eip?.status?.v6Ip ?? ''),
        v4Ip: internal.find((a) => addressOf(a)?.version === 4) ?? '',
        v6Ip: internal.find((a) => addressOf(a)?.version === 6) ?? '',
        macAddress: ip?.spec?.macAddress ?? '',
        conditions: eipCondition(
          fip,
          !problem,
          problem ? 'NotReady' : 'FipReady',
          problem ? `${problem} (simulated)` : '',
          now,
        ),
      });
    });
}

/** Register every simulated Kube-OVN controller. */
export function addKubeOvnControllers(sim: Sim, book: AddressBook): void {
  const m = sim.manager;
  m.add(vpcController(sim));
  m.add(subnetController(sim, book));
  m.add(ipController(sim, book));
  m.add(iptablesEipController(sim, book));
  m.add(iptablesFipController(sim));
  m.add(iptablesSnatController(sim));
  m.add(vpcNatGatewayController(sim));
  m.add(securityGroupController(sim));
  m.add(ovnEipController(sim, book));
  m.add(ovnFipController(sim));
}
