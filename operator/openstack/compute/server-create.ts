// POST /servers: a Nova create request becomes an Instance. Every id in the request is
// resolved among what the caller's project sees (its own objects and, for images and
// networks, the public namespace's); one it cannot see is 400 "could not be found", as Nova
// answers. The Instance is created as the caller, so RBAC, quota and the admission webhooks
// decide; the answer waits until the cache holds it, so the client's next read finds it.
import type { ImageObject } from '../../kinds/image.js';
import { Instance, type InstanceObject } from '../../kinds/instance.js';
import type { KindInput } from '../../kinds/kind.js';
import { API_VERSION } from '../../kinds/meta.js';
import type { NetworkObject } from '../../kinds/network.js';
import type { PortObject } from '../../kinds/port.js';
import type { SecurityGroupObject } from '../../kinds/securitygroup.js';
import { served } from '../cache.js';
import { createNamed, toDnsLabel } from '../common.js';
import { badRequest, conflict } from '../errors.js';
import { parseBody } from '../validation.js';
import type { Handler, NovaRequest } from './context.js';
import { visibleFlavors, visibleKeyPairs } from './lookup.js';
import { serverCreate, type ServerCreateRequest } from './schemas.js';
import { keyPairName } from './views/keypairs.js';
import { serverCreated } from './views/servers.js';

type InstanceSpec = KindInput<typeof Instance>['spec'];
type Nic = NonNullable<InstanceSpec['networks']>[number];

/** A reference from the caller's namespace: the name alone there, else name and namespace. */
const refFrom = (ns: string, object: { metadata: { name?: string; namespace?: string } }) =>
  object.metadata.namespace === ns
    ? { name: object.metadata.name! }
    : { name: object.metadata.name!, namespace: object.metadata.namespace! };

function resolveImage({ deps, session }: NovaRequest, imageRef: string | undefined): ImageObject {
  if (!imageRef)
    throw badRequest(
      'Invalid input for field/attribute imageRef: an image is required (boot from volume is not supported yet)',
    );
  const namespaces = [session.namespace, deps.config.STRATUS_PUBLIC_NAMESPACE];
  const image = deps.cache.byUid<ImageObject>('images', imageRef, namespaces);
  if (!image) throw badRequest(`Image ${imageRef} could not be found.`, 'ImageNotFound');
  return image;
}

function resolveKeyName({ deps, session }: NovaRequest, keyName: string | undefined) {
  if (!keyName) return undefined;
  const keyPair = visibleKeyPairs(deps, session).find((k) => keyPairName(k) === keyName);
  if (!keyPair) throw badRequest(`Invalid key_name provided: ${keyName}`, 'KeypairNotFound');
  return keyPair.metadata.name!;
}

/** One requested NIC: a port of the project, or a network it sees (with a fixed IP). */
function resolveNic(
  { deps, session }: NovaRequest,
  entry: Exclude<ServerCreateRequest['networks'], string | undefined>[number],
  index: number,
): Nic {
  const ns = session.namespace;
  if (entry.port) {
    const port = deps.cache.byUid<PortObject>('ports', entry.port, [ns]);
    if (!port) throw badRequest(`Port ${entry.port} could not be found.`, 'PortNotFound');
    return { port: port.metadata.name! };
  }
  if (entry.uuid) {
    const namespaces = [ns, deps.config.STRATUS_PUBLIC_NAMESPACE];
    const network = deps.cache.byUid<NetworkObject>('networks', entry.uuid, namespaces);
    if (!network) throw badRequest(`Network ${entry.uuid} could not be found.`, 'NetworkNotFound');
    return { network: refFrom(ns, network), ...(entry.fixed_ip ? { fixedIPs: [entry.fixed_ip] } : {}) };
  }
  throw badRequest(`Invalid input for field/attribute networks[${index}]: give a uuid or a port`);
}

/** The NICs: as listed; none for "none"; for "auto" (or nothing) the project's one network. */
function resolveNics(request: NovaRequest, networks: ServerCreateRequest['networks']): Nic[] {
  if (Array.isArray(networks)) return networks.map((entry, i) => resolveNic(request, entry, i));
  if (networks === 'none') return [];
  const { deps, session } = request;
  const own = deps.cache
    .list<NetworkObject>('networks', session.namespace)
    .filter((n) => !n.metadata.deletionTimestamp);
  if (own.length > 1)
    throw conflict(
      'Multiple possible networks found, use a Network ID to be more specific.',
      'NetworkAmbiguous',
    );
  return own.length === 1 ? [{ network: { name: own[0]!.metadata.name! } }] : [];
}

/** Security groups by id, display name or object name, in the caller's project. */
function resolveSecurityGroups(
  { deps, session }: NovaRequest,
  requested: ServerCreateRequest['security_groups'],
) {
  if (!requested?.length) return undefined;
  const groups = deps.cache.list<SecurityGroupObject>('securityGroups', session.namespace);
  return requested.map(({ name }) => {
    const group =
      groups.find((g) => g.metadata.uid === name) ??
      groups.find((g) => (g.spec.displayName || g.metadata.name) === name) ??
      groups.find((g) => g.metadata.name === name);
    if (!group)
      throw badRequest(
        `Security group ${name} not found for project ${session.project.metadata.uid}.`,
        'SecurityGroupNotFound',
      );
    return group.metadata.name!;
  });
}

/** Nova's config_drive: a boolean or a string such as "true"; absent means the default. */
const configDriveOf = (value: ServerCreateRequest['config_drive']) =>
  value === undefined ? undefined : value === true || /^(true|1|yes)$/i.test(String(value));

/** The Instance spec a create request asks for, every reference resolved. */
function instanceSpec(request: NovaRequest, server: ServerCreateRequest): InstanceSpec {
  const ns = request.session.namespace;
  const count = Number(server.max_count ?? server.min_count ?? 1);
  if (count !== 1)
    throw badRequest('Invalid input for field/attribute max_count: only one server per request is supported');
  const flavor = visibleFlavors(request.deps).find((f) => f.metadata.uid === server.flavorRef);
  if (!flavor) throw badRequest(`Flavor ${server.flavorRef} could not be found.`, 'FlavorNotFound');
  const image = resolveImage(request, server.imageRef);
  const keyName = resolveKeyName(request, server.key_name);
  const networks = resolveNics(request, server.networks);
  const securityGroups = resolveSecurityGroups(request, server.security_groups);
  const configDrive = configDriveOf(server.config_drive);
  return {
    displayName: server.name,
    flavor: flavor.metadata.name!,
    image: refFrom(ns, image),
    ...(keyName ? { keyName } : {}),
    ...(server.user_data ? { userDataBase64: server.user_data } : {}),
    ...(server.metadata ? { metadata: server.metadata } : {}),
    ...(server.availability_zone ? { availabilityZone: server.availability_zone } : {}),
    ...(configDrive !== undefined ? { configDrive } : {}),
    networks,
    ...(securityGroups ? { securityGroups } : {}),
  };
}

export const createServer: Handler = async (request) => {
  const { server } = parseBody(serverCreate, request.body);
  const object: KindInput<typeof Instance> = {
    apiVersion: API_VERSION,
    kind: Instance.kind,
    metadata: { namespace: request.session.namespace },
    spec: instanceSpec(request, server),
  };
  const created = await createNamed<InstanceObject>(
    request.client(),
    served.instances,
    object,
    toDnsLabel(server.name, 'server'),
  );
  await request.deps.cache.waitFor('instances', created);
  const body = serverCreated(created, request.base, server.security_groups);
  return { status: 202, headers: { Location: body.links[0]!.href }, body: { server: body } };
};
