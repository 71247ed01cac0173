// The admin API on a port of its own (ADMIN_PORT). Character pods reach only the public port
// (the chart's NetworkPolicy), and the public port refuses the admin credential outright: a
// request bearing the admin token, signing a game master in with it, or carrying a game
// master's session cookie (a browser sends the cookie made on the admin port to every port of
// the host: humans/translate.ts and humans/gateway.ts ask `cameThroughPublicPort`). So player
// code cannot use the admin API even with the token in hand, and a bug in a route's admin check
// is not reachable from a character pod.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { appError, toProblem } from './http/errors.ts';

const GAME_MASTER_SIGN_IN = '/api/humans/game-master';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// The requests (and WebSocket upgrades) the public port took while an admin port exists.
const publicRequests = new WeakSet<IncomingMessage>();

/** Marks a request as taken by the public port (the upgrade listener of that port calls it too). */
export function markPublic(req: IncomingMessage): void {
  publicRequests.add(req);
}

/** Whether the request came through the public port of a server that has an admin port. */
export function cameThroughPublicPort(req: IncomingMessage): boolean {
  return publicRequests.has(req);
}

export const adminPortOnly = (what: string) => appError('auth.admin_port_only', `${what} is served on the admin port only, which character pods cannot reach`);

/** Whether a request would act as the admin: the admin token as bearer, or a game-master sign-in. */
export function claimsAdmin(req: Pick<IncomingMessage, 'headers' | 'url'>, adminToken: string): boolean {
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  if (path === GAME_MASTER_SIGN_IN) return true;
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
  return bearer !== '' && sameSecret(bearer, adminToken);
}

/** The public port's handler: `app`, except that the admin credential is refused (403). */
export function publicOnly(app: RequestListener, adminToken: string, adminPort: number): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    markPublic(req);
    if (!claimsAdmin(req, adminToken)) return app(req, res);
    const problem = toProblem(adminPortOnly(`the admin API (port ${adminPort})`), { instance: req.url });
    req.resume();
    res.writeHead(problem.status, problem.headers).end(JSON.stringify(problem.body));
  };
}

export interface AdminListener {
  server: Server;
  url: string;
  port: number;
}

/** Listens on the admin port with the whole app (TLS as the public port). */
export async function listenAdmin(app: RequestListener, port: number, host: string, tls: { cert: Buffer; key: Buffer } | undefined): Promise<AdminListener> {
  const server = tls ? createTlsServer(tls, app) : createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { server, port: bound, url: `${tls ? 'https' : 'http'}://${h.includes(':') ? `[${h}]` : h}:${bound}` };
}
