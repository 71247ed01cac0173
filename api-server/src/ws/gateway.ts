import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { characterChannels } from '@distributed-dungeon/contracts';
import type { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../context.ts';
import { bearerToken } from '../http/auth.ts';
import { appError, toProblem } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import { textFrame } from './frame.ts';
import { assertGrounds, GROUNDS_CHANNEL, judgeGrounds, loadGrounds } from '../registry/grounds.ts';

/** Close codes in the private range: the client can tell why without parsing reasons. */
const WS_CLOSE = { tokenExpired: 4001, groundsGone: 4003, slowConsumer: 4008, goingAway: 1001 } as const;

interface Client {
  ws: WebSocket;
  /** The upgraded connection under `ws`: fan-out writes its pre-built frames here (frame.ts). */
  socket: Duplex;
  principal: CharacterPrincipal;
  channels: string[];
  alive: boolean;
  expiry: NodeJS.Timeout;
}

/** The token of an upgrade: `?token=`, `Authorization: Bearer`, or `Sec-WebSocket-Protocol: bearer, <jwt>`. */
export function upgradeToken(req: Pick<IncomingMessage, 'url' | 'headers'>): string | undefined {
  const fromQuery = new URL(req.url ?? '/', 'http://gateway').searchParams.get('token');
  if (fromQuery) return fromQuery;
  const fromHeader = bearerToken(req);
  if (fromHeader) return fromHeader;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const at = protocols.indexOf('bearer');
  return at >= 0 ? protocols[at + 1] : undefined;
}

/**
 * `GET /ws`: bridges exactly a character's channels from Redis to its WebSocket. One Redis
 * subscriber connection serves every client; a channel is subscribed while someone listens.
 */
export class WsGateway {
  readonly #ctx: AppContext;
  readonly #sub: Redis;
  readonly #wss: WebSocketServer;
  readonly #listeners = new Map<string, Set<Client>>();
  readonly #clients = new Set<Client>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(ctx: AppContext, subscriber: Redis) {
    this.#ctx = ctx;
    this.#sub = subscriber;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      // Fan-out writes uncompressed frames of its own beside ws's (frame.ts): no deflate queue.
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('bearer') ? 'bearer' : false),
    });
    this.#sub.on('message', (channel: string, message: string) => {
      if (channel === GROUNDS_CHANNEL) void this.#rejudge([message]);
      else this.#fanOut(channel, message);
    });
    // Any replica that revokes, deregisters, expires or moves a character says so here; the sweep
    // in #beat catches a notice that was lost while Redis was away.
    this.#sub.subscribe(GROUNDS_CHANNEL).catch((err: unknown) => ctx.logger.warn({ err }, 'subscribe to credential-grounds notices failed'));
    this.#heartbeat = setInterval(() => this.#beat(), ctx.config.ws.heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * Closes (4003) the sockets of these characters whose token grounds are gone: revoked key,
   * deregistered or expired character, or a newer registration (another session included).
   */
  async #rejudge(characterIds: string[]): Promise<void> {
    const ids = [...new Set(characterIds)];
    if (ids.length === 0) return;
    const affected = [...this.#clients].filter((c) => ids.includes(c.principal.characterId));
    if (affected.length === 0) return;
    let grounds;
    try {
      grounds = await loadGrounds(this.#ctx.db, ids);
    } catch (err) {
      this.#ctx.logger.warn({ err }, 'could not check the grounds of open websockets; keeping them until the next sweep');
      return;
    }
    for (const client of affected) {
      const refusal = judgeGrounds(client.principal, grounds.get(client.principal.characterId));
      if (!refusal) continue;
      this.#ctx.logger.info({ characterId: client.principal.characterId, code: refusal.code }, 'websocket closed: its token no longer holds');
      client.ws.close(WS_CLOSE.groundsGone, refusal.code);
      this.#drop(client);
    }
  }

  get size(): number {
    return this.#clients.size;
  }

  /** For the HTTP server's `upgrade` event; answers a problem+json status when refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#authenticate(req)
      .then(
        (principal) => {
          // The client may have gone while its token was checked.
          if (socket.destroyed) return;
          this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket, principal));
        },
        (err: unknown) => {
          const problem = toProblem(err, { instance: req.url });
          if (problem.internal) this.#ctx.logger.error({ err }, 'websocket upgrade failed');
          if (socket.destroyed) return;
          const body = JSON.stringify(problem.body);
          socket.end(
            `HTTP/1.1 ${problem.status} ${problem.body.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        },
      )
      .catch((err: unknown) => {
        // Never an unhandled rejection (which would end the process): drop this one connection.
        this.#ctx.logger.error({ err }, 'websocket upgrade failed');
        socket.destroy();
      });
  }

  async #authenticate(req: IncomingMessage): Promise<CharacterPrincipal> {
    const token = upgradeToken(req);
    if (!token) throw appError('auth.missing_credentials', 'send ?token=<jwt>');
    const principal = this.#ctx.tokens.verify(token);
    await assertGrounds(this.#ctx.db, principal);
    return principal;
  }

  #accept(ws: WebSocket, socket: Duplex, principal: CharacterPrincipal): void {
    const ms = Math.min(2 ** 31 - 1, Math.max(0, principal.expiresAt.getTime() - Date.now()));
    const client: Client = {
      ws,
      socket,
      principal,
      channels: characterChannels(principal.sessionId, principal.characterId),
      alive: true,
      expiry: setTimeout(() => ws.close(WS_CLOSE.tokenExpired, 'token expired'), ms),
    };
    this.#clients.add(client);
    this.#ctx.metrics.wsConnections.set(this.#clients.size);
    for (const ch of client.channels) {
      let set = this.#listeners.get(ch);
      if (!set) {
        set = new Set();
        this.#listeners.set(ch, set);
        this.#sub.subscribe(ch).catch((err: unknown) => this.#ctx.logger.warn({ err, channel: ch }, 'subscribe failed'));
      }
      set.add(client);
    }
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data) => {
      // Clients cannot write to the bus through the gateway; an app-level ping is answered.
      if (data.toString() === 'ping') ws.send('pong');
    });
    ws.on('close', () => this.#drop(client));
    ws.on('error', (err) => this.#ctx.logger.debug({ err: err.message }, 'websocket error'));
    ws.send(JSON.stringify({ type: 'gateway.ready', channels: client.channels }));
  }

  #drop(client: Client): void {
    if (!this.#clients.delete(client)) return;
    clearTimeout(client.expiry);
    this.#ctx.metrics.wsConnections.set(this.#clients.size);
    for (const ch of client.channels) {
      const set = this.#listeners.get(ch);
      set?.delete(client);
      if (set && set.size === 0) {
        this.#listeners.delete(ch);
        this.#sub.unsubscribe(ch).catch((err: unknown) => this.#ctx.logger.debug({ err, channel: ch }, 'unsubscribe failed'));
      }
    }
  }

  #fanOut(channel: string, message: string): void {
    const set = this.#listeners.get(channel);
    if (!set) return;
    // Framed once for every socket, one write each: ws.send framed every copy again and wrote
    // header and payload apart (a fifth of the loop's CPU, api-server/bench/fanout.ts). Whole
    // frames stay in order with ws's own (ready, pong, ping, close), which ws writes at once
    // too: the gateway negotiates no compression.
    const frame = textFrame(Buffer.from(message));
    for (const client of set) {
      // Closing or closed: nothing may follow a close frame.
      if (client.ws.readyState !== client.ws.OPEN) continue;
      // A client that cannot keep up is cut off rather than buffered without bound; it can
      // reconnect and reconcile from the session state and the envelope versions.
      if (client.ws.bufferedAmount > this.#ctx.config.ws.maxBufferedBytes) {
        this.#ctx.metrics.wsDropped.inc();
        this.#ctx.logger.warn({ characterId: client.principal.characterId, buffered: client.ws.bufferedAmount }, 'slow websocket consumer cut off');
        client.ws.terminate();
        this.#drop(client);
        continue;
      }
      client.socket.write(frame);
    }
  }

  #beat(): void {
    void this.#rejudge([...this.#clients].map((c) => c.principal.characterId));
    for (const client of this.#clients) {
      if (!client.alive) {
        client.ws.terminate();
        this.#drop(client);
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }

  /** Closes every connection (1001), then forcibly after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    clearInterval(this.#heartbeat);
    const closing = [...this.#clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === c.ws.CLOSED) return resolve();
          c.ws.once('close', () => resolve());
          c.ws.close(WS_CLOSE.goingAway, 'server shutting down');
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closing), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const c of this.#clients) {
      c.ws.terminate();
      this.#drop(c);
    }
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
