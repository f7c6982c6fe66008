import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Cluster, user and context name. */
  name: string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A self-contained kubeconfig (credentials embedded), so it can be copied anywhere. */
export function renderKubeconfig({ server, caPem, certPem, keyPem, name }: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name, user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}
