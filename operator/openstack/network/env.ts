// What the Neutron handlers share, wired once per process: the round trips of Network and
// Subnet objects, with who sees what, and the lookup the views read names through.
import { Network, type NetworkObject } from '../../kinds/network.js';
import { Subnet } from '../../kinds/subnet.js';
import type { ApiCache } from '../cache.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { CrObjects } from '../framework/objects.js';
import type { NeutronLookup } from './views.js';
import { Project } from '../../kinds/index.js';

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
    projectId: (namespace) => cache.get(Project, namespace)?.metadata.uid ?? namespace,
    subnetIds: (network) =>
      cache
        .list(Subnet, network.metadata.namespace)
        .filter((s) => s.spec.network === network.metadata.name && !s.metadata.deletionTimestamp)
        .map((s) => s.metadata.uid!),
    networkId: (namespace, name) => cache.get(Network, name, namespace)?.metadata.uid,
  };
}

export function wireNeutron(deps: ApiDeps): NeutronEnv {
  const networks = new CrObjects(deps, {
    definition: Network,
    label: 'Network',
    access: { resource: 'networks', shared: true },
    visible: networkVisible,
  });
  // A subnet is seen with its network: reading one needs the right to read networks.
  const subnets = new CrObjects(deps, {
    definition: Subnet,
    label: 'Subnet',
    access: { resource: 'networks', shared: true },
    visible: (s, session) => {
      const network = deps.cache.get(Network, s.spec.network, s.metadata.namespace);
      return !!network && !network.metadata.deletionTimestamp && networkVisible(network, session);
    },
  });
  return { networks, subnets, lookup: cacheLookup(deps.cache) };
}
