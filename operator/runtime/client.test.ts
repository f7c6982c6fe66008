// KubeClient's impersonation headers, checked on the wire against a local HTTP listener
// standing in for the apiserver (what the apiserver does with them is the integration
// tests' business: operator/openstack/test).
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { kube } from '../kinds/external.js';

let server: Server;
let seen: Array<{ headers: IncomingHttpHeaders; raw: string[] }> = [];

function kubeConfig(port: number, user: Record<string, unknown> = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ headers: req.headers, raw: req.rawHeaders });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const port = () => (server.address() as AddressInfo).port;
/** Every value of a header as sent, one per header line (rawHeaders alternates name, value). */
const values = (raw: string[], name: string) =>
  raw.flatMap((value, i) => (i % 2 === 1 && raw[i - 1]!.toLowerCase() === name ? [value] : []));

describe('KubeClient impersonation', () => {
  it('sends no impersonation headers by default', async () => {
    seen = [];
    await new KubeClient(kubeConfig(port())).get(kube.configMaps, 'x', 'ns');
    expect(seen[0]!.headers['impersonate-user']).toBeUndefined();
    expect(seen[0]!.headers['impersonate-group']).toBeUndefined();
  });

  it('sends the user and one Impersonate-Group line per group', async () => {
    seen = [];
    const client = new KubeClient(kubeConfig(port()), {
      impersonate: { user: 'stratus:user:alice', groups: ['stratus:users', 'system:authenticated'] },
    });
    await client.get(kube.configMaps, 'x', 'ns');
    expect(values(seen[0]!.raw, 'impersonate-user')).toEqual(['stratus:user:alice']);
    expect(values(seen[0]!.raw, 'impersonate-group')).toEqual(['stratus:users', 'system:authenticated']);
    client.close();
  });

  it('overrides an impersonating kubeconfig instead of adding to it', async () => {
    seen = [];
    const client = new KubeClient(kubeConfig(port(), { impersonateUser: 'someone-else' }), {
      impersonate: { user: 'stratus:user:bob' },
    });
    await client.get(kube.configMaps, 'x', 'ns');
    expect(values(seen[0]!.raw, 'impersonate-user')).toEqual(['stratus:user:bob']);
    expect(values(seen[0]!.raw, 'impersonate-group')).toEqual([]);
  });
});
