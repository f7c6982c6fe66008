// Serve the webhook app over TLS. Used by the webhook entry point, `make dev` and tests.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export function serveTls(
  app: express.Express,
  tls: { certPem: string; keyPem: string },
  port = 0,
  host = '127.0.0.1',
): Promise<RunningServer> {
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' }, app);
  // The apiserver keeps connections alive between reviews; don't hold shutdown hostage.
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
