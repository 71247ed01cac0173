import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SESSION_TOPICS, SessionId, characterChannels, gameMasterChannel, sessionChannel } from '@distributed-dungeon/contracts';
import type { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { adminPortOnly, cameThroughPublicPort } from '../admin-port.ts';
import type { AppContext } from '../context.ts';
import { appError, type ErrorCode, toProblem } from '../http/errors.ts';
import { registrationOf } from './repository.ts';
import { HumanAuth, type HumanPrincipal } from './service.ts';
import { sessionSecretOf } from './translate.ts';

interface Client {
  ws: WebSocket;
  channels: string[];
  alive: boolean;
  expiry: NodeJS.Timeout;
}

function hostOf(origin: string): string | undefined {
  return URL.canParse(origin) ? new URL(origin).host : undefined;
}

const refused = (code: ErrorCode, detail: string) => appError(code, detail);

/**
 * `/ws` for humans signed in with a cookie: a player gets exactly its character's channels (its
 * private one and the public ones of its session), a game master the public channels of the
 * session it names (`?session=`). Its own Redis subscriber keeps its subscriptions apart from
 * the character gateway's.
 */
export class HumanGateway {
  readonly #ctx: AppContext;
  readonly #auth: HumanAuth;
  readonly #sub: Redis;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  readonly #listeners = new Map<string, Set<Client>>();
  readonly #clients = new Set<Client>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(ctx: AppContext, subscriber: Redis) {
    this.#ctx = ctx;
    this.#auth = new HumanAuth(ctx);
    this.#sub = subscriber;
    this.#sub.on('message', (channel: string, message: string) => {
      for (const c of this.#listeners.get(channel) ?? []) {
        if (c.ws.bufferedAmount > ctx.config.ws.maxBufferedBytes) {
          // A browser that cannot keep up reconnects and resyncs from the state's version.
          c.ws.terminate();
          this.#drop(c);
          continue;
        }
        c.ws.send(message);
      }
    });
    this.#heartbeat = setInterval(() => this.#beat(), ctx.config.ws.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** An upgrade is ours when it carries no token but the session cookie. */
  claims(req: IncomingMessage): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    return !url.searchParams.has('token') && !req.headers.authorization && sessionSecretOf(req) !== undefined;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.#channelsFor(req).then(
      ({ channels, human }) => this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, channels, human)),
      (err: unknown) => {
        const problem = toProblem(err, { instance: req.url });
        if (problem.internal) this.#ctx.logger.error({ err }, 'human websocket upgrade failed');
        const body = JSON.stringify(problem.body);
        socket.end(`HTTP/1.1 ${problem.status} ${problem.body.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      },
    );
  }

  async #channelsFor(req: IncomingMessage): Promise<{ channels: string[]; human: HumanPrincipal }> {
    // Cookies ride along on cross-site WebSocket handshakes where SameSite does not stop them: the
    // page must come from this very host.
    const origin = req.headers.origin;
    if (origin && hostOf(origin) !== req.headers.host) throw refused('humans.origin', 'open the client from this server');
    const human = await this.#auth.resolve(sessionSecretOf(req)!);
    if (!human) throw refused('humans.not_signed_in', 'sign in again');
    if (human.kind === 'player') {
      const reg = await registrationOf(this.#ctx.db, human.characterId!);
      if (!reg) throw refused('humans.not_in_session', 'wait until it has registered');
      return { channels: characterChannels(reg.sessionId, human.characterId!), human };
    }
    // A game master's session counts on the admin port only (translate.ts says why).
    if (cameThroughPublicPort(req)) throw adminPortOnly("a game master's session");
    const session = SessionId.safeParse(new URL(req.url ?? '/', 'http://x').searchParams.get('session'));
    if (!session.success) throw refused('request.invalid', 'name the session: /ws?session=<id>');
    return { channels: [...SESSION_TOPICS.map((t) => sessionChannel(session.data, t)), gameMasterChannel(session.data)], human };
  }

  #accept(ws: WebSocket, channels: string[], human: HumanPrincipal): void {
    const ms = Math.min(2 ** 31 - 1, Math.max(0, human.expiresAt.getTime() - Date.now()));
    const client: Client = { ws, channels, alive: true, expiry: setTimeout(() => ws.close(4001, 'session expired'), ms) };
    this.#clients.add(client);
    for (const ch of channels) {
      let set = this.#listeners.get(ch);
      if (!set) {
        set = new Set();
        this.#listeners.set(ch, set);
        this.#sub.subscribe(ch).catch((err: unknown) => this.#ctx.logger.warn({ err, channel: ch }, 'subscribe failed'));
      }
      set.add(client);
    }
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data) => {
      if (data.toString() === 'ping') ws.send('pong');
    });
    ws.on('close', () => this.#drop(client));
    ws.on('error', (err) => this.#ctx.logger.debug({ err: err.message }, 'human websocket error'));
    ws.send(JSON.stringify({ type: 'gateway.ready', channels }));
  }

  #drop(client: Client): void {
    if (!this.#clients.delete(client)) return;
    clearTimeout(client.expiry);
    for (const ch of client.channels) {
      const set = this.#listeners.get(ch);
      set?.delete(client);
      if (set?.size === 0) {
        this.#listeners.delete(ch);
        this.#sub.unsubscribe(ch).catch((err: unknown) => this.#ctx.logger.debug({ err, channel: ch }, 'unsubscribe failed'));
      }
    }
  }

  #beat(): void {
    for (const c of this.#clients) {
      if (!c.alive) {
        c.ws.terminate();
        this.#drop(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const c of [...this.#clients]) {
      c.ws.terminate();
      this.#drop(c);
    }
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
