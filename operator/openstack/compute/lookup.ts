// The views' lookup (views/lookup.ts) over the API's caches, and the visibility rules of
// the Nova resources that are not found by uid alone.
import type { FlavorObject } from '../../kinds/flavor.js';
import type { ImageObject } from '../../kinds/image.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { SecurityGroupObject } from '../../kinds/securitygroup.js';
import { creatorId } from '../common.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import type { ComputeLookup } from './views/lookup.js';
import { flavorName } from './views/flavors.js';
import { keyPairName } from './views/keypairs.js';

export function cacheLookup(deps: ApiDeps): ComputeLookup {
  const { cache } = deps;
  return {
    creatorId: (object) => creatorId(deps, object),
    flavor: (name) => cache.get<FlavorObject>('flavors', name),
    image: (name, namespace) => cache.get<ImageObject>('images', name, namespace),
    network: (name, namespace) => cache.get<NetworkObject>('networks', name, namespace),
    keyPair: (name, namespace) => cache.get<KeyPairObject>('keyPairs', name, namespace),
    securityGroup: (name, namespace) => cache.get<SecurityGroupObject>('securityGroups', name, namespace),
  };
}

/** Flavors every project sees: the public ones, smallest first. */
export function visibleFlavors(deps: ApiDeps): FlavorObject[] {
  return deps.cache
    .list<FlavorObject>('flavors')
    .filter((f) => f.spec.isPublic && !f.metadata.deletionTimestamp)
    .sort((a, b) => a.spec.ramMiB - b.spec.ramMiB || flavorName(a).localeCompare(flavorName(b)));
}

/** Key pairs the caller sees: their own and those belonging to no user. */
export function visibleKeyPairs(deps: ApiDeps, session: ScopedSession): KeyPairObject[] {
  return deps.cache
    .list<KeyPairObject>('keyPairs', session.namespace)
    .filter((k) => !k.metadata.deletionTimestamp && (!k.spec.user || k.spec.user === session.userName))
    .sort((a, b) => keyPairName(a).localeCompare(keyPairName(b)));
}
