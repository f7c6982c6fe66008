// The filters of GET /servers and /servers/detail, in Nova's terms: `name` and `ip` are
// regular expressions (as Nova's are), `status` a server status, `flavor` and `image` ids,
// `changes-since` a timestamp. Applied in this order; a malformed one is 400.
import type { InstanceObject } from '../../kinds/instance.js';
import type { FlavorObject } from '../../kinds/flavor.js';
import { updatedAt } from '../common.js';
import { queryText } from '../framework/listing.js';
import { badRequest } from '../errors.js';
import type { ComputeLookup } from './views/lookup.js';
import { serverState } from './views/servers.js';

export interface ServerFilterLookup extends Pick<ComputeLookup, 'image'> {
  /** A flavor by its id (uid). */
  flavorById: (id: string) => FlavorObject | undefined;
}

type Filter = (value: string, lookup: ServerFilterLookup) => (s: InstanceObject) => boolean;

function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw badRequest(`Invalid input for field/attribute ${pattern}: not a regular expression`);
  }
}

const filters: Record<string, Filter> = {
  name: (value) => {
    const re = regex(value);
    return (s) => re.test(s.spec.displayName ?? s.metadata.name!);
  },
  status: (value) => (s) => serverState(s) === value.toUpperCase(),
  flavor: (value, lookup) => {
    const flavorName = lookup.flavorById(value)?.metadata.name ?? value;
    return (s) => s.spec.flavor === flavorName;
  },
  image: (value, lookup) => (s) =>
    !!s.spec.image &&
    lookup.image(s.spec.image.name, s.spec.image.namespace ?? s.metadata.namespace!)?.metadata.uid === value,
  ip: (value) => {
    const re = regex(value);
    return (s) => (s.status?.addresses ?? []).some((a) => a.version === 4 && re.test(a.address));
  },
  'changes-since': (value) => {
    const since = Date.parse(value);
    if (!Number.isFinite(since))
      throw badRequest('Invalid input for field/attribute changes-since: not a timestamp');
    return (s) => Date.parse(updatedAt(s) ?? '') >= since;
  },
};

/** Servers newest first (then by name), as Nova lists them by default. */
export const newestFirst = (a: InstanceObject, b: InstanceObject): number =>
  (b.metadata.creationTimestamp ?? '')
    .toString()
    .localeCompare((a.metadata.creationTimestamp ?? '').toString()) ||
  a.metadata.name!.localeCompare(b.metadata.name!);

/** The servers the query's filters keep; unknown query parameters are ignored, as by Nova. */
export function filterServers(
  servers: readonly InstanceObject[],
  query: Record<string, unknown>,
  lookup: ServerFilterLookup,
): InstanceObject[] {
  let kept = [...servers];
  for (const [key, filter] of Object.entries(filters)) {
    const value = queryText(query[key]);
    if (value) kept = kept.filter(filter(value, lookup));
  }
  return kept;
}
