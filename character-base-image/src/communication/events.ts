import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { GameEvent } from '../types.ts';
import { backoffDelay } from './backoff.ts';
import { SeenEvents } from './dedupe.ts';
import { gatewayUrl } from './urls.ts';

// Event subscription: Redis pub/sub with the character's own ACL user (limited to its channels),
// or the api-server's WebSocket gateway for characters that cannot reach Redis. Both reconnect
// on their own with backoff and call `onReconnect` — events may have been missed meanwhile.

export interface EventSource {
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface EventSourceHandlers {
  onEvent: (event: GameEvent, channel: string) => void;
  onReconnect?: () => void;
  onError?: (err: Error) => void;
}

function parse(raw: string, handlers: EventSourceHandlers, channel: string, seen: SeenEvents): void {
  let event: GameEvent;
  try {
    event = JSON.parse(raw) as GameEvent;
  } catch (err) {
    handlers.onError?.(err as Error);
    return;
  }
  if (!event || typeof event.type !== 'string') return;
  // At-least-once delivery: a repeat of an event already handled is dropped here.
  if (seen.seen(event.id)) return;
  handlers.onEvent(event, channel);
}

interface RedisEventSourceOptions extends EventSourceHandlers {
  url: string;
  username: string;
  password: string;
  channels: string[];
}

export class RedisEventSource implements EventSource {
  readonly #opts: RedisEventSourceOptions;
  readonly #seen = new SeenEvents();
  #redis: Redis | null = null;

  constructor(options: RedisEventSourceOptions) {
    this.#opts = options;
  }

  async start(): Promise<void> {
    const o = this.#opts;
    let connectedOnce = false;
    const redis = new Redis(o.url, {
      username: o.username,
      password: o.password,
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => 100 + backoffDelay(times, { baseMs: 200, maxMs: 10_000 }),
    });
    this.#redis = redis;
    redis.on('error', (err: Error) => o.onError?.(err));
    redis.on('ready', () => {
      if (connectedOnce) o.onReconnect?.();
      connectedOnce = true;
    });
    redis.on('message', (channel: string, message: string) => parse(message, o, channel, this.#seen));
    await redis.connect();
    await redis.subscribe(...o.channels);
  }

  async stop(): Promise<void> {
    const redis = this.#redis;
    this.#redis = null;
    if (!redis) return;
    try {
      await redis.quit();
    } catch (err) {
      redis.disconnect();
      this.#opts.onError?.(err as Error);
    }
  }
}

interface WebSocketEventSourceOptions extends EventSourceHandlers {
  /** The api-server's URL, a path prefix included (http → ws), and the gateway path under it (default /ws). */
  baseUrl: string;
  path?: string;
  /** Asked on every (re)connect, so a refreshed token is used. */
  token: () => string;
}

export class WebSocketEventSource implements EventSource {
  readonly #opts: WebSocketEventSourceOptions;
  readonly #seen = new SeenEvents();
  #ws: WebSocket | null = null;
  #stopped = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: WebSocketEventSourceOptions) {
    this.#opts = options;
  }

  start(): Promise<void> {
    this.#stopped = false;
    return new Promise((resolve) => this.#connect(resolve));
  }

  #connect(onOpen?: () => void): void {
    const o = this.#opts;
    const url = gatewayUrl(o.baseUrl, o.path);
    url.searchParams.set('token', o.token());
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.on('open', () => {
      if (this.#attempt > 0) o.onReconnect?.();
      this.#attempt = 0;
      onOpen?.();
      onOpen = undefined;
    });
    ws.on('message', (data) => parse(data.toString(), o, 'ws', this.#seen));
    ws.on('error', (err) => o.onError?.(err));
    ws.on('close', () => {
      if (this.#stopped) return;
      const delay = 100 + backoffDelay(this.#attempt++, { baseMs: 250, maxMs: 15_000 });
      this.#timer = setTimeout(() => this.#connect(onOpen), delay);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ws?.close();
    this.#ws = null;
  }
}
