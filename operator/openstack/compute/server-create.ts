// A Nova create request as an Instance spec. Every id in the request is resolved among what
// the caller's project sees (its own objects and, for images and networks, the cloud's
// shared ones); one it cannot see is 400 "could not be found", as Nova answers. The Instance
// is then created as the caller (servers.ts), so RBAC, quota and admission decide.
import type { Instance } from '../../kinds/instance.js';
import type { SpecInput } from '../framework/objects.js';
import { badRequest, conflict } from '../errors.js';
import type { NovaContext } from './env.js';
import type { References } from './lookup.js';
import type { ServerCreateRequest } from './schemas.js';
import { keyPairName } from './views/keypairs.js';

type InstanceSpec = SpecInput<typeof Instance>;
type Nic = NonNullable<InstanceSpec['networks']>[number];
type NetworkEntry = Exclude<ServerCreateRequest['networks'], string | undefined>[number];

/** A reference from the caller's namespace: the name alone there, else name and namespace. */
const refFrom = (project: string, object: { metadata: { name?: string; namespace?: string } }) =>
  object.metadata.namespace === project
    ? { name: object.metadata.name! }
    : { name: object.metadata.name!, namespace: object.metadata.namespace! };

function resolveImage(refs: References, project: string, imageRef: string | undefined) {
  if (!imageRef)
    throw badRequest(
      'Invalid input for field/attribute imageRef: an image is required (boot from volume is not supported yet)',
    );
  const image = refs.image(imageRef, project);
  if (!image) throw badRequest(`Image ${imageRef} could not be found.`, 'ImageNotFound');
  return refFrom(project, image);
}

/** One requested NIC: a port of the project, or a network it sees (with a fixed IP). */
function resolveNic(refs: References, project: string, entry: NetworkEntry, index: number): Nic {
  if (entry.port) {
    const port = refs.port(entry.port, project);
    if (!port) throw badRequest(`Port ${entry.port} could not be found.`, 'PortNotFound');
    return { port: port.metadata.name! };
  }
  if (entry.uuid) {
    const network = refs.network(entry.uuid, project);
    if (!network) throw badRequest(`Network ${entry.uuid} could not be found.`, 'NetworkNotFound');
    return { network: refFrom(project, network), ...(entry.fixed_ip ? { fixedIPs: [entry.fixed_ip] } : {}) };
  }
  throw badRequest(`Invalid input for field/attribute networks[${index}]: give a uuid or a port`);
}

/** The NICs: as listed; none for "none"; for "auto" (or nothing) the project's one network. */
export function resolveNics(
  refs: References,
  project: string,
  networks: ServerCreateRequest['networks'],
): Nic[] {
  if (Array.isArray(networks)) return networks.map((entry, i) => resolveNic(refs, project, entry, i));
  if (networks === 'none') return [];
  const own = refs.projectNetworks(project);
  if (own.length > 1)
    throw conflict(
      'Multiple possible networks found, use a Network ID to be more specific.',
      'NetworkAmbiguous',
    );
  return own.length === 1 ? [{ network: { name: own[0]!.metadata.name! } }] : [];
}

/** Security groups by id, display name or object name, in the caller's project. */
export function resolveSecurityGroups(
  refs: References,
  project: { namespace: string; id: string },
  requested: ServerCreateRequest['security_groups'],
): string[] | undefined {
  if (!requested?.length) return undefined;
  const groups = refs.securityGroups(project.namespace);
  return requested.map(({ name }) => {
    const group =
      groups.find((g) => g.metadata.uid === name) ??
      groups.find((g) => (g.spec.displayName || g.metadata.name) === name) ??
      groups.find((g) => g.metadata.name === name);
    if (!group)
      throw badRequest(
        `Security group ${name} not found for project ${project.id}.`,
        'SecurityGroupNotFound',
      );
    return group.metadata.name!;
  });
}

/** Nova's config_drive: a boolean or a string such as "true"; absent means the default. */
const configDriveOf = (value: ServerCreateRequest['config_drive']) =>
  value === undefined ? undefined : value === true || /^(true|1|yes)$/i.test(String(value));

/** The Instance spec a create request asks for, every reference resolved. */
export async function instanceSpec(
  { env, session }: NovaContext,
  server: ServerCreateRequest,
): Promise<InstanceSpec> {
  const { refs } = env;
  const project = session.namespace;
  if (Number(server.max_count ?? server.min_count ?? 1) !== 1)
    throw badRequest('Invalid input for field/attribute max_count: only one server per request is supported');
  const flavor = refs.publicFlavors().find((f) => f.metadata.uid === server.flavorRef);
  if (!flavor) throw badRequest(`Flavor ${server.flavorRef} could not be found.`, 'FlavorNotFound');
  const image = resolveImage(refs, project, server.imageRef);
  let keyName: string | undefined;
  if (server.key_name) {
    const keyPair = (await env.keyPairs.list(session)).find((k) => keyPairName(k) === server.key_name);
    if (!keyPair) throw badRequest(`Invalid key_name provided: ${server.key_name}`, 'KeypairNotFound');
    keyName = keyPair.metadata.name!;
  }
  const networks = resolveNics(refs, project, server.networks);
  const securityGroups = resolveSecurityGroups(
    refs,
    { namespace: project, id: session.project.metadata.uid! },
    server.security_groups,
  );
  const configDrive = configDriveOf(server.config_drive);
  return {
    displayName: server.name,
    flavor: flavor.metadata.name!,
    image,
    ...(keyName ? { keyName } : {}),
    ...(server.user_data ? { userDataBase64: server.user_data } : {}),
    ...(server.metadata ? { metadata: server.metadata } : {}),
    ...(server.availability_zone ? { availabilityZone: server.availability_zone } : {}),
    ...(configDrive !== undefined ? { configDrive } : {}),
    networks,
    ...(securityGroups ? { securityGroups } : {}),
  };
}
