import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The character's own REST API on :3000 (probes and a window into its state). node:http only:
// the image stays small and the surface tiny.

export interface CharacterApiOptions {
  port?: number;
  host?: string;
  /** Ready once registered and subscribed. */
  isReady: () => boolean;
  state: () => unknown;
  /** Extra facts for /healthz (uptime, version...). */
  health?: () => Record<string, unknown>;
}

export interface CharacterApi {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startCharacterApi(options: CharacterApiOptions): Promise<CharacterApi> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    const path = (req.url ?? '/').split('?')[0];
    try {
      switch (path) {
        case '/healthz':
          return send(200, { status: 'ok', ...options.health?.() });
        case '/readyz':
          return options.isReady() ? send(200, { status: 'ready' }) : send(503, { status: 'not ready' });
        case '/state':
          return send(200, options.state() ?? null);
        default:
          return send(404, { error: 'not found' });
      }
    } catch (err) {
      return send(500, { error: (err as Error).message });
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
