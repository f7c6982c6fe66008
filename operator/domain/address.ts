// Address arithmetic, the one library of it: parse and print IPv4/IPv6 the way Go's net
// package does (Kube-OVN compares our strings with its own formatting, so "fd00::1" must
// never come out as "fd00:0:0:0:0:0:0:1" or in upper case), CIDR membership and overlap,
// netmasks, host ranges, and the excluded ranges that turn Neutron allocation pools into
// Kube-OVN excludeIps. The operator, the webhooks and the simulator's IPAM all use it. Pure.

export type IPVersion = 4 | 6;

export interface IP {
  version: IPVersion;
  value: bigint;
}

export interface Cidr {
  version: IPVersion;
  /** The network address. */
  network: bigint;
  prefix: number;
}

const BITS: Record<IPVersion, number> = { 4: 32, 6: 128 };

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  let body = text.toLowerCase();
  // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  let tail: number[] = [];
  if (dotted) {
    const v4 = parseIPv4(dotted[2]!);
    if (v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    body = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const explicit = all.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const values = [
    ...head.map((g) => parseInt(g, 16)),
    ...Array<number>(8 - explicit).fill(0),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail,
  ];
  return values.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

export function parseIP(text: string): IP | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { version: 4, value };
}

export function ipVersion(text: string): IPVersion | undefined {
  return parseIP(text)?.version;
}

/** RFC 5952 text, as Go prints it: lower case, the longest run (≥ 2) of zero groups as `::`. */
export function formatIP(version: IPVersion, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
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
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** The canonical text of an address (Go's form), or the input if it does not parse. */
export function canonicalIP(text: string): string {
  const ip = parseIP(text);
  return ip ? formatIP(ip.version, ip.value) : text;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || address === undefined || !/^\d{1,3}$/.test(prefixText ?? '')) return undefined;
  const ip = parseIP(address);
  const prefix = Number(prefixText);
  if (!ip || prefix > BITS[ip.version]) return undefined;
  return { version: ip.version, network: ip.value & mask(ip.version, prefix), prefix };
}

function mask(version: IPVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

/** The last address of the block (the IPv4 broadcast address). */
export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | (~mask(cidr.version, cidr.prefix) & ((1n << BigInt(BITS[cidr.version])) - 1n));
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIP(cidr.version, cidr.network)}/${cidr.prefix}`;
}

/** Canonical CIDR text (network address, Go's formatting), or the input if it does not parse. */
export function canonicalCidr(text: string): string {
  const cidr = parseCidr(text);
  return cidr ? formatCidr(cidr) : text;
}

/** Whether `ip` lies inside `cidr` (same family). */
export function inCidr(cidr: Cidr, ip: IP): boolean {
  return cidr.version === ip.version && (ip.value & mask(cidr.version, cidr.prefix)) === cidr.network;
}

/** Whether the address `ipText` lies inside `cidrText`; false when either does not parse. */
export function cidrContains(cidrText: string, ipText: string): boolean {
  const cidr = parseCidr(cidrText);
  const ip = parseIP(ipText);
  return !!cidr && !!ip && inCidr(cidr, ip);
}

/** Whether two blocks share an address: of one family, and the shorter prefix holds the other. */
export function blocksOverlap(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false;
  const shorter = Math.min(a.prefix, b.prefix);
  return (a.network & mask(a.version, shorter)) === (b.network & mask(b.version, shorter));
}

/** Whether two CIDRs share an address; false when either does not parse. */
export function cidrsOverlap(aText: string, bText: string): boolean {
  const a = parseCidr(aText);
  const b = parseCidr(bText);
  return !!a && !!b && blocksOverlap(a, b);
}

/** Dotted netmask for IPv4, `ffff:ffff:ffff:ffff::` for IPv6 (what Nova puts in network_data.json). */
export function netmask(cidr: Cidr): string {
  return formatIP(cidr.version, mask(cidr.version, cidr.prefix));
}

/** Host addresses: without the network address, and without the broadcast address for IPv4. */
export function hostRange(cidr: Cidr): [bigint, bigint] {
  const last = lastAddress(cidr);
  if (cidr.prefix >= BITS[cidr.version] - 1) return [cidr.network, last]; // /31, /32, /127, /128
  return [cidr.network + 1n, cidr.version === 4 ? last - 1n : last];
}

/** The default gateway Neutron picks: the first host address. */
export function firstHost(cidr: Cidr): string {
  return formatIP(cidr.version, hostRange(cidr)[0]);
}

type Interval = [bigint, bigint];

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Interval[] = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    // Adjacent intervals merge too, so the result is the one maximal form.
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else {
      out.push([start, end]);
    }
  }
  return out;
}

/**
 * Kube-OVN excludeIps for one block: every host address outside the allocation pools, plus
 * the gateways — as maximal ranges (`a..b`, or `a` alone), sorted as Go's sort.Strings
 * sorts them. That is the form Kube-OVN's controller rewrites the field to
 * (checkAndFormatsExcludeIps), so it never rewrites ours and no two writers fight over it.
 */
export function excludedRanges(
  cidrText: string,
  pools: ReadonlyArray<{ start: string; end: string }>,
  gateways: readonly string[],
): string[] {
  const cidr = parseCidr(cidrText);
  if (!cidr) return [];
  const [low, high] = hostRange(cidr);
  const excluded: Interval[] = [];
  if (pools.length > 0) {
    const allowed = merge(
      pools.flatMap(({ start, end }) => {
        const s = parseIP(start);
        const e = parseIP(end);
        if (!s || !e || s.version !== cidr.version || e.version !== cidr.version) return [];
        const from = s.value > low ? s.value : low;
        const to = e.value < high ? e.value : high;
        return from <= to ? [[from, to] as Interval] : [];
      }),
    );
    let cursor = low;
    for (const [start, end] of allowed) {
      if (start > cursor) excluded.push([cursor, start - 1n]);
      cursor = end + 1n;
    }
    if (cursor <= high) excluded.push([cursor, high]);
  }
  for (const gateway of gateways) {
    const ip = parseIP(gateway);
    if (ip && ip.version === cidr.version) excluded.push([ip.value, ip.value]);
  }
  return merge(excluded)
    .map(([start, end]) =>
      start === end
        ? formatIP(cidr.version, start)
        : `${formatIP(cidr.version, start)}..${formatIP(cidr.version, end)}`,
    )
    .sort();
}
