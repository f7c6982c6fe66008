// The OpenStack CLI against `make dev`, as a user moving from OpenStack would drive it:
// Debian's python3-openstackclient, the openrc `make dev` writes, and the command
// list — token, catalog, flavors, images (upload included), keypairs, networks, subnets and
// a server's life cycle — each object then visible through kubectl in the project's
// namespace. (The VMs are SIMULATED: the backend simulator plays KubeVirt, CDI and Kube-OVN.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainBinaries, repoRoot } from '../harness/binaries.js';
import { eventually } from '../harness/testing/eventually.js';

const OPENSTACK = process.env.OPENSTACK_CLI ?? '/usr/bin/openstack';
const haveCli = existsSync(OPENSTACK);

let child: ChildProcess | undefined;
let devDir = '';
let output = '';
let env: NodeJS.ProcessEnv = {};
let kubectlPath = '';
let kubeconfig = '';

/** `openstack <args>`; fails the test with the CLI's own output when it exits non-zero. */
function openstack(...args: string[]): string {
  const result = spawnSync(OPENSTACK, args, { env, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) {
    throw new Error(
      `openstack ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result.stdout;
}

/** `openstack <args> -f json`, parsed. */
function openstackJson<T = Record<string, unknown>>(...args: string[]): T {
  return JSON.parse(openstack(...args, '-f', 'json')) as T;
}

function kubectl(...args: string[]): string {
  const result = spawnSync(kubectlPath, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** The object in namespace demo whose metadata.uid is the OpenStack id. */
function kubectlByUid(plural: string, uid: string): { metadata: { name: string; uid: string } } | undefined {
  // Fully qualified: `subnets` alone would be Kube-OVN's.
  const list = JSON.parse(kubectl('get', `${plural}.stratus.dev`, '-n', 'demo', '-o', 'json')) as {
    items: Array<{ metadata: { name: string; uid: string } }>;
  };
  return list.items.find((i) => i.metadata.uid === uid);
}

function parseOpenrc(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export (OS_[A-Z_]+)=(.*)$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

describe.skipIf(!haveCli)('the openstack CLI against make dev', () => {
  beforeAll(async () => {
    const binaries = await obtainBinaries();
    kubectlPath = binaries.kubectl;
    devDir = mkdtempSync(join(tmpdir(), 'stratus-openstack-e2e-'));
    kubeconfig = join(devDir, 'kubeconfig');
    child = spawn('make', ['--no-print-directory', 'dev'], {
      cwd: repoRoot,
      env: { ...process.env, STRATUS_DEV_DIR: devDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The openrc is the last thing make dev writes: once it exists, the API serves.
    await eventually(() => existsSync(join(devDir, 'openrc')) || child!.exitCode !== null, {
      timeoutMs: 240_000,
      intervalMs: 200,
      description: '.stratus/dev/openrc to appear',
    });
    expect(child.exitCode, output).toBeNull();
    const vars = parseOpenrc(readFileSync(join(devDir, 'openrc'), 'utf8'));
    expect(Object.keys(vars).sort()).toEqual([
      'OS_AUTH_URL',
      'OS_IDENTITY_API_VERSION',
      'OS_PASSWORD',
      'OS_PROJECT_DOMAIN_NAME',
      'OS_PROJECT_NAME',
      'OS_REGION_NAME',
      'OS_USERNAME',
      'OS_USER_DOMAIN_NAME',
    ]);
    // Only the openrc's variables: nothing from the developer's own cloud config leaks in.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
    env = { ...clean, ...vars, HOME: devDir };
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    if (devDir) rmSync(devDir, { recursive: true, force: true });
  });

  it('issues a token and lists the catalog', () => {
    const token = openstackJson<{ id: string; project_id: string; user_id: string }>('token', 'issue');
    expect(token.id.length).toBeGreaterThan(50);
    const project = JSON.parse(kubectl('get', 'projects.stratus.dev', 'demo', '-o', 'json')) as {
      metadata: { uid: string };
    };
    expect(token.project_id).toBe(project.metadata.uid);
    const catalog = openstackJson<Array<{ Name: string; Type: string }>>('catalog', 'list');
    expect(catalog.map((c) => c.Type).sort()).toEqual(['compute', 'identity', 'image', 'network']);
  });

  it('runs a server through its life cycle, every object visible through kubectl', async () => {
    const flavors = openstackJson<Array<{ Name: string }>>('flavor', 'list');
    expect(flavors.map((f) => f.Name)).toContain('m1.small');
    const images = openstackJson<Array<{ Name: string; Status: string }>>('image', 'list');
    expect(images.map((i) => i.Name)).toContain('cirros-0.6.2-x86_64');

    // Image upload: the bytes stream into the API and on to the importer.
    const file = join(devDir, 'disk.raw');
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, 7));
    const image = openstackJson<{ id: string; name: string }>(
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      'e2e-image',
    );
    expect(kubectlByUid('images', image.id)).toBeDefined();
    const uploaded = openstackJson<{ size: number; checksum: string }>('image', 'show', image.id);
    expect(uploaded.size).toBe(2 * 1024 * 1024);

    // A generated keypair: the private key comes back once.
    const privateKey = openstack('keypair', 'create', 'e2e-key');
    expect(privateKey).toContain('PRIVATE KEY');
    const keyPairs = JSON.parse(kubectl('get', 'keypairs.stratus.dev', '-n', 'demo', '-o', 'json')) as {
      items: Array<{ spec: { displayName?: string } }>;
    };
    expect(keyPairs.items.map((k) => k.spec.displayName)).toContain('e2e-key');

    const network = openstackJson<{ id: string }>('network', 'create', 'e2e-net');
    expect(kubectlByUid('networks', network.id)).toBeDefined();
    const subnet = openstackJson<{ id: string; cidr: string }>(
      'subnet',
      'create',
      '--network',
      'e2e-net',
      '--subnet-range',
      '10.77.0.0/24',
      'e2e-subnet',
    );
    expect(subnet.cidr).toBe('10.77.0.0/24');
    expect(kubectlByUid('subnets', subnet.id)).toBeDefined();

    const server = openstackJson<{ id: string; status: string; addresses: unknown }>(
      'server',
      'create',
      '--flavor',
      'm1.small',
      '--image',
      'e2e-image',
      '--network',
      'e2e-net',
      '--key-name',
      'e2e-key',
      '--wait',
      'e2e-server',
    );
    expect(server.status).toBe('ACTIVE');
    const instance = kubectlByUid('instances', server.id);
    expect(instance).toBeDefined();

    const list = openstackJson<Array<{ ID: string; Name: string; Status: string }>>('server', 'list');
    expect(list.find((s) => s.ID === server.id)).toMatchObject({ Name: 'e2e-server', Status: 'ACTIVE' });
    const shown = openstackJson<{ status: string; key_name: string; addresses: unknown }>(
      'server',
      'show',
      server.id,
    );
    expect(shown).toMatchObject({ status: 'ACTIVE', key_name: 'e2e-key' });
    expect(JSON.stringify(shown.addresses)).toContain('10.77.0.');

    const status = () => openstackJson<{ status: string }>('server', 'show', server.id).status;
    const field = (path: string) =>
      kubectl(
        'get',
        'instances.stratus.dev',
        instance!.metadata.name,
        '-n',
        'demo',
        '-o',
        `jsonpath={${path}}`,
      );
    const settled = { timeoutMs: 60_000, intervalMs: 500 };

    openstack('server', 'stop', server.id);
    expect(field('.spec.powerState')).toBe('Stopped');
    await eventually(() => status() === 'SHUTOFF', { ...settled, description: 'the server to be SHUTOFF' });
    openstack('server', 'start', server.id);
    expect(field('.spec.powerState')).toBe('Running');
    await eventually(() => status() === 'ACTIVE', {
      ...settled,
      description: 'the server to be ACTIVE again',
    });
    openstack('server', 'reboot', server.id);
    const reboot = field('.spec.rebootRequest.id');
    expect(field('.spec.rebootRequest.type')).toBe('SOFT');
    await eventually(() => field('.status.lastReboot.id') === reboot && status() === 'ACTIVE', {
      ...settled,
      description: 'the reboot to be done',
    });

    openstack('server', 'delete', '--wait', server.id);
    expect(kubectlByUid('instances', server.id)).toBeUndefined();
    expect(openstackJson<Array<{ ID: string }>>('server', 'list').some((s) => s.ID === server.id)).toBe(
      false,
    );
  });
});
