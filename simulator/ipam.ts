// SIMULATION — address arithmetic for the simulated Kube-OVN IPAM: parse and print IPv4/IPv6
// addresses and CIDRs, pick the lowest free address of a subnet the way Kube-OVN does
// (gateway and excludeIps skipped, a requested static address honoured), and count what a
// subnet has left. Pure: the allocations themselves live in the API as kubeovn.io IP objects.
//
// Addresses are bigints so that one code path serves both families; IPv6 is printed in the
// canonical RFC 5952 form, so string comparison of printed addresses is address comparison.

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** The network address (host bits zero). */
  network: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tail4: bigint | undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4;
  return value;
}

/** Parse an IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): Address | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIPv6(trimmed);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(trimmed);
  return value === undefined ? undefined : { family: 4, value };
}

/** Print an address: dotted quad, or RFC 5952 canonical IPv6 (lower case, longest zero run as ::). */
export function formatIp(address: Address): string {
  if (address.family === 4) {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address.value >> BigInt(i * 16)) & 0xffffn));
  // The longest run of at least two zero groups (the first of equals) becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** The canonical spelling of an address (so `fd00::0005` and `fd00::5` compare equal), or undefined. */
export function canonicalIp(text: string): string | undefined {
  const address = parseIp(text);
  return address ? formatIp(address) : undefined;
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, prefixText, extra] = text.trim().split('/');
  if (ip === undefined || prefixText === undefined || extra !== undefined) return undefined;
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const address = parseIp(ip);
  if (!address) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[address.family];
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { family: address.family, network: address.value & ~hostMask, prefix };
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
    if (!cidr || cidrs.some((c) => c.family === cidr.family)) return undefined;
    cidrs.push(cidr);
  }
  return cidrs;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.network })}/${cidr.prefix}`;
}

/** The last address of the CIDR (broadcast for IPv4). */
export function lastOf(cidr: Cidr): bigint {
  return cidr.network | ((1n << BigInt(BITS[cidr.family] - cidr.prefix)) - 1n);
}

export function contains(cidr: Cidr, address: Address): boolean {
  return address.family === cidr.family && address.value >= cidr.network && address.value <= lastOf(cidr);
}

/**
 * The addresses a workload may get: everything but the network address and, for IPv4, the
 * broadcast address (a /31 or /32 has neither, as in Kube-OVN).
 */
export function usableRange(cidr: Cidr): { first: bigint; last: bigint } {
  const last = lastOf(cidr);
  if (cidr.family === 4) {
    if (cidr.prefix >= 31) return { first: cidr.network, last };
    return { first: cidr.network + 1n, last: last - 1n };
  }
  if (cidr.prefix >= 127) return { first: cidr.network, last };
  return { first: cidr.network + 1n, last };
}

/** Kube-OVN's default gateway: the first address of each CIDR, comma-joined. */
export function defaultGateway(cidrs: readonly Cidr[]): string {
  return cidrs.map((c) => formatIp({ family: c.family, value: usableRange(c).first })).join(',');
}

/** `IPv4`, `IPv6` or `Dual`, Kube-OVN's spec.protocol. */
export function protocolOf(cidrs: readonly Cidr[]): 'IPv4' | 'IPv6' | 'Dual' {
  if (cidrs.length > 1) return 'Dual';
  return cidrs[0]?.family === 6 ? 'IPv6' : 'IPv4';
}

export interface Range {
  family: Family;
  first: bigint;
  last: bigint;
}

/** Parse excludeIps entries: single addresses or `first..last` ranges; invalid entries are skipped. */
export function parseRanges(entries: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const entry of entries) {
    const [a, b, extra] = entry.split('..');
    if (a === undefined || extra !== undefined) continue;
    const first = parseIp(a);
    const last = b === undefined ? first : parseIp(b);
    if (!first || !last || first.family !== last.family || last.value < first.value) continue;
    ranges.push({ family: first.family, first: first.value, last: last.value });
  }
  return ranges;
}

/** Sort and merge overlapping or adjacent ranges of one family. */
function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.family === r.family && r.first <= prev.last + 1n) {
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
  gateways: Address[];
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
    .map((g) => parseIp(g))
    .filter((g): g is Address => g !== undefined);
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
  const wanted = new Map<Family, Address>();
  for (const text of (requested ?? '').split(',').filter((s) => s.trim())) {
    const address = parseIp(text);
    if (!address) return { ok: false, reason: 'Invalid', message: `${text} is not an IP address` };
    wanted.set(address.family, address);
  }
  for (const family of wanted.keys()) {
    if (!subnet.cidrs.some((c) => c.family === family)) {
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
    const gateways = subnet.gateways.filter((g) => g.family === cidr.family).map((g) => g.value);
    const request = wanted.get(cidr.family);
    if (request) {
      const text = formatIp(request);
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
      ...subnet.excluded.filter((r) => r.family === cidr.family),
      ...gateways.map((g) => ({ family: cidr.family, first: g, last: g })),
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
      const text = formatIp({ family: cidr.family, value: candidate });
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
function formatRanges(family: Family, ranges: Range[]): string {
  return ranges
    .map((r) =>
      r.first === r.last
        ? formatIp({ family, value: r.first })
        : `${formatIp({ family, value: r.first })}-${formatIp({ family, value: r.last })}`,
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
  const addresses = [...used].map((u) => parseIp(u)).filter((a): a is Address => a !== undefined);
  for (const cidr of subnet.cidrs) {
    const { first, last } = usableRange(cidr);
    const inUse = merge(
      addresses
        .filter((a) => a.family === cidr.family && a.value >= first && a.value <= last)
        .map((a) => ({ family: cidr.family, first: a.value, last: a.value })),
    );
    const excluded = merge(
      clip(
        [
          ...subnet.excluded.filter((r) => r.family === cidr.family),
          ...subnet.gateways
            .filter((g) => g.family === cidr.family)
            .map((g) => ({ family: cidr.family, first: g.value, last: g.value })),
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
      if (r.first > cursor) free.push({ family: cidr.family, first: cursor, last: r.first - 1n });
      cursor = r.last + 1n;
    }
    if (cursor <= last) free.push({ family: cidr.family, first: cursor, last });
    const entry: FamilyUsage = {
      // Number() rounds past 2^53: an IPv6 /64 has more addresses than a double can count
      // exactly, and Kube-OVN itself reports these as plain JSON numbers.
      available: Number(count(free)),
      using: Number(count(inUse)),
      availableRange: formatRanges(cidr.family, free),
      usingRange: formatRanges(cidr.family, inUse),
    };
    if (cidr.family === 4) result.v4 = entry;
    else result.v6 = entry;
  }
  return result;
}

/** FNV-1a over a string: a small stable hash for deterministic names, MACs and delays. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
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
