// Neutron v2.0: networks and subnets (create, list with attribute filters, show, update,
// delete) and the extensions list — only extensions whose attributes we really serve. Tenant
// networks are Network objects in the project's namespace; shared and external networks live
// in the shared namespace and are listed to everyone whom RBAC lets read it.
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { NetworkObject } from '../kinds/network.js';
import type { SubnetObject } from '../kinds/subnet.js';

import { canonicalCidr, formatIP, hostRange, parseCidr, parseIP } from '../domain/address.js';
import { served } from './cache.js';
import { createNamed, isoSeconds, queryText, readableNamespaces, toDnsLabel, updatedAt } from './common.js';
import { baseUrl, scopedSessionOf, type ApiDeps, type ScopedSession } from './context.js';
import { badRequest, forbidden, notFound } from './errors.js';
import { requireAuth } from './identity.js';
import { parseBody } from './validation.js';
import { subnetGateway } from '../domain/subnet.js';

// ---- Extensions ------------------------------------------------------------------------

const EXTENSIONS = [
  {
    alias: 'external-net',
    name: 'Neutron external network',
    description: 'Adds external network attribute to network resource.',
    updated: '2013-01-14T10:00:00-00:00',
  },
  {
    alias: 'provider',
    name: 'Provider Network',
    description: 'Expose mapping of virtual networks to physical networks',
    updated: '2012-09-07T10:00:00-00:00',
  },
  {
    alias: 'network-mtu',
    name: 'Network MTU',
    description: 'Provides MTU attribute for a network resource.',
    updated: '2015-03-25T10:00:00-00:00',
  },
  {
    alias: 'port-security',
    name: 'Port Security',
    description: 'Provides port security',
    updated: '2012-07-23T10:00:00-00:00',
  },
  {
    alias: 'standard-attr-description',
    name: 'standard-attr-description',
    description: 'Extension to add descriptions to standard attributes',
    updated: '2016-02-10T10:00:00-00:00',
  },
].map((e) => ({ ...e, links: [] }));

// ---- Views -----------------------------------------------------------------------------

function projectIdOf(deps: ApiDeps, session: ScopedSession, namespace: string): string {
  if (namespace === session.namespace) return session.project.metadata.uid!;
  return deps.cache.get('projects', namespace)?.metadata?.uid ?? namespace;
}

function subnetsOf(deps: ApiDeps, network: NetworkObject): SubnetObject[] {
  return deps.cache
    .list<SubnetObject>('subnets', network.metadata.namespace)
    .filter((s) => s.spec.network === network.metadata.name && !s.metadata.deletionTimestamp);
}

export function networkView(deps: ApiDeps, session: ScopedSession, n: NetworkObject) {
  const project = projectIdOf(deps, session, n.metadata.namespace!);
  return {
    id: n.metadata.uid!,
    name: n.spec.displayName ?? n.metadata.name!,
    description: n.spec.description ?? '',
    tenant_id: project,
    project_id: project,
    admin_state_up: n.spec.adminStateUp,
    status: n.status?.state ?? 'BUILD',
    subnets: subnetsOf(deps, n).map((s) => s.metadata.uid!),
    shared: n.spec.shared,
    'router:external': n.spec.external,
    mtu: n.status?.mtu ?? n.spec.mtu ?? 1442,
    port_security_enabled: n.spec.portSecurityEnabled,
    availability_zone_hints: [],
    availability_zones: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    is_default: false,
    tags: n.spec.tags ?? [],
    created_at: isoSeconds(n.metadata.creationTimestamp),
    updated_at: updatedAt(n),
    revision_number: n.metadata.generation ?? 1,
    ...(n.spec.provider
      ? {
          'provider:network_type': n.spec.provider.networkType,
          'provider:physical_network': n.spec.provider.physicalNetwork ?? null,
          'provider:segmentation_id': n.spec.provider.segmentationId ?? null,
        }
      : {}),
  };
}

/** Neutron's default pools: the host addresses of the CIDR without the gateway. */
export function defaultPools(
  cidrText: string,
  gateway: string | undefined,
): Array<{ start: string; end: string }> {
  const cidr = parseCidr(cidrText);
  if (!cidr) return [];
  const [low, high] = hostRange(cidr);
  const gw = gateway ? parseIP(gateway)?.value : undefined;
  const ranges: Array<[bigint, bigint]> = [];
  if (gw === undefined || gw < low || gw > high) ranges.push([low, high]);
  else {
    if (gw > low) ranges.push([low, gw - 1n]);
    if (gw < high) ranges.push([gw + 1n, high]);
  }
  return ranges.map(([s, e]) => ({ start: formatIP(cidr.version, s), end: formatIP(cidr.version, e) }));
}

export function subnetView(deps: ApiDeps, session: ScopedSession, s: SubnetObject) {
  const project = projectIdOf(deps, session, s.metadata.namespace!);
  const network = deps.cache.get<NetworkObject>('networks', s.spec.network, s.metadata.namespace);
  const gateway = subnetGateway(s) ?? null;
  return {
    id: s.metadata.uid!,
    name: s.spec.displayName ?? s.metadata.name!,
    description: s.spec.description ?? '',
    tenant_id: project,
    project_id: project,
    network_id: network?.metadata.uid ?? s.spec.network,
    ip_version: s.spec.ipVersion,
    cidr: canonicalCidr(s.spec.cidr),
    gateway_ip: gateway,
    enable_dhcp: s.spec.enableDHCP,
    allocation_pools: s.spec.allocationPools ?? defaultPools(s.spec.cidr, gateway ?? undefined),
    dns_nameservers: s.spec.dnsNameservers ?? [],
    host_routes: s.spec.hostRoutes ?? [],
    ipv6_address_mode: s.spec.ipv6AddressMode ?? null,
    ipv6_ra_mode: s.spec.ipv6RAMode ?? null,
    subnetpool_id: null,
    service_types: [],
    segment_id: null,
    tags: s.spec.tags ?? [],
    created_at: isoSeconds(s.metadata.creationTimestamp),
    updated_at: updatedAt(s),
    revision_number: s.metadata.generation ?? 1,
  };
}

// ---- Listing: Neutron filters any attribute by equality, and picks fields --------------

/** A view attribute as filter text: scalars as text; anything else never matches. */
const scalarText = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

const CONTROL_PARAMS = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse']);

function matches(view: Record<string, unknown>, query: Request['query']): boolean {
  for (const [key, raw] of Object.entries(query)) {
    if (CONTROL_PARAMS.has(key)) continue;
    const wanted = ([] as unknown[]).concat(raw).map((v) => queryText(v).toLowerCase());
    const value = view[key];
    if (value === undefined) continue; // Neutron ignores filters on attributes it does not know
    const actual = (Array.isArray(value) ? (value as unknown[]) : [value]).map((v) =>
      scalarText(v).toLowerCase(),
    );
    if (!wanted.some((w) => actual.includes(w))) return false;
  }
  return true;
}

function pickFields(view: Record<string, unknown>, query: Request['query']): Record<string, unknown> {
  const fields = ([] as unknown[]).concat(query.fields ?? []).flatMap((f) => String(f).split(','));
  if (fields.length === 0) return view;
  return Object.fromEntries(fields.filter((f) => f in view).map((f) => [f, view[f]]));
}

function listResponse<T extends Record<string, unknown>>(
  req: Request,
  base: string,
  collection: string,
  views: T[],
) {
  const q = req.query;
  let items = views.filter((v) => matches(v, q));
  const key = typeof q.sort_key === 'string' ? q.sort_key : 'id';
  const desc = q.sort_dir === 'desc';
  items.sort((a, b) => {
    const c = scalarText(a[key]).localeCompare(scalarText(b[key]));
    return desc ? -c : c;
  });
  const marker = typeof q.marker === 'string' ? q.marker : undefined;
  if (marker) {
    const index = items.findIndex((v) => v.id === marker);
    items = index < 0 ? [] : items.slice(index + 1);
  }
  const limit = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : undefined;
  const more = limit !== undefined && items.length > limit;
  if (limit !== undefined) items = items.slice(0, limit);
  return {
    [collection]: items.map((v) => pickFields(v, q)),
    ...(more
      ? {
          [`${collection}_links`]: [
            {
              rel: 'next',
              href: `${base}/network/v2.0/${collection}?limit=${limit}&marker=${String(items.at(-1)!.id)}`,
            },
          ],
        }
      : {}),
  };
}

// ---- Request bodies --------------------------------------------------------------------

const projectField = z.string().max(255).optional();
const tagsField = z.array(z.string().min(1).max(255)).max(64).optional();

const networkCreate = z.strictObject({
  network: z.strictObject({
    name: z.string().max(255).optional(),
    description: z.string().max(1024).optional(),
    admin_state_up: z.boolean().optional(),
    shared: z.boolean().optional(),
    'router:external': z.boolean().optional(),
    mtu: z.int().min(68).max(9000).optional(),
    port_security_enabled: z.boolean().optional(),
    tenant_id: projectField,
    project_id: projectField,
    availability_zone_hints: z.array(z.string()).max(0, 'availability zones are not supported').optional(),
    'provider:network_type': z.enum(['geneve', 'flat', 'vlan']).optional(),
    'provider:physical_network': z.string().min(1).max(63).optional(),
    'provider:segmentation_id': z.int().min(1).max(16_777_215).optional(),
    tags: tagsField,
  }),
});

const networkUpdate = z.strictObject({
  network: z.strictObject({
    name: z.string().max(255).optional(),
    description: z.string().max(1024).optional(),
    admin_state_up: z.boolean().optional(),
    shared: z.boolean().optional(),
    mtu: z.int().min(68).max(9000).optional(),
    port_security_enabled: z.boolean().optional(),
  }),
});

const pool = z.strictObject({ start: z.string().max(45), end: z.string().max(45) });
const route = z.strictObject({ destination: z.string().max(49), nexthop: z.string().max(45) });
const ipv6Mode = z.enum(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']).nullable().optional();

const subnetCreate = z.strictObject({
  subnet: z.strictObject({
    network_id: z.string().min(1).max(255),
    cidr: z.string().min(1).max(49),
    ip_version: z.union([z.literal(4), z.literal(6)]).optional(),
    name: z.string().max(255).optional(),
    description: z.string().max(1024).optional(),
    gateway_ip: z.string().max(45).nullable().optional(),
    enable_dhcp: z.boolean().optional(),
    allocation_pools: z.array(pool).max(16).optional(),
    dns_nameservers: z.array(z.string().max(45)).max(5).optional(),
    host_routes: z.array(route).max(20).optional(),
    ipv6_address_mode: ipv6Mode,
    ipv6_ra_mode: ipv6Mode,
    tenant_id: projectField,
    project_id: projectField,
    tags: tagsField,
    service_types: z.array(z.string()).max(0, 'service types are not supported').optional(),
  }),
});

const subnetUpdate = z.strictObject({
  subnet: z.strictObject({
    name: z.string().max(255).optional(),
    description: z.string().max(1024).optional(),
    gateway_ip: z.string().max(45).nullable().optional(),
    enable_dhcp: z.boolean().optional(),
    allocation_pools: z.array(pool).max(16).optional(),
    dns_nameservers: z.array(z.string().max(45)).max(5).optional(),
    host_routes: z.array(route).max(20).optional(),
  }),
});

function checkProject(session: ScopedSession, body: { tenant_id?: string; project_id?: string }): void {
  for (const id of [body.tenant_id, body.project_id]) {
    if (id !== undefined && id !== session.project.metadata.uid) {
      throw forbidden('Only admins may create resources for another project.');
    }
  }
}

// ---- Routes ----------------------------------------------------------------------------

async function visibleNetworks(deps: ApiDeps, session: ScopedSession): Promise<NetworkObject[]> {
  const namespaces = await readableNamespaces(deps, session, 'networks', true);
  return namespaces.flatMap((ns) =>
    deps.cache
      .list<NetworkObject>('networks', ns)
      .filter(
        (n) =>
          !n.metadata.deletionTimestamp && (ns === session.namespace || n.spec.shared || n.spec.external),
      ),
  );
}

async function visibleSubnets(deps: ApiDeps, session: ScopedSession): Promise<SubnetObject[]> {
  const networks = await visibleNetworks(deps, session);
  const keys = new Set(networks.map((n) => `${n.metadata.namespace}/${n.metadata.name}`));
  const namespaces = [...new Set(networks.map((n) => n.metadata.namespace!)), session.namespace];
  return [...new Set(namespaces)].flatMap((ns) =>
    deps.cache
      .list<SubnetObject>('subnets', ns)
      .filter((s) => !s.metadata.deletionTimestamp && keys.has(`${ns}/${s.spec.network}`)),
  );
}

export function networkRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const auth = requireAuth(deps);

  const versions = (req: Request, res: Response) =>
    void res.json({
      versions: [
        {
          id: 'v2.0',
          status: 'CURRENT',
          links: [{ rel: 'self', href: `${baseUrl(deps, req)}/network/v2.0/` }],
        },
      ],
    });
  router.get('/', versions);

  const v2 = express.Router();
  router.use('/v2.0', auth, v2);

  v2.get('/', (req, res) => {
    const base = baseUrl(deps, req);
    res.json({
      resources: ['network', 'subnet'].map((name) => ({
        name,
        collection: `${name}s`,
        links: [{ rel: 'self', href: `${base}/network/v2.0/${name}s` }],
      })),
    });
  });
  v2.get('/extensions', (_req, res) => void res.json({ extensions: EXTENSIONS }));
  v2.get('/extensions/:alias', (req, res) => {
    const extension = EXTENSIONS.find((e) => e.alias === req.params.alias);
    if (!extension)
      throw notFound(`Extension with alias ${req.params.alias} does not exist`, 'ExtensionNotFound');
    res.json({ extension });
  });

  /**
   * One visible object by OpenStack id (a name gives 404, as openstacksdk's find expects);
   * `own` refuses a shared object of the cloud for writes.
   */
  const finder =
    <T extends { metadata: { uid?: string; namespace?: string } }>(
      kind: 'Network' | 'Subnet',
      visible: (apiDeps: ApiDeps, session: ScopedSession) => Promise<T[]>,
    ) =>
    async (session: ScopedSession, id: string, own = false): Promise<T> => {
      const found = (await visible(deps, session)).find((o) => o.metadata.uid === id);
      if (!found) throw notFound(`${kind} ${id} could not be found.`, `${kind}NotFound`);
      if (own && found.metadata.namespace !== session.namespace) {
        throw forbidden(`${kind} ${id} belongs to the cloud; only admins may change it.`);
      }
      return found;
    };

  // -- networks
  const findNetwork = finder<NetworkObject>('Network', visibleNetworks);

  v2.get('/networks', async (req, res) => {
    const session = scopedSessionOf(res);
    const views = (await visibleNetworks(deps, session)).map((n) => networkView(deps, session, n));
    res.json(listResponse(req, baseUrl(deps, req), 'networks', views));
  });
  v2.get('/networks/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const view = networkView(deps, session, await findNetwork(session, String(req.params.id)));
    res.json({ network: pickFields(view, req.query) });
  });
  v2.post('/networks', async (req, res) => {
    const session = scopedSessionOf(res);
    const { network } = parseBody(networkCreate, req.body);
    checkProject(session, network);
    const providerType = network['provider:network_type'];
    const created = await createNamed<NetworkObject>(
      deps.impersonation.client(session.userName),
      served.networks,
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Network',
        metadata: { namespace: session.namespace },
        spec: {
          ...(network.name !== undefined ? { displayName: network.name } : {}),
          ...(network.description ? { description: network.description } : {}),
          ...(network.admin_state_up !== undefined ? { adminStateUp: network.admin_state_up } : {}),
          ...(network.shared !== undefined ? { shared: network.shared } : {}),
          ...(network['router:external'] !== undefined ? { external: network['router:external'] } : {}),
          ...(network.mtu !== undefined ? { mtu: network.mtu } : {}),
          ...(network.port_security_enabled !== undefined
            ? { portSecurityEnabled: network.port_security_enabled }
            : {}),
          ...(network.tags ? { tags: network.tags } : {}),
          ...(providerType
            ? {
                provider: {
                  networkType: providerType,
                  ...(network['provider:physical_network']
                    ? { physicalNetwork: network['provider:physical_network'] }
                    : {}),
                  ...(network['provider:segmentation_id']
                    ? { segmentationId: network['provider:segmentation_id'] }
                    : {}),
                },
              }
            : {}),
        },
      } as unknown as NetworkObject,
      toDnsLabel(network.name, 'network'),
    );
    const current = await deps.cache.waitFor('networks', created);
    res.status(201).json({ network: networkView(deps, session, current) });
  });
  v2.put('/networks/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const { network } = parseBody(networkUpdate, req.body);
    const existing = await findNetwork(session, String(req.params.id), true);
    const spec: Record<string, unknown> = {};
    if (network.name !== undefined) spec.displayName = network.name;
    if (network.description !== undefined) spec.description = network.description;
    if (network.admin_state_up !== undefined) spec.adminStateUp = network.admin_state_up;
    if (network.shared !== undefined) spec.shared = network.shared;
    if (network.mtu !== undefined) spec.mtu = network.mtu;
    if (network.port_security_enabled !== undefined) spec.portSecurityEnabled = network.port_security_enabled;
    const updated = await deps.impersonation
      .client(session.userName)
      .patch<NetworkObject>(served.networks, existing.metadata.name!, session.namespace, { spec }, 'merge');
    const current = await deps.cache.waitFor('networks', updated);
    res.json({ network: networkView(deps, session, current) });
  });
  v2.delete('/networks/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const network = await findNetwork(session, String(req.params.id), true);
    await deps.impersonation
      .client(session.userName)
      .delete(served.networks, network.metadata.name!, session.namespace, { uid: network.metadata.uid });
    await deps.cache.waitFor('networks', network, { gone: true });
    res.status(204).end();
  });

  // -- subnets
  const findSubnet = finder<SubnetObject>('Subnet', visibleSubnets);

  v2.get('/subnets', async (req, res) => {
    const session = scopedSessionOf(res);
    const views = (await visibleSubnets(deps, session)).map((s) => subnetView(deps, session, s));
    res.json(listResponse(req, baseUrl(deps, req), 'subnets', views));
  });
  v2.get('/subnets/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const view = subnetView(deps, session, await findSubnet(session, String(req.params.id)));
    res.json({ subnet: pickFields(view, req.query) });
  });
  v2.post('/subnets', async (req, res) => {
    const session = scopedSessionOf(res);
    const { subnet } = parseBody(subnetCreate, req.body);
    checkProject(session, subnet);
    const network = await findNetwork(session, subnet.network_id).catch(() => {
      throw notFound(`Network ${subnet.network_id} could not be found.`, 'NetworkNotFound');
    });
    if (network.metadata.namespace !== session.namespace) {
      throw forbidden(`Only admins may add subnets to network ${subnet.network_id}.`);
    }
    const cidr = parseCidr(subnet.cidr);
    if (!cidr)
      throw badRequest(
        `Invalid input for cidr. Reason: '${subnet.cidr}' is not a valid IP subnet.`,
        'HTTPBadRequest',
      );
    const ipVersion = subnet.ip_version ?? cidr.version;
    const created = await createNamed<SubnetObject>(
      deps.impersonation.client(session.userName),
      served.subnets,
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Subnet',
        metadata: { namespace: session.namespace },
        spec: {
          network: network.metadata.name!,
          ipVersion,
          // Neutron accepts host bits and stores the network address; so do we.
          cidr: canonicalCidr(subnet.cidr),
          ...(subnet.name !== undefined ? { displayName: subnet.name } : {}),
          ...(subnet.description ? { description: subnet.description } : {}),
          ...(subnet.gateway_ip === null ? { disableGateway: true } : {}),
          ...(subnet.gateway_ip ? { gatewayIP: subnet.gateway_ip } : {}),
          ...(subnet.enable_dhcp !== undefined ? { enableDHCP: subnet.enable_dhcp } : {}),
          ...(subnet.allocation_pools?.length ? { allocationPools: subnet.allocation_pools } : {}),
          ...(subnet.dns_nameservers?.length ? { dnsNameservers: subnet.dns_nameservers } : {}),
          ...(subnet.host_routes?.length ? { hostRoutes: subnet.host_routes } : {}),
          ...(subnet.ipv6_address_mode ? { ipv6AddressMode: subnet.ipv6_address_mode } : {}),
          ...(subnet.ipv6_ra_mode ? { ipv6RAMode: subnet.ipv6_ra_mode } : {}),
          ...(subnet.tags ? { tags: subnet.tags } : {}),
        },
      } as unknown as SubnetObject,
      toDnsLabel(subnet.name, `${network.metadata.name}-subnet`),
    );
    const current = await deps.cache.waitFor('subnets', created);
    res.status(201).json({ subnet: subnetView(deps, session, current) });
  });
  v2.put('/subnets/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const { subnet } = parseBody(subnetUpdate, req.body);
    const existing = await findSubnet(session, String(req.params.id), true);
    const spec: Record<string, unknown> = {};
    if (subnet.name !== undefined) spec.displayName = subnet.name;
    if (subnet.description !== undefined) spec.description = subnet.description;
    if (subnet.gateway_ip === null) Object.assign(spec, { disableGateway: true, gatewayIP: null });
    else if (subnet.gateway_ip !== undefined)
      Object.assign(spec, { disableGateway: false, gatewayIP: subnet.gateway_ip });
    if (subnet.enable_dhcp !== undefined) spec.enableDHCP = subnet.enable_dhcp;
    if (subnet.allocation_pools !== undefined)
      spec.allocationPools = subnet.allocation_pools.length ? subnet.allocation_pools : null;
    if (subnet.dns_nameservers !== undefined)
      spec.dnsNameservers = subnet.dns_nameservers.length ? subnet.dns_nameservers : null;
    if (subnet.host_routes !== undefined)
      spec.hostRoutes = subnet.host_routes.length ? subnet.host_routes : null;
    const updated = await deps.impersonation
      .client(session.userName)
      .patch<SubnetObject>(served.subnets, existing.metadata.name!, session.namespace, { spec }, 'merge');
    const current = await deps.cache.waitFor('subnets', updated);
    res.json({ subnet: subnetView(deps, session, current) });
  });
  v2.delete('/subnets/:id', async (req, res) => {
    const session = scopedSessionOf(res);
    const subnet = await findSubnet(session, String(req.params.id), true);
    await deps.impersonation
      .client(session.userName)
      .delete(served.subnets, subnet.metadata.name!, session.namespace, { uid: subnet.metadata.uid });
    await deps.cache.waitFor('subnets', subnet, { gone: true });
    res.status(204).end();
  });

  return router;
}
