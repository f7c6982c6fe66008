// Nova, Glance and Neutron through the API against the real apiserver (admission webhooks
// on): every write lands as a CR in the caller's namespace, made as the caller — so RBAC
// refuses a reader and another project's objects are invisible — and every error comes in
// the service's own format.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are JSON (support.ts Json); the assertions check their shape */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../harness/testing/eventually.js';
import { randomSuffix } from '../../../harness/testing/kube.js';
import type { ServedKind } from '../cache.js';
import { call, environment, login, type Environment, type Json } from './support.js';
import { kube } from '../../kinds/external.js';
import { Flavor, Image, Instance, KeyPair, Network, resourceOf } from '../../kinds/index.js';

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILhiGOzN75I3ltJMjUTitTiaKJ4puw2YxDskw3j2aW1N alice@example';

let env: Environment;
let base: string;
let alice: string;
let bob: string;
let rita: string;
let flavorName: string;
let flavorId: string;

beforeAll(async () => {
  env = await environment({
    prefix: 'api-svc',
    projects: 2,
    users: {
      alice: [{ project: 0, roles: ['member'] }],
      bob: [{ project: 1, roles: ['member'] }],
      rita: [{ project: 0, roles: ['reader'] }],
    },
    env: { STRATUS_API_MAX_BODY_BYTES: '4096', STRATUS_API_MAX_IMAGE_BYTES: String(8 * 1024 * 1024) },
  });
  base = env.api.url;
  alice = (await login(base, env.users.alice!, { project: env.projects[0] })).token;
  bob = (await login(base, env.users.bob!, { project: env.projects[1] })).token;
  rita = (await login(base, env.users.rita!, { project: env.projects[0] })).token;
  flavorName = `t1.small-${randomSuffix(3)}`;
  const flavor = await env.admin.create<{ metadata: { uid: string } }>(resourceOf(Flavor), {
    metadata: { name: flavorName },
    spec: { vcpus: 1, ramMiB: 512, diskGiB: 20 },
  } as never);
  flavorId = flavor.metadata.uid;
  await eventually(() => env.api.deps.cache.byUid(Flavor, flavorId), {
    description: 'the flavor in the cache',
  });
});

afterAll(async () => {
  await env?.admin.delete(resourceOf(Flavor), flavorName).catch(() => undefined);
  await env?.stop();
});

const nova = (
  token: string,
  method: string,
  path: string,
  json?: unknown,
  headers?: Record<string, string>,
) => call(base, method, `/compute/v2.1${path}`, { token, json, headers });
const neutron = (token: string, method: string, path: string, json?: unknown) =>
  call(base, method, `/network/v2.0${path}`, { token, json });
const glance = (token: string, method: string, path: string, json?: unknown) =>
  call(base, method, `/image/v2${path}`, { token, json });

/** The CR an OpenStack id names, read as the admin. */
async function crByUid(kind: ServedKind, namespace: string | undefined, uid: string) {
  const list = await env.admin.list<{
    metadata: { name: string; uid: string; annotations?: Record<string, string> };
    spec: Json;
  }>(resourceOf(kind), { namespace });
  return list.find((o) => o.metadata.uid === uid);
}

describe('Nova', () => {
  it('advertises 2.1 only and refuses later microversions with 406', async () => {
    const versions = await call(base, 'GET', '/compute/');
    expect(versions.body.versions.map((v: { id: string }) => v.id)).toEqual(['v2.1']);
    const ok = await nova(alice, 'GET', '/flavors', undefined, { 'OpenStack-API-Version': 'compute 2.1' });
    expect(ok.headers.get('openstack-api-version')).toBe('compute 2.1');
    expect(ok.headers.get('x-openstack-nova-api-version')).toBe('2.1');
    const later = await nova(alice, 'GET', '/flavors', undefined, { 'X-OpenStack-Nova-API-Version': '2.79' });
    expect(later.status).toBe(406);
    expect(later.body.notAcceptable.message).toMatch(/maximum is 2\.1/);
  });

  it('lists and shows flavors; a name where an id belongs is 404', async () => {
    const list = await nova(alice, 'GET', '/flavors/detail');
    const flavor = list.body.flavors.find((f: { id: string }) => f.id === flavorId);
    expect(flavor).toMatchObject({
      name: flavorName,
      vcpus: 1,
      ram: 512,
      disk: 20,
      'os-flavor-access:is_public': true,
    });
    expect((await nova(alice, 'GET', `/flavors/${flavorId}`)).body.flavor.name).toBe(flavorName);
    const byName = await nova(alice, 'GET', `/flavors/${flavorName}`);
    expect(byName.status).toBe(404);
    expect(byName.body.itemNotFound.code).toBe(404);
  });

  it('creates keypairs: generated (the private key once) or imported; a reader may not', async () => {
    const generated = await nova(alice, 'POST', '/os-keypairs', { keypair: { name: 'gen key' } });
    expect(generated.status).toBe(200);
    expect(generated.body.keypair.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(generated.body.keypair.public_key).toMatch(/^ssh-rsa /);
    const object = (
      await env.admin.list<{ metadata: { name: string }; spec: { displayName?: string; user?: string } }>(
        resourceOf(KeyPair),
        { namespace: env.projects[0] },
      )
    ).find((k) => k.spec.displayName === 'gen key')!;
    expect(object.spec.user).toBe(env.users.alice!.name);
    // The one-shot Secret is gone once handed out.
    expect(
      await env.admin.get(kube.secrets, `${object.metadata.name}-private-key`, env.projects[0]),
    ).toBeUndefined();

    const imported = await nova(alice, 'POST', '/os-keypairs', {
      keypair: { name: 'mine', public_key: ED25519 },
    });
    expect(imported.body.keypair).toMatchObject({
      name: 'mine',
      fingerprint: '61:4c:f4:15:ff:2e:96:a2:3d:08:ed:c5:c8:1b:fe:f8',
    });
    expect(imported.body.keypair.private_key).toBeUndefined();
    expect(
      (await nova(alice, 'POST', '/os-keypairs', { keypair: { name: 'mine', public_key: ED25519 } })).status,
    ).toBe(409);

    const list = await nova(alice, 'GET', '/os-keypairs');
    expect(list.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name).sort()).toEqual([
      'gen key',
      'mine',
    ]);
    expect((await nova(alice, 'GET', '/os-keypairs/mine')).body.keypair.user_id).toBeTruthy();
    // Another user of another project sees none of them.
    expect((await nova(bob, 'GET', '/os-keypairs')).body.keypairs).toEqual([]);

    const denied = await nova(rita, 'POST', '/os-keypairs', {
      keypair: { name: 'nope', public_key: ED25519 },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.code).toBe(403);

    expect((await nova(alice, 'DELETE', '/os-keypairs/gen%20key')).status).toBe(202);
    expect((await nova(alice, 'GET', '/os-keypairs/gen%20key')).status).toBe(404);
  });

  it('refuses malformed JSON, unknown fields and oversized bodies in Nova’s format', async () => {
    const malformed = await call(base, 'POST', '/compute/v2.1/os-keypairs', {
      token: alice,
      body: '{"keypair": {',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.badRequest.code).toBe(400);
    const unknown = await nova(alice, 'POST', '/os-keypairs', { keypair: { name: 'x', colour: 'red' } });
    expect(unknown.body.badRequest.message).toMatch(/keypair\.colour/);
    const typed = await nova(alice, 'POST', '/servers', { server: { name: 5, flavorRef: flavorId } });
    expect(typed.body.badRequest.message).toMatch(/server\.name/);
    const big = await nova(alice, 'POST', '/os-keypairs', {
      keypair: { name: 'x', public_key: 'a'.repeat(5000) },
    });
    expect(big.status).toBe(413);
    expect(big.body.overLimit.code).toBe(413);
    expect((await call(base, 'GET', '/compute/v2.1/servers')).status).toBe(401);
  });
});

describe('Glance', () => {
  it('creates an image, streams its data in, and lists it with paging', async () => {
    const created = await glance(alice, 'POST', '/images', {
      name: 'upload me',
      disk_format: 'raw',
      container_format: 'bare',
      os_distro: 'test',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'upload me',
      status: 'queued',
      visibility: 'private',
      os_distro: 'test',
    });
    const id = created.body.id as string;
    const object = await crByUid(Image, env.projects[0], id);
    expect(object?.spec).toMatchObject({
      displayName: 'upload me',
      diskFormat: 'raw',
      properties: { os_distro: 'test' },
    });

    const data = randomBytes(3 * 1024 * 1024 + 17);
    const put = await call(base, 'PUT', `/image/v2/images/${id}/file`, {
      token: alice,
      body: data,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(put.status).toBe(204);
    const shown = await glance(alice, 'GET', `/images/${id}`);
    expect(shown.body).toMatchObject({
      status: 'saving',
      size: data.length,
      checksum: createHash('md5').update(data).digest('hex'),
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    });
    // The Image now imports from the API, which serves exactly the bytes uploaded.
    const url = (await crByUid(Image, env.projects[0], id))!.spec.source.url as string;
    expect(url).toMatch(new RegExp(`^${base}/image-data/`));
    const download = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(download.equals(data)).toBe(true);
    const again = await call(base, 'PUT', `/image/v2/images/${id}/file`, {
      token: alice,
      body: data,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(again.status).toBe(409);

    const second = await glance(alice, 'POST', '/images', {
      name: 'second',
      disk_format: 'qcow2',
      container_format: 'bare',
    });
    const page1 = await glance(alice, 'GET', '/images?limit=1');
    expect(page1.body.images).toHaveLength(1);
    expect(page1.body.next).toMatch(/^\/v2\/images\?.*marker=/);
    const page2 = await call(base, 'GET', `/image${page1.body.next}`, { token: alice });
    expect(page2.body.images).toHaveLength(1);
    expect(page2.body.images[0].id).not.toBe(page1.body.images[0].id);
    // Bob's project sees neither (public images other tests publish meanwhile are fine).
    const bobs = (await glance(bob, 'GET', '/images')).body.images as Array<{ id: string }>;
    const alices = [id, second.body.id as string];
    expect(bobs.filter((image) => alices.includes(image.id))).toEqual([]);
    expect((await glance(bob, 'GET', `/images/${id}`)).status).toBe(404);
  });

  it('tags, patches and deletes; names are not ids; errors in Glance’s format', async () => {
    const created = await glance(alice, 'POST', '/images', {
      name: 'tagged',
      disk_format: 'qcow2',
      container_format: 'bare',
    });
    const id = created.body.id as string;
    expect((await glance(alice, 'PUT', `/images/${id}/tags/blue`)).status).toBe(204);
    const patched = await call(base, 'PATCH', `/image/v2/images/${id}`, {
      token: alice,
      json: [
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'add', path: '/hw_disk_bus', value: 'virtio' },
      ],
      headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(patched.body).toMatchObject({ name: 'renamed', tags: ['blue'], hw_disk_bus: 'virtio' });
    expect((await glance(alice, 'DELETE', `/images/${id}/tags/blue`)).status).toBe(204);
    expect((await glance(alice, 'GET', '/images/renamed')).status).toBe(404);
    const readOnly = await glance(alice, 'POST', '/images', { name: 'x', status: 'active' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toMatchObject({ code: '403 Forbidden', title: 'Forbidden' });
    expect((await glance(alice, 'DELETE', `/images/${id}`)).status).toBe(204);
    expect((await glance(alice, 'GET', `/images/${id}`)).status).toBe(404);
  });

  it('refuses uploads beyond the limit with 413 and keeps nothing of them', async () => {
    const created = await glance(alice, 'POST', '/images', {
      name: 'too big',
      disk_format: 'raw',
      container_format: 'bare',
    });
    const big = await call(base, 'PUT', `/image/v2/images/${created.body.id}/file`, {
      token: alice,
      body: Buffer.alloc(9 * 1024 * 1024),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(big.status).toBe(413);
    expect((await glance(alice, 'GET', `/images/${created.body.id}`)).body.status).toBe('queued');
  });
});

describe('Neutron', () => {
  it('lists only real extensions', async () => {
    const reply = await neutron(alice, 'GET', '/extensions');
    expect(reply.body.extensions.map((e: { alias: string }) => e.alias)).toContain('external-net');
    expect((await neutron(alice, 'GET', '/extensions/router')).status).toBe(404);
  });

  it('creates, filters, updates and deletes networks and subnets', async () => {
    const network = await neutron(alice, 'POST', '/networks', {
      network: { name: 'net one', admin_state_up: true },
    });
    expect(network.status).toBe(201);
    const id = network.body.network.id as string;
    expect(await crByUid(Network, env.projects[0], id)).toMatchObject({
      spec: { displayName: 'net one' },
    });
    const subnet = await neutron(alice, 'POST', '/subnets', {
      subnet: { network_id: id, cidr: '10.9.8.0/24', ip_version: 4, name: 'sub one' },
    });
    expect(subnet.status).toBe(201);
    expect(subnet.body.subnet).toMatchObject({
      network_id: id,
      cidr: '10.9.8.0/24',
      gateway_ip: '10.9.8.1',
      allocation_pools: [{ start: '10.9.8.2', end: '10.9.8.254' }],
      enable_dhcp: true,
    });
    const filtered = await neutron(alice, 'GET', '/networks?name=net%20one&fields=id&fields=subnets');
    expect(filtered.body.networks).toEqual([{ id, subnets: [subnet.body.subnet.id] }]);
    const renamed = await neutron(alice, 'PUT', `/networks/${id}`, { network: { name: 'net 1' } });
    expect(renamed.body.network.name).toBe('net 1');
    const sub = await neutron(alice, 'PUT', `/subnets/${subnet.body.subnet.id}`, {
      subnet: { dns_nameservers: ['10.9.8.53'] },
    });
    expect(sub.body.subnet.dns_nameservers).toEqual(['10.9.8.53']);

    expect((await neutron(bob, 'GET', `/networks/${id}`)).status).toBe(404);
    const notFound = await neutron(alice, 'GET', '/networks/net%201');
    expect(notFound.status).toBe(404);
    expect(notFound.body.NeutronError).toMatchObject({ type: 'NetworkNotFound' });
    const unknown = await neutron(alice, 'POST', '/networks', { network: { name: 'x', colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.NeutronError.message).toMatch(/network\.colour/);
    const malformed = await call(base, 'POST', '/network/v2.0/networks', {
      token: alice,
      body: '[',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.body.NeutronError.type).toBe('MalformedRequestBody');

    expect((await neutron(alice, 'DELETE', `/subnets/${subnet.body.subnet.id}`)).status).toBe(204);
    expect((await neutron(alice, 'DELETE', `/networks/${id}`)).status).toBe(204);
    expect((await neutron(alice, 'GET', `/networks/${id}`)).status).toBe(404);
  });
});

describe('Nova servers', () => {
  it('create, list, show, update, act on and delete a server; other projects see nothing', async () => {
    const image = await glance(alice, 'POST', '/images', {
      name: 'boot',
      disk_format: 'raw',
      container_format: 'bare',
    });
    const network = await neutron(alice, 'POST', '/networks', { network: { name: 'srv-net' } });
    await neutron(alice, 'POST', '/subnets', {
      subnet: { network_id: network.body.network.id, cidr: '10.5.0.0/24' },
    });
    await nova(alice, 'POST', '/os-keypairs', { keypair: { name: 'srv-key', public_key: ED25519 } });

    const created = await nova(alice, 'POST', '/servers', {
      server: {
        name: 'Web Server 1',
        flavorRef: flavorId,
        imageRef: image.body.id,
        key_name: 'srv-key',
        networks: [{ uuid: network.body.network.id }],
        metadata: { role: 'web' },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.server.id as string;
    expect(created.headers.get('location')).toBe(`${base}/compute/v2.1/servers/${id}`);
    const instance = await crByUid(Instance, env.projects[0], id);
    expect(instance?.metadata.name).toBe('web-server-1');
    expect(instance?.metadata.annotations?.['stratus.dev/created-by']).toBe(
      `stratus:user:${env.users.alice!.name}`,
    );
    expect(instance?.spec).toMatchObject({
      displayName: 'Web Server 1',
      flavor: flavorName,
      keyName: 'srv-key',
      metadata: { role: 'web' },
    });

    const detail = await nova(alice, 'GET', '/servers/detail?name=^Web');
    expect(detail.body.servers).toHaveLength(1);
    expect(detail.body.servers[0]).toMatchObject({
      id,
      name: 'Web Server 1',
      status: 'BUILD',
      key_name: 'srv-key',
      flavor: { id: flavorId },
      image: { id: image.body.id },
      metadata: { role: 'web' },
    });
    expect((await nova(alice, 'GET', '/servers?name=nomatch')).body.servers).toEqual([]);
    expect((await nova(alice, 'PUT', `/servers/${id}`, { server: { name: 'web-1' } })).body.server.name).toBe(
      'web-1',
    );

    // Nova's state rules: a building server cannot be stopped.
    const early = await nova(alice, 'POST', `/servers/${id}/action`, { 'os-stop': null });
    expect(early.status).toBe(409);
    expect(early.body.conflictingRequest.message).toMatch(/vm_state building/);
    // Playing the operator: the instance is up.
    await env.admin.apply(
      resourceOf(Instance),
      {
        metadata: { name: 'web-server-1', namespace: env.projects[0] },
        status: { state: 'ACTIVE', powerState: 'RUNNING' },
      },
      { subresource: 'status' },
    );
    await eventually(
      async () => (await nova(alice, 'GET', `/servers/${id}`)).body.server.status === 'ACTIVE',
      {
        description: 'the server to show ACTIVE',
      },
    );
    expect((await nova(alice, 'POST', `/servers/${id}/action`, { 'os-stop': null })).status).toBe(202);
    expect((await crByUid(Instance, env.projects[0], id))?.spec.powerState).toBe('Stopped');
    expect((await nova(alice, 'POST', `/servers/${id}/action`, { reboot: { type: 'HARD' } })).status).toBe(
      202,
    );
    expect((await crByUid(Instance, env.projects[0], id))?.spec.rebootRequest.type).toBe('HARD');
    expect((await nova(alice, 'POST', `/servers/${id}/action`, { pause: null })).status).toBe(400);

    // Tenancy is RBAC's: another project's user sees nothing and cannot use alice's network.
    expect((await nova(bob, 'GET', `/servers/${id}`)).status).toBe(404);
    expect((await nova(bob, 'GET', '/servers')).body.servers).toEqual([]);
    const foreign = await nova(bob, 'POST', '/servers', {
      server: {
        name: 'x',
        flavorRef: flavorId,
        imageRef: image.body.id,
        networks: [{ uuid: network.body.network.id }],
      },
    });
    expect(foreign.status).toBe(400);
    const reader = await nova(rita, 'POST', '/servers', {
      server: {
        name: 'x',
        flavorRef: flavorId,
        imageRef: image.body.id,
        networks: [{ uuid: network.body.network.id }],
      },
    });
    expect(reader.status).toBe(403);
    expect((await nova(rita, 'GET', '/servers')).body.servers).toHaveLength(1);

    const limits = await nova(alice, 'GET', '/limits');
    expect(limits.body.limits.absolute).toMatchObject({
      maxTotalInstances: 10,
      totalInstancesUsed: 1,
      totalCoresUsed: 1,
      totalRAMUsed: 512,
    });

    expect((await nova(alice, 'DELETE', `/servers/${id}`)).status).toBe(204);
    expect((await nova(alice, 'GET', '/servers')).body.servers).toEqual([]);
    expect((await nova(alice, 'GET', `/servers/${id}`)).status).toBe(404);
  });

  it('counts requests by service and code', async () => {
    const text = await (await fetch(`${env.api.healthUrl}/metrics`)).text();
    expect(text).toMatch(/stratus_api_requests_total\{service="compute",method="GET",code="404"\} \d+/);
    expect(text).toMatch(
      /stratus_api_request_duration_seconds_bucket\{le="[^"]+",service="image",method="PUT"\}/,
    );
  });
});
