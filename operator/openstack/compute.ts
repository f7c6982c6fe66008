// Nova v2.1: flavors, keypairs, servers (CRUD and the start/stop/reboot actions) and limits,
// over Flavor, KeyPair, Instance and Project objects. Only microversion 2.1 is implemented,
// so only 2.1 is advertised; a request for a later one gets 406, as from a Nova that
// predates it.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { FlavorObject } from '../kinds/flavor.js';
import type { ImageObject } from '../kinds/image.js';
import type { InstanceObject } from '../kinds/instance.js';
import type { KeyPairObject } from '../kinds/keypair.js';
import type { NetworkObject } from '../kinds/network.js';
import type { PortObject } from '../kinds/port.js';
import type { SecurityGroupObject } from '../kinds/securitygroup.js';
import { KEYPAIR_NAME } from '../kinds/keypair.js';
import { served } from './cache.js';
import {
  authorize,
  createNamed,
  creatorId,
  isoSeconds,
  page,
  queryText,
  toDnsLabel,
  updatedAt,
} from './common.js';
import { baseUrl, scopedSessionOf, type ApiDeps, type ScopedSession } from './context.js';
import { ApiFault, badRequest, conflict, notFound } from './errors.js';
import { requireAuth } from './framework/auth.js';
import { parseBody } from './validation.js';
import { kube, type SecretObject } from '../kinds/external.js';

export const MIN_MICROVERSION = '2.1';
export const MAX_MICROVERSION = '2.1';

// ---- Versions --------------------------------------------------------------------------

export function computeVersion(base: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: MAX_MICROVERSION,
    min_version: MIN_MICROVERSION,
    updated: '2013-07-23T11:33:21Z',
    links: [
      { rel: 'self', href: `${base}/compute/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

const parseVersion = (text: string): [number, number] | undefined => {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
};

const compareVersions = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

/**
 * The microversion a request asks for: `OpenStack-API-Version: compute X.Y` or the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`, `latest` meaning the newest; 2.1 when absent.
 * Throws 400 for a malformed one, 406 for one outside what we implement.
 */
export function requestedMicroversion(headers: {
  openstack?: string | undefined;
  legacy?: string | undefined;
}): string {
  let asked: string | undefined;
  for (const part of (headers.openstack ?? '').split(',')) {
    const [service, version] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === 'compute' && version) asked = version;
  }
  asked ??= headers.legacy?.trim() || undefined;
  if (!asked) return MIN_MICROVERSION;
  if (asked.toLowerCase() === 'latest') return MAX_MICROVERSION;
  const version = parseVersion(asked);
  if (!version) throw badRequest(`API version string ${asked} format is not valid; use X.Y, e.g. 2.1.`);
  if (
    compareVersions(version, parseVersion(MIN_MICROVERSION)!) < 0 ||
    compareVersions(version, parseVersion(MAX_MICROVERSION)!) > 0
  ) {
    throw new ApiFault(
      406,
      `Version ${asked} is not supported by the API. Minimum is ${MIN_MICROVERSION} and maximum is ${MAX_MICROVERSION}.`,
    );
  }
  return `${version[0]}.${version[1]}`;
}

// ---- Views -----------------------------------------------------------------------------

const link = (base: string, kind: string, id: string) => [
  { rel: 'self', href: `${base}/compute/v2.1/${kind}/${id}` },
  { rel: 'bookmark', href: `${base}/compute/${kind}/${id}` },
];

export const flavorName = (f: FlavorObject): string => f.spec.displayName || f.metadata.name!;

export function flavorView(f: FlavorObject, base: string, detail: boolean) {
  const id = f.metadata.uid!;
  const summary = { id, name: flavorName(f), links: link(base, 'flavors', id) };
  if (!detail) return summary;
  return {
    ...summary,
    ram: f.spec.ramMiB,
    disk: f.spec.diskGiB,
    vcpus: f.spec.vcpus,
    swap: f.spec.swapMiB || '',
    'OS-FLV-EXT-DATA:ephemeral': f.spec.ephemeralGiB,
    'OS-FLV-DISABLED:disabled': false,
    rxtx_factor: 1.0,
    'os-flavor-access:is_public': f.spec.isPublic,
  };
}

export const keyPairName = (k: KeyPairObject): string => k.spec.displayName ?? k.metadata.name!;

function keyPairView(deps: ApiDeps, k: KeyPairObject, detail: boolean) {
  const summary = {
    name: keyPairName(k),
    public_key: k.status?.publicKey ?? k.spec.publicKey ?? '',
    fingerprint: k.status?.fingerprint ?? '',
  };
  if (!detail) return summary;
  return {
    ...summary,
    user_id: creatorId(deps, k),
    created_at: isoSeconds(k.metadata.creationTimestamp),
    updated_at: null,
    deleted: false,
    deleted_at: null,
    // Nova's integer row id; ours is the uid, which clients do not parse.
    id: k.metadata.uid,
  };
}

const VM_STATES: Record<string, string> = {
  BUILD: 'building',
  ACTIVE: 'active',
  SHUTOFF: 'stopped',
  REBOOT: 'active',
  HARD_REBOOT: 'active',
  MIGRATING: 'active',
  ERROR: 'error',
  DELETED: 'deleted',
  UNKNOWN: 'error',
};

const POWER_STATES: Record<string, number> = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
};

/** Nova's timestamps without zone in launched_at (`2013-09-23T13:53:12.000000`). */
const usageTime = (time: string | undefined) =>
  time ? new Date(time).toISOString().replace('Z', '000') : null;

export function serverView(
  deps: ApiDeps,
  session: ScopedSession,
  inst: InstanceObject,
  base: string,
  detail: boolean,
) {
  const id = inst.metadata.uid!;
  const summary = {
    id,
    name: inst.spec.displayName ?? inst.metadata.name!,
    links: link(base, 'servers', id),
  };
  if (!detail) return summary;
  const ns = inst.metadata.namespace!;
  const state = inst.status?.state ?? 'BUILD';
  const deleting = !!inst.metadata.deletionTimestamp;

  const addresses: Record<string, unknown[]> = {};
  for (const a of inst.status?.addresses ?? []) {
    const network = deps.cache.get<NetworkObject>('networks', a.network.name, a.network.namespace ?? ns);
    const label = network?.spec.displayName || a.network.name;
    (addresses[label] ??= []).push({
      version: a.version,
      addr: a.address,
      'OS-EXT-IPS:type': a.type,
      ...(a.macAddress ? { 'OS-EXT-IPS-MAC:mac_addr': a.macAddress.toLowerCase() } : {}),
    });
  }
  let image: unknown = '';
  if (inst.spec.image) {
    const object = deps.cache.get<ImageObject>(
      'images',
      inst.spec.image.name,
      inst.spec.image.namespace ?? ns,
    );
    const imageId = object?.metadata.uid ?? inst.spec.image.name;
    image = { id: imageId, links: [{ rel: 'bookmark', href: `${base}/compute/images/${imageId}` }] };
  }
  const flavor = deps.cache.get<FlavorObject>('flavors', inst.spec.flavor);
  const flavorId = flavor?.metadata.uid ?? inst.spec.flavor;
  const keyPair = inst.spec.keyName
    ? deps.cache.get<KeyPairObject>('keyPairs', inst.spec.keyName, ns)
    : undefined;
  const groups = (inst.spec.securityGroups ?? ['default']).map((name) => {
    const group = deps.cache.get<SecurityGroupObject>('securityGroups', name, ns);
    return { name: group?.spec.displayName || name };
  });
  const fault = inst.status?.fault;
  return {
    ...summary,
    status: state,
    tenant_id: session.project.metadata.uid,
    user_id: creatorId(deps, inst),
    metadata: inst.spec.metadata ?? {},
    hostId: '',
    image,
    flavor: { id: flavorId, links: [{ rel: 'bookmark', href: `${base}/compute/flavors/${flavorId}` }] },
    created: isoSeconds(inst.metadata.creationTimestamp),
    updated: updatedAt(inst),
    addresses,
    accessIPv4: '',
    accessIPv6: '',
    progress: inst.status?.progress ?? (state === 'ACTIVE' ? 100 : 0),
    key_name: keyPair ? keyPairName(keyPair) : (inst.spec.keyName ?? null),
    config_drive: inst.spec.configDrive ? 'True' : '',
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': inst.spec.availabilityZone ?? 'nova',
    'OS-EXT-STS:task_state': deleting ? 'deleting' : (inst.status?.taskState ?? null),
    'OS-EXT-STS:vm_state': VM_STATES[state] ?? 'error',
    'OS-EXT-STS:power_state': POWER_STATES[inst.status?.powerState ?? 'NOSTATE'] ?? 0,
    'OS-SRV-USG:launched_at': usageTime(inst.status?.launchedAt),
    'OS-SRV-USG:terminated_at': usageTime(inst.status?.terminatedAt),
    // Volumes are not served yet (no Cinder): their names stand in for ids.
    'os-extended-volumes:volumes_attached': (inst.status?.volumesAttached ?? []).map((v) => ({
      id: v.volume,
    })),
    security_groups: groups,
    ...(fault && state === 'ERROR'
      ? { fault: { code: fault.code, message: fault.message, created: isoSeconds(fault.createdAt) } }
      : {}),
  };
}

// ---- Request bodies --------------------------------------------------------------------

const keyPairCreate = z.strictObject({
  keypair: z.strictObject({
    name: z
      .string()
      .min(1)
      .max(255)
      .regex(KEYPAIR_NAME, "may only hold letters, digits, spaces, '@', '.', '_' and '-'"),
    public_key: z.string().min(1).max(16_384).optional(),
    type: z.enum(['ssh', 'x509']).optional(),
  }),
});

const networkEntry = z.strictObject({
  uuid: z.string().min(1).max(255).optional(),
  port: z.string().min(1).max(255).optional(),
  fixed_ip: z.string().min(1).max(45).optional(),
  tag: z.string().optional(),
});

const serverCreate = z.strictObject({
  server: z.strictObject({
    name: z.string().min(1).max(255),
    imageRef: z.string().max(255).optional(),
    flavorRef: z.union([z.string().min(1).max(255), z.number()]).transform(String),
    key_name: z.string().min(1).max(255).optional(),
    networks: z.union([z.array(networkEntry).max(16), z.enum(['auto', 'none'])]).optional(),
    security_groups: z
      .array(z.strictObject({ name: z.string().min(1).max(255) }))
      .max(16)
      .optional(),
    user_data: z
      .string()
      .max(65_535)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
      .optional(),
    metadata: z.record(z.string().min(1).max(255), z.string().max(255)).optional(),
    availability_zone: z.string().min(1).max(255).optional(),
    config_drive: z.union([z.boolean(), z.string()]).optional(),
    min_count: z.union([z.int(), z.string()]).optional(),
    max_count: z.union([z.int(), z.string()]).optional(),
    return_reservation_id: z.boolean().optional(),
    adminPass: z.string().optional(),
    accessIPv4: z.string().optional(),
    accessIPv6: z.string().optional(),
    personality: z.array(z.unknown()).max(0, 'file injection (personality) is not supported').optional(),
    'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
    block_device_mapping_v2: z
      .array(z.unknown())
      .max(0, 'block device mapping is not supported yet; boot from an image')
      .optional(),
    block_device_mapping: z
      .array(z.unknown())
      .max(0, 'block device mapping is not supported yet; boot from an image')
      .optional(),
  }),
  'os:scheduler_hints': z.record(z.string(), z.unknown()).optional(),
  'OS-SCH-HNT:scheduler_hints': z.record(z.string(), z.unknown()).optional(),
});

const serverUpdate = z.strictObject({
  server: z.strictObject({
    name: z.string().min(1).max(255).optional(),
    accessIPv4: z.string().optional(),
    accessIPv6: z.string().optional(),
    'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
  }),
});

const serverAction = z.union([
  z.strictObject({ 'os-start': z.null() }),
  z.strictObject({ 'os-stop': z.null() }),
  z.strictObject({ reboot: z.strictObject({ type: z.enum(['SOFT', 'HARD', 'soft', 'hard']) }) }),
]);

// ---- Lookups ---------------------------------------------------------------------------

function visibleFlavors(deps: ApiDeps): FlavorObject[] {
  return deps.cache
    .list<FlavorObject>('flavors')
    .filter((f) => f.spec.isPublic && !f.metadata.deletionTimestamp)
    .sort((a, b) => a.spec.ramMiB - b.spec.ramMiB || flavorName(a).localeCompare(flavorName(b)));
}

function findServer(deps: ApiDeps, session: ScopedSession, id: string): InstanceObject {
  const inst = deps.cache.byUid<InstanceObject>('instances', id, [session.namespace]);
  if (!inst) throw notFound(`Instance ${id} could not be found.`, 'InstanceNotFound');
  return inst;
}

/** Key pairs the caller sees: their own and those belonging to no user. */
function visibleKeyPairs(deps: ApiDeps, session: ScopedSession): KeyPairObject[] {
  return deps.cache
    .list<KeyPairObject>('keyPairs', session.namespace)
    .filter((k) => !k.metadata.deletionTimestamp && (!k.spec.user || k.spec.user === session.userName))
    .sort((a, b) => keyPairName(a).localeCompare(keyPairName(b)));
}

function findKeyPair(deps: ApiDeps, session: ScopedSession, name: string): KeyPairObject {
  const found = visibleKeyPairs(deps, session).find((k) => keyPairName(k) === name);
  if (!found)
    throw notFound(`Keypair ${name} not found for user ${session.user.metadata.uid}`, 'KeypairNotFound');
  return found;
}

// ---- Routes ----------------------------------------------------------------------------

export function computeRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const auth = requireAuth(deps);

  router.get('/', (req, res) => void res.json({ versions: [computeVersion(baseUrl(deps, req))] }));
  router.get(
    ['/v2.1', '/v2.1/'],
    (req, res) => void res.json({ version: computeVersion(baseUrl(deps, req)) }),
  );

  const v21 = express.Router();
  router.use('/v2.1', (req, res, next) => {
    const version = requestedMicroversion({
      openstack: req.get('openstack-api-version'),
      legacy: req.get('x-openstack-nova-api-version'),
    });
    res.set({
      'OpenStack-API-Version': `compute ${version}`,
      'X-OpenStack-Nova-API-Version': version,
      Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    });
    next();
  });
  router.use('/v2.1', auth, v21);

  // -- flavors
  const listFlavors = (detail: boolean) => async (req: Request, res: Response) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'flavors' });
    const base = baseUrl(deps, req);
    let flavors = visibleFlavors(deps);
    const minRam = Number(req.query.minRam ?? 0);
    const minDisk = Number(req.query.minDisk ?? 0);
    if (minRam) flavors = flavors.filter((f) => f.spec.ramMiB >= minRam);
    if (minDisk) flavors = flavors.filter((f) => f.spec.diskGiB >= minDisk);
    const paged = page(flavors, (f) => f.metadata.uid!, req.query.marker, req.query.limit);
    if (paged.markerMissing) throw badRequest(`marker [${queryText(req.query.marker)}] not found`);
    res.json({
      flavors: paged.items.map((f) => flavorView(f, base, detail)),
      ...(paged.more
        ? {
            flavors_links: [
              {
                rel: 'next',
                href: `${base}/compute/v2.1/flavors${detail ? '/detail' : ''}?marker=${paged.items.at(-1)!.metadata.uid}`,
              },
            ],
          }
        : {}),
    });
  };
  v21.get('/flavors', listFlavors(false));
  v21.get('/flavors/detail', listFlavors(true));
  v21.get('/flavors/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'flavors' });
    const flavor = visibleFlavors(deps).find((f) => f.metadata.uid === req.params.id);
    if (!flavor) throw notFound(`Flavor ${req.params.id} could not be found.`, 'FlavorNotFound');
    res.json({ flavor: flavorView(flavor, baseUrl(deps, req), true) });
  });
  v21.get('/flavors/:id/os-extra_specs', async (req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'flavors' });
    const flavor = visibleFlavors(deps).find((f) => f.metadata.uid === req.params.id);
    if (!flavor) throw notFound(`Flavor ${req.params.id} could not be found.`, 'FlavorNotFound');
    res.json({ extra_specs: flavor.spec.extraSpecs ?? {} });
  });

  // -- keypairs
  v21.get('/os-keypairs', async (_req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'keypairs', namespace: session.namespace });
    res.json({
      keypairs: visibleKeyPairs(deps, session).map((k) => ({ keypair: keyPairView(deps, k, false) })),
    });
  });
  v21.get('/os-keypairs/:name', async (req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'keypairs', namespace: session.namespace });
    res.json({ keypair: keyPairView(deps, findKeyPair(deps, session, String(req.params.name)), true) });
  });
  v21.post('/os-keypairs', async (req, res) => {
    const session = scopedSessionOf(res);
    const { keypair } = parseBody(keyPairCreate, req.body);
    const client = deps.impersonation.client(session.userName);
    if (visibleKeyPairs(deps, session).some((k) => keyPairName(k) === keypair.name)) {
      throw conflict(`Key pair '${keypair.name}' already exists.`, 'KeyPairExists');
    }
    const created = await createNamed<KeyPairObject>(
      client,
      served.keyPairs,
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'KeyPair',
        metadata: { namespace: session.namespace },
        spec: {
          displayName: keypair.name,
          type: keypair.type ?? 'ssh',
          user: session.userName,
          ...(keypair.public_key ? { publicKey: keypair.public_key.trim() } : {}),
        },
      } as KeyPairObject,
      toDnsLabel(keypair.name, 'keypair'),
    );
    // The operator fingerprints (and for a generated pair, makes the key); Nova answers with
    // the result, so wait for it.
    const ready = await deps.cache.until<KeyPairObject>(
      'keyPairs',
      created,
      (k) =>
        !!k &&
        k.metadata.uid === created.metadata.uid &&
        !!k.status?.fingerprint &&
        (!!keypair.public_key || !!k.status.privateKeySecret),
      30_000,
    );
    if (!ready) {
      await client.delete(served.keyPairs, created.metadata.name!, session.namespace).catch(() => undefined);
      throw new ApiFault(503, 'The key pair was not processed in time; is the operator running? Try again.');
    }
    const view: Record<string, unknown> = {
      ...keyPairView(deps, ready, false),
      user_id: session.user.metadata.uid,
    };
    if (!keypair.public_key && ready.status?.privateKeySecret) {
      // The one-shot Secret: read it once with our own identity (tenants cannot read
      // Secrets), hand the key out, delete it. Only the creator ever gets here.
      const secretName = ready.status.privateKeySecret;
      const secret = await deps.client.get<SecretObject>(kube.secrets, secretName, session.namespace);
      const privateKey = secret?.data?.privateKey;
      if (!privateKey)
        throw new ApiFault(
          503,
          'The generated private key is gone; delete the key pair and create it again.',
        );
      view.private_key = Buffer.from(privateKey, 'base64').toString('utf8');
      await deps.client.delete(kube.secrets, secretName, session.namespace, { uid: secret.metadata?.uid });
    }
    res.status(200).json({ keypair: view });
  });
  v21.delete('/os-keypairs/:name', async (req, res) => {
    const session = scopedSessionOf(res);
    const keyPair = findKeyPair(deps, session, String(req.params.name));
    await deps.impersonation
      .client(session.userName)
      .delete(served.keyPairs, keyPair.metadata.name!, session.namespace);
    await deps.cache.waitFor('keyPairs', keyPair, { gone: true });
    res.status(202).end();
  });

  // -- servers
  const listServers = (detail: boolean) => async (req: Request, res: Response) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'instances', namespace: session.namespace });
    const base = baseUrl(deps, req);
    const q = req.query;
    let servers = deps.cache
      .list<InstanceObject>('instances', session.namespace)
      .sort(
        (a, b) =>
          (b.metadata.creationTimestamp ?? '')
            .toString()
            .localeCompare((a.metadata.creationTimestamp ?? '').toString()) ||
          a.metadata.name!.localeCompare(b.metadata.name!),
      );
    const text = (key: string) => queryText(q[key]) || undefined;
    const regex = (pattern: string) => {
      try {
        return new RegExp(pattern);
      } catch {
        throw badRequest(`Invalid input for field/attribute ${pattern}: not a regular expression`);
      }
    };
    if (text('name')) {
      const re = regex(text('name')!);
      servers = servers.filter((s) => re.test(s.spec.displayName ?? s.metadata.name!));
    }
    if (text('status'))
      servers = servers.filter((s) => (s.status?.state ?? 'BUILD') === text('status')!.toUpperCase());
    if (text('flavor')) {
      const flavor = deps.cache.byUid<FlavorObject>('flavors', text('flavor')!);
      servers = servers.filter((s) => s.spec.flavor === (flavor?.metadata.name ?? text('flavor')));
    }
    if (text('image')) {
      servers = servers.filter((s) => {
        if (!s.spec.image) return false;
        const image = deps.cache.get<ImageObject>(
          'images',
          s.spec.image.name,
          s.spec.image.namespace ?? session.namespace,
        );
        return image?.metadata.uid === text('image');
      });
    }
    if (text('ip')) {
      const re = regex(text('ip')!);
      servers = servers.filter((s) =>
        (s.status?.addresses ?? []).some((a) => a.version === 4 && re.test(a.address)),
      );
    }
    if (text('changes-since')) {
      const since = Date.parse(text('changes-since')!);
      if (!Number.isFinite(since))
        throw badRequest('Invalid input for field/attribute changes-since: not a timestamp');
      servers = servers.filter((s) => Date.parse(updatedAt(s) ?? '') >= since);
    }
    const paged = page(servers, (s) => s.metadata.uid!, q.marker, q.limit);
    if (paged.markerMissing) throw badRequest(`marker [${queryText(q.marker)}] not found`);
    res.json({
      servers: paged.items.map((s) => serverView(deps, session, s, base, detail)),
      ...(paged.more
        ? {
            servers_links: [
              {
                rel: 'next',
                href: `${base}/compute/v2.1/servers${detail ? '/detail' : ''}?limit=${queryText(q.limit)}&marker=${paged.items.at(-1)!.metadata.uid}`,
              },
            ],
          }
        : {}),
    });
  };
  v21.get('/servers', listServers(false));
  v21.get('/servers/detail', listServers(true));

  v21.get('/servers/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'get', resource: 'instances', namespace: session.namespace });
    const inst = findServer(deps, session, String(req.params.id));
    res.json({ server: serverView(deps, session, inst, baseUrl(deps, req), true) });
  });

  v21.post('/servers', async (req, res) => {
    const session = scopedSessionOf(res);
    const { server } = parseBody(serverCreate, req.body);
    const ns = session.namespace;
    const publicNs = deps.config.STRATUS_PUBLIC_NAMESPACE;
    const count = Number(server.max_count ?? server.min_count ?? 1);
    if (count !== 1)
      throw badRequest(
        'Invalid input for field/attribute max_count: only one server per request is supported',
      );

    const flavor = visibleFlavors(deps).find((f) => f.metadata.uid === server.flavorRef);
    if (!flavor) throw badRequest(`Flavor ${server.flavorRef} could not be found.`, 'FlavorNotFound');
    if (!server.imageRef)
      throw badRequest(
        'Invalid input for field/attribute imageRef: an image is required (boot from volume is not supported yet)',
      );
    const image = deps.cache.byUid<ImageObject>('images', server.imageRef, [ns, publicNs]);
    if (!image) throw badRequest(`Image ${server.imageRef} could not be found.`, 'ImageNotFound');
    let keyName: string | undefined;
    if (server.key_name) {
      const keyPair = visibleKeyPairs(deps, session).find((k) => keyPairName(k) === server.key_name);
      if (!keyPair) throw badRequest(`Invalid key_name provided: ${server.key_name}`, 'KeypairNotFound');
      keyName = keyPair.metadata.name!;
    }
    const networks: Array<Record<string, unknown>> = [];
    if (Array.isArray(server.networks)) {
      for (const [i, entry] of server.networks.entries()) {
        if (entry.port) {
          const port = deps.cache.byUid<PortObject>('ports', entry.port, [ns]);
          if (!port) throw badRequest(`Port ${entry.port} could not be found.`, 'PortNotFound');
          networks.push({ port: port.metadata.name });
        } else if (entry.uuid) {
          const network = deps.cache.byUid<NetworkObject>('networks', entry.uuid, [ns, publicNs]);
          if (!network) throw badRequest(`Network ${entry.uuid} could not be found.`, 'NetworkNotFound');
          const ref =
            network.metadata.namespace === ns
              ? { name: network.metadata.name }
              : { name: network.metadata.name, namespace: network.metadata.namespace };
          networks.push({ network: ref, ...(entry.fixed_ip ? { fixedIPs: [entry.fixed_ip] } : {}) });
        } else {
          throw badRequest(`Invalid input for field/attribute networks[${i}]: give a uuid or a port`);
        }
      }
    } else if (server.networks !== 'none') {
      // Nova's "auto": the project's one network, if it has exactly one.
      const own = deps.cache.list<NetworkObject>('networks', ns).filter((n) => !n.metadata.deletionTimestamp);
      if (own.length === 1) networks.push({ network: { name: own[0]!.metadata.name } });
      else if (own.length > 1) {
        throw conflict(
          'Multiple possible networks found, use a Network ID to be more specific.',
          'NetworkAmbiguous',
        );
      }
    }
    let securityGroups: string[] | undefined;
    if (server.security_groups?.length) {
      securityGroups = server.security_groups.map(({ name }) => {
        const groups = deps.cache.list<SecurityGroupObject>('securityGroups', ns);
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
    const configDrive =
      server.config_drive === undefined
        ? undefined
        : server.config_drive === true || /^(true|1|yes)$/i.test(String(server.config_drive));
    const imageRef =
      image.metadata.namespace === ns
        ? { name: image.metadata.name }
        : { name: image.metadata.name, namespace: image.metadata.namespace };
    const created = await createNamed<InstanceObject>(
      deps.impersonation.client(session.userName),
      served.instances,
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Instance',
        metadata: { namespace: ns },
        spec: {
          displayName: server.name,
          flavor: flavor.metadata.name!,
          image: imageRef,
          ...(keyName ? { keyName } : {}),
          ...(server.user_data ? { userDataBase64: server.user_data } : {}),
          ...(server.metadata ? { metadata: server.metadata } : {}),
          ...(server.availability_zone ? { availabilityZone: server.availability_zone } : {}),
          ...(configDrive !== undefined ? { configDrive } : {}),
          networks,
          ...(securityGroups ? { securityGroups } : {}),
        },
      } as unknown as InstanceObject,
      toDnsLabel(server.name, 'server'),
    );
    await deps.cache.waitFor('instances', created);
    const id = created.metadata.uid!;
    const base = baseUrl(deps, req);
    res
      .status(202)
      .set('Location', `${base}/compute/v2.1/servers/${id}`)
      .json({
        server: {
          id,
          links: link(base, 'servers', id),
          'OS-DCF:diskConfig': 'MANUAL',
          security_groups: (server.security_groups ?? [{ name: 'default' }]).map((g) => ({ name: g.name })),
        },
      });
  });

  v21.put('/servers/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const { server } = parseBody(serverUpdate, req.body);
    let inst = findServer(deps, session, String(req.params.id));
    if (server.name !== undefined) {
      inst = await deps.impersonation
        .client(session.userName)
        .patch<InstanceObject>(
          served.instances,
          inst.metadata.name!,
          session.namespace,
          { spec: { displayName: server.name } },
          'merge',
        );
      inst = await deps.cache.waitFor('instances', inst);
    }
    res.json({ server: serverView(deps, session, inst, baseUrl(deps, req), true) });
  });

  v21.delete('/servers/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const inst = findServer(deps, session, String(req.params.id));
    await deps.impersonation
      .client(session.userName)
      .delete(served.instances, inst.metadata.name!, session.namespace, { uid: inst.metadata.uid });
    await deps.cache.waitFor('instances', inst, { gone: true });
    res.status(204).end();
  });

  v21.post('/servers/:id/action', async (req, res) => {
    const session = scopedSessionOf(res);
    const body = req.body as Record<string, unknown> | undefined;
    const action = body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
    if (!action || !['os-start', 'os-stop', 'reboot'].includes(action)) {
      throw badRequest(`There is no such action: ${action ?? '(none)'}`);
    }
    const parsed = parseBody(serverAction, body);
    const inst = findServer(deps, session, String(req.params.id));
    const state = inst.status?.state ?? 'BUILD';
    const vmState = VM_STATES[state] ?? 'error';
    const refuse = (what: string) =>
      conflict(
        `Cannot '${what}' instance ${inst.metadata.uid} while it is in vm_state ${vmState}`,
        'InstanceInvalidState',
      );
    let patch: Record<string, unknown>;
    if ('os-start' in parsed) {
      if (state !== 'SHUTOFF') throw refuse('start');
      patch = { spec: { powerState: 'Running' } };
    } else if ('os-stop' in parsed) {
      if (!['ACTIVE', 'ERROR', 'REBOOT', 'HARD_REBOOT'].includes(state)) throw refuse('stop');
      patch = { spec: { powerState: 'Stopped' } };
    } else {
      if (!['ACTIVE', 'REBOOT', 'HARD_REBOOT', 'ERROR'].includes(state)) throw refuse('reboot');
      patch = {
        spec: {
          rebootRequest: {
            id: randomUUID(),
            type: parsed.reboot.type.toUpperCase(),
            requestedAt: new Date().toISOString(),
          },
        },
      };
    }
    const updated = await deps.impersonation
      .client(session.userName)
      .patch<InstanceObject>(served.instances, inst.metadata.name!, session.namespace, patch, 'merge');
    await deps.cache.waitFor('instances', updated);
    res.status(202).end();
  });

  // -- limits
  v21.get('/limits', async (_req, res) => {
    const session = scopedSessionOf(res);
    await authorize(deps, session, { verb: 'list', resource: 'instances', namespace: session.namespace });
    const quota = session.project.spec.quota;
    const instances = deps.cache.list<InstanceObject>('instances', session.namespace);
    let cores = 0;
    let ram = 0;
    for (const inst of instances) {
      const f = inst.status?.flavor ?? deps.cache.get<FlavorObject>('flavors', inst.spec.flavor)?.spec;
      cores += f?.vcpus ?? 0;
      ram += f?.ramMiB ?? 0;
    }
    res.json({
      limits: {
        rate: [],
        absolute: {
          maxTotalInstances: quota.instances,
          maxTotalCores: quota.cores,
          maxTotalRAMSize: quota.ramMiB,
          maxTotalKeypairs: quota.keyPairs,
          maxServerMeta: 128,
          maxImageMeta: 128,
          maxPersonality: 0,
          maxPersonalitySize: 0,
          maxSecurityGroups: quota.securityGroups,
          maxSecurityGroupRules: quota.securityGroupRules,
          maxTotalFloatingIps: quota.floatingIPs,
          maxServerGroups: 0,
          maxServerGroupMembers: 0,
          totalInstancesUsed: instances.length,
          totalCoresUsed: cores,
          totalRAMUsed: ram,
          totalSecurityGroupsUsed: deps.cache.list('securityGroups', session.namespace).length,
          totalFloatingIpsUsed: 0,
          totalServerGroupsUsed: 0,
        },
      },
    });
  });

  return router;
}
