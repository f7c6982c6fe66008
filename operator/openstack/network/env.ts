// What the Neutron handlers share, wired once per process: the round trips of Network and
// Subnet objects, with who sees what, and the lookup the views read names through.
import { Network, type NetworkObject } from '../../kinds/network.js';
import type { ProjectObject } from '../../kinds/project.js';
import { Subnet, type SubnetObject } from '../../kinds/subnet.js';
import type { ApiCache } from '../cache.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { CrObjects } from '../framework/objects.js';
import type { NeutronLookup } from './views.js';

export interface NeutronEnv {
  networks: CrObjects<typeof Network>;
  subnets: CrObjects<typeof Subnet>;
  lookup: NeutronLookup;
}

/**
 * A tenant sees its project's networks and, of the shared namespace (when RBAC lets it
 * read there), the shared and external ones.
 */
export const networkVisible = (n: NetworkObject, session: ScopedSession): boolean =>
  n.metadata.namespace === session.namespace || n.spec.shared || n.spec.external;

export function cacheLookup(cache: ApiCache): NeutronLookup {
  return {
    projectId: (namespace) => cache.get<ProjectObject>('projects', namespace)?.metadata.uid ?? namespace,
    subnetIds: (network) =>
      cache
        .list<SubnetObject>('subnets', network.metadata.namespace)
        .filter((s) => s.spec.network === network.metadata.name && !s.metadata.deletionTimestamp)
        .map((s) => s.metadata.uid!),
    networkId: (namespace, name) => cache.get<NetworkObject>('networks', name, namespace)?.metadata.uid,
  };
}

export function wireNeutron(deps: ApiDeps): NeutronEnv {
  const networks = new CrObjects(deps, {
    definition: Network,
    cache: 'networks',
    label: 'Network',
    access: { resource: 'networks', shared: true },
    visible: networkVisible,
  });
  // A subnet is seen with its network: reading one needs the right to read networks.
  const subnets = new CrObjects(deps, {
    definition: Subnet,
    cache: 'subnets',
    label: 'Subnet',
    access: { resource: 'networks', shared: true },
    visible: (s, session) => {
      const network = deps.cache.get<NetworkObject>('networks', s.spec.network, s.metadata.namespace);
      return !!network && !network.metadata.deletionTimestamp && networkVisible(network, session);
    },
  });
  return { networks, subnets, lookup: cacheLookup(deps.cache) };
}
