import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('embeds credentials so the file is self-contained', () => {
    const doc = parse(
      renderKubeconfig({
        server: 'https://127.0.0.1:6443',
        caPem: 'CA',
        certPem: 'CERT',
        keyPem: 'KEY',
        name: 'local',
      }),
    ) as Record<string, unknown>;
    expect(doc).toMatchObject({
      'current-context': 'local',
      clusters: [
        {
          name: 'local',
          cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' },
        },
      ],
      users: [{ name: 'local', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'local' } }],
    });
  });
});
