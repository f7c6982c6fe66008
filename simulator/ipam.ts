// SIMULATION — the simulated Kube-OVN IPAM: pick the lowest free address of a subnet the way
// Kube-OVN does (gateway and excludeIps skipped, a requested static address honoured), count
// what a subnet has left, and derive stable MACs. Parsing and printing addresses and CIDRs is the shared
// library's (operator/domain/address.ts); this module adds only what Kube-OVN itself does
// with them. Pure: the allocations themselves live in the API as kubeovn.io IP objects.
//
// Addresses are bigints so that one code path serves both families; IPv6 is printed in the
// canonical RFC 5952 form, so string comparison of printed addresses is address comparison.
import {
  formatCidr,
  formatIP,
  hostRange,
  inCidr,
  parseCidr,
  parseIP,
  type Cidr,
  type IP,
  type IPVersion,
} from '../operator/domain/address.js';
import { fnv1a } from './common.js';

/**
 * An address as Kube-OVN's annotations and comma lists spell it (surrounding spaces
 * allowed); undefined when it is not one.
 */
export function addressOf(text: string): IP | undefined {
  return parseIP(text.trim());
}

/** The canonical spelling of an address (so `fd00::0005` and `fd00::5` compare equal), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  const address = addressOf(text);
  return address ? formatIP(address.version, address.value) : undefined;
}

/** `10.0.0.0/24,fd00::/64` → both CIDRs; undefined if any part is invalid or a family repeats. */
export function parseCidrBlock(block: string): Cidr[] | undefined {
  const parts = block
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.length > 2) return undefined;
  const cidrs: Cidr[] = [];
  for (const part of parts) {
    const cidr = parseCidr(part);
    if (!cidr || cidrs.some((c) => c.version === cidr.version)) return undefined;
    cidrs.push(cidr);
  }
  return cidrs;
}

/**
 * The addresses a workload may get: everything but the network address and, for IPv4, the
 * broadcast address (a /31 or /32 has neither, as in Kube-OVN): the block's host range.
 */
export function usableRange(cidr: Cidr): { first: bigint; last: bigint } {
  const [first, last] = hostRange(cidr);
  return { first, last };
}

/** Whether a parsed address lies in any of the blocks. */
export function inAnyCidr(cidrs: readonly Cidr[], address: IP): boolean {
  return cidrs.some((cidr) => inCidr(cidr, address));
}

/** Kube-OVN's default gateway: the first address of each CIDR, comma-joined. */
export function defaultGateway(cidrs: readonly Cidr[]): string {
  return cidrs.map((c) => formatIP(c.version, usableRange(c).first)).join(',');
}

/** `IPv4`, `IPv6` or `Dual`, Kube-OVN's spec.protocol. */
export function protocolOf(cidrs: readonly Cidr[]): 'IPv4' | 'IPv6' | 'Dual' {
  if (cidrs.length > 1) return 'Dual';
  return cidrs[0]?.version === 6 ? 'IPv6' : 'IPv4';
}

export interface Range {
  version: IPVersion;
  first: bigint;
  last: bigint;
}

/** Parse excludeIps entries: single addresses or `first..last` ranges; invalid entries are skipped. */
export function parseRanges(entries: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const entry of entries) {
    const [a, b, extra] = entry.split('..');
    if (a === undefined || extra !== undefined) continue;
    const first = addressOf(a);
    const last = b === undefined ? first : addressOf(b);
    if (!first || !last || first.version !== last.version || last.value < first.value) continue;
    ranges.push({ version: first.version, first: first.value, last: last.value });
  }
  return ranges;
}

/** Sort and merge overlapping or adjacent ranges of one family. */
function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.version === r.version && r.first <= prev.last + 1n) {
      if (r.last > prev.last) prev.last = r.last;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Clip ranges to [first, last]. */
function clip(ranges: Range[], first: bigint, last: bigint): Range[] {
  return ranges
    .filter((r) => r.last >= first && r.first <= last)
    .map((r) => ({ ...r, first: r.first < first ? first : r.first, last: r.last > last ? last : r.last }));
}

export interface SubnetAddressing {
  cidrs: Cidr[];
  /** Gateway addresses (never handed out). */
  gateways: IP[];
  /** spec.excludeIps, parsed. */
  excluded: Range[];
}

/** What the simulator needs of a Subnet spec to allocate from it; undefined for a bad CIDR. */
export function addressingOf(spec: {
  cidrBlock?: string;
  gateway?: string;
  excludeIps?: readonly string[];
}): SubnetAddressing | undefined {
  const cidrs = parseCidrBlock(spec.cidrBlock ?? '');
  if (!cidrs) return undefined;
  const gatewayText = spec.gateway || defaultGateway(cidrs);
  const gateways = gatewayText
    .split(',')
    .map((g) => addressOf(g))
    .filter((g): g is IP => g !== undefined);
  return { cidrs, gateways, excluded: parseRanges(spec.excludeIps ?? []) };
}

export type AllocationResult =
  | { ok: true; addresses: string[] }
  | { ok: false; reason: 'Conflict' | 'OutOfRange' | 'Exhausted' | 'Invalid'; message: string };

/**
 * Pick one address per family of the subnet. A requested address (comma-separated for dual
 * stack, as in Kube-OVN's ip_address annotation) is used as is when it lies in the subnet and
 * is free — it may lie in excludeIps, which Kube-OVN allows for static addresses — otherwise
 * the lowest free address that is neither the gateway nor excluded.
 *
 * `used` holds canonical addresses taken by others (not by the requester itself).
 */
export function allocate(
  subnet: SubnetAddressing,
  used: ReadonlySet<string>,
  requested?: string,
): AllocationResult {
  const wanted = new Map<IPVersion, IP>();
  for (const text of (requested ?? '').split(',').filter((s) => s.trim())) {
    const address = addressOf(text);
    if (!address) return { ok: false, reason: 'Invalid', message: `${text} is not an IP address` };
    wanted.set(address.version, address);
  }
  for (const family of wanted.keys()) {
    if (!subnet.cidrs.some((c) => c.version === family)) {
      return {
        ok: false,
        reason: 'OutOfRange',
        message: `requested IPv${family} address but the subnet has no IPv${family} CIDR`,
      };
    }
  }
  const addresses: string[] = [];
  for (const cidr of subnet.cidrs) {
    const { first, last } = usableRange(cidr);
    const gateways = subnet.gateways.filter((g) => g.version === cidr.version).map((g) => g.value);
    const request = wanted.get(cidr.version);
    if (request) {
      const text = formatIP(request.version, request.value);
      if (request.value < first || request.value > last) {
        return { ok: false, reason: 'OutOfRange', message: `${text} is not in ${formatCidr(cidr)}` };
      }
      if (gateways.includes(request.value)) {
        return { ok: false, reason: 'Conflict', message: `${text} is the gateway of the subnet` };
      }
      if (used.has(text)) {
        return { ok: false, reason: 'Conflict', message: `${text} is already in use` };
      }
      addresses.push(text);
      continue;
    }
    const skip = merge([
      ...subnet.excluded.filter((r) => r.version === cidr.version),
      ...gateways.map((g) => ({ version: cidr.version, first: g, last: g })),
    ]);
    let candidate = first;
    let found: string | undefined;
    // Each pass either jumps over a skipped range, steps past a used address, or finds one;
    // so the loop runs at most |skip| + |used| + 1 times.
    while (candidate <= last) {
      const range = skip.find((r) => candidate >= r.first && candidate <= r.last);
      if (range) {
        candidate = range.last + 1n;
        continue;
      }
      const text = formatIP(cidr.version, candidate);
      if (used.has(text)) {
        candidate++;
        continue;
      }
      found = text;
      break;
    }
    if (!found) {
      return { ok: false, reason: 'Exhausted', message: `no free address left in ${formatCidr(cidr)}` };
    }
    addresses.push(found);
  }
  return { ok: true, addresses };
}

/** `a-b` for a range, `a` for a single address, ranges comma-joined (Kube-OVN's *IPrange fields). */
function formatRanges(version: IPVersion, ranges: Range[]): string {
  return ranges
    .map((r) =>
      r.first === r.last
        ? formatIP(version, r.first)
        : `${formatIP(version, r.first)}-${formatIP(version, r.last)}`,
    )
    .join(',');
}

export interface FamilyUsage {
  available: number;
  using: number;
  availableRange: string;
  usingRange: string;
}

/** What Subnet.status reports per family: addresses in use and addresses still free. */
export function usage(
  subnet: SubnetAddressing,
  used: Iterable<string>,
): { v4: FamilyUsage; v6: FamilyUsage } {
  const empty: FamilyUsage = { available: 0, using: 0, availableRange: '', usingRange: '' };
  const result = { v4: { ...empty }, v6: { ...empty } };
  const addresses = [...used].map((u) => addressOf(u)).filter((a): a is IP => a !== undefined);
  for (const cidr of subnet.cidrs) {
    const { first, last } = usableRange(cidr);
    const inUse = merge(
      addresses
        .filter((a) => a.version === cidr.version && a.value >= first && a.value <= last)
        .map((a) => ({ version: cidr.version, first: a.value, last: a.value })),
    );
    const excluded = merge(
      clip(
        [
          ...subnet.excluded.filter((r) => r.version === cidr.version),
          ...subnet.gateways
            .filter((g) => g.version === cidr.version)
            .map((g) => ({ version: cidr.version, first: g.value, last: g.value })),
        ],
        first,
        last,
      ),
    );
    const taken = merge([...inUse, ...excluded]);
    const count = (rs: Range[]) => rs.reduce((n, r) => n + (r.last - r.first + 1n), 0n);
    const free: Range[] = [];
    let cursor = first;
    for (const r of taken) {
      if (r.first > cursor) free.push({ version: cidr.version, first: cursor, last: r.first - 1n });
      cursor = r.last + 1n;
    }
    if (cursor <= last) free.push({ version: cidr.version, first: cursor, last });
    const entry: FamilyUsage = {
      // Number() rounds past 2^53: an IPv6 /64 has more addresses than a double can count
      // exactly, and Kube-OVN itself reports these as plain JSON numbers.
      available: Number(count(free)),
      using: Number(count(inUse)),
      availableRange: formatRanges(cidr.version, free),
      usingRange: formatRanges(cidr.version, inUse),
    };
    if (cidr.version === 4) result.v4 = entry;
    else result.v6 = entry;
  }
  return result;
}

/**
 * A MAC derived from a seed (the IP object's name), so a restarted simulator hands out the
 * same MAC again. Kube-OVN's random MACs start 00:00:00; so do these.
 */
export function macFor(seed: string): string {
  const h = fnv1a(seed);
  const bytes = [0, 0, 0, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function isMac(text: string): boolean {
  return /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(text);
}
