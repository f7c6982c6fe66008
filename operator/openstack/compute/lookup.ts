// The API's caches seen through what the Nova handlers and views need: the views' lookup
// (views/lookup.ts), and the references a request may name by OpenStack id.
import type { FlavorObject } from '../../kinds/flavor.js';
import type { ImageObject } from '../../kinds/image.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { PortObject } from '../../kinds/port.js';
import type { SecurityGroupObject } from '../../kinds/securitygroup.js';
import type { ApiCache } from '../cache.js';
import { creatorId } from '../common.js';
import type { ComputeLookup } from './views/lookup.js';
import { flavorName } from './views/flavors.js';
import { Flavor, Image, KeyPair, Network, Port, SecurityGroup } from '../../kinds/index.js';

export function cacheLookup(cache: ApiCache): ComputeLookup {
  return {
    creatorId: (object) => creatorId({ cache }, object),
    flavor: (name) => cache.get(Flavor, name),
    image: (name, namespace) => cache.get(Image, name, namespace),
    network: (name, namespace) => cache.get(Network, name, namespace),
    keyPair: (name, namespace) => cache.get(KeyPair, name, namespace),
    securityGroup: (name, namespace) => cache.get(SecurityGroup, name, namespace),
  };
}

/**
 * What a request may name by id. `project` is the caller's namespace: images and networks
 * are found there or among the cloud's shared ones, ports and security groups there only.
 */
export interface References {
  /** The flavors every project sees: the public ones, smallest first. */
  publicFlavors: () => FlavorObject[];
  /** Any flavor by id (a server list filter may name one that is no longer public). */
  flavorById: (id: string) => FlavorObject | undefined;
  image: (id: string, project: string) => ImageObject | undefined;
  network: (id: string, project: string) => NetworkObject | undefined;
  port: (id: string, project: string) => PortObject | undefined;
  /** The project's networks, for Nova's networks "auto". */
  projectNetworks: (project: string) => NetworkObject[];
  securityGroups: (project: string) => SecurityGroupObject[];
}

export function cacheReferences(cache: ApiCache, publicNamespace: string): References {
  const live = <T extends { metadata: { deletionTimestamp?: Date } }>(o: T) => !o.metadata.deletionTimestamp;
  return {
    publicFlavors: () =>
      cache
        .list(Flavor)
        .filter((f) => f.spec.isPublic && live(f))
        .sort((a, b) => a.spec.ramMiB - b.spec.ramMiB || flavorName(a).localeCompare(flavorName(b))),
    flavorById: (id) => cache.byUid(Flavor, id),
    image: (id, project) => cache.byUid(Image, id, [project, publicNamespace]),
    network: (id, project) => cache.byUid(Network, id, [project, publicNamespace]),
    port: (id, project) => cache.byUid(Port, id, [project]),
    projectNetworks: (project) => cache.list(Network, project).filter(live),
    securityGroups: (project) => cache.list(SecurityGroup, project),
  };
}
