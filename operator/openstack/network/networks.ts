// Neutron networks: Network objects. Tenant networks are created in the project's
// namespace; shared and external ones live in the shared namespace (admins create them
// with kubectl) and are listed to everyone RBAC lets read there.
import type { Network } from '../../kinds/network.js';
import { toDnsLabel } from '../common.js';
import type { SpecInput, SpecPatch } from '../framework/objects.js';
import { checkProject, crudRoutes } from './crud.js';
import { networkCreate, networkUpdate, type NetworkCreate, type NetworkUpdate } from './schemas.js';
import { networkView } from './views.js';

/** A defined value as `{ [key]: value }`, else nothing: specs carry no undefined fields. */
const given = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function providerOf(body: NetworkCreate): SpecInput<typeof Network>['provider'] {
  const networkType = body['provider:network_type'];
  if (!networkType) return undefined;
  return {
    networkType,
    ...(body['provider:physical_network'] ? { physicalNetwork: body['provider:physical_network'] } : {}),
    ...(body['provider:segmentation_id'] ? { segmentationId: body['provider:segmentation_id'] } : {}),
  };
}

export function networkSpec(body: NetworkCreate): SpecInput<typeof Network> {
  return {
    ...given('displayName', body.name),
    ...(body.description ? { description: body.description } : {}),
    ...given('adminStateUp', body.admin_state_up),
    ...given('shared', body.shared),
    ...given('external', body['router:external']),
    ...given('mtu', body.mtu),
    ...given('portSecurityEnabled', body.port_security_enabled),
    ...given('tags', body.tags),
    ...given('provider', providerOf(body)),
  };
}

export function networkPatch(body: NetworkUpdate): SpecPatch<typeof Network> {
  return {
    ...given('displayName', body.name),
    ...given('description', body.description),
    ...given('adminStateUp', body.admin_state_up),
    ...given('shared', body.shared),
    ...given('mtu', body.mtu),
    ...given('portSecurityEnabled', body.port_security_enabled),
  };
}

export const networkRoutes = crudRoutes({
  singular: 'network',
  collection: 'networks',
  objects: (env) => env.networks,
  view: networkView,
  create: {
    schema: networkCreate,
    spec: (_env, session, { network }) => {
      checkProject(session, network);
      return { spec: networkSpec(network), name: toDnsLabel(network.name, 'network') };
    },
  },
  update: { schema: networkUpdate, spec: ({ network }) => networkPatch(network) },
});
