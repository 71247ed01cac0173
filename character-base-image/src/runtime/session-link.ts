import type { RegistrationRequest, RegistrationResponse } from '@distributed-dungeon/contracts';
import type { CharacterBase } from '../character/base.ts';
import { RedisEventSource, WebSocketEventSource, type EventSource } from '../communication/events.ts';
import { HttpError, type RegistryClient } from '../communication/registry.ts';
import type { LocalView } from '../state/view.ts';
import type { GameEvent, GameState } from '../types.ts';
import type { CharacterPersistence } from './persistence.ts';
import type { Logger, ResolvedSettings } from './settings.ts';

interface SessionLinkDeps {
  settings: ResolvedSettings;
  character: CharacterBase;
  registry: RegistryClient;
  view: LocalView;
  persistence: CharacterPersistence;
  log: Logger;
  signal: AbortSignal;
  /** Every event the stream delivers, in order. */
  onEvent(event: GameEvent): void;
  /** After a fresh picture of the game arrived (resync), so the character may act on it. */
  onFreshState(): void;
  isStopping(): boolean;
}

/**
 * The character's link to its session: registration (and registering again when the registry
 * forgot us), the event stream on the transport the settings ask for, heartbeats with token
 * refresh, and resyncing the local view when the stream cannot be trusted.
 */
export class SessionLink {
  readonly #d: SessionLinkDeps;
  #events: EventSource | null = null;
  #channels = '';
  #resyncing: Promise<void> | null = null;

  constructor(deps: SessionLinkDeps) {
    this.#d = deps;
  }

  async register(): Promise<void> {
    const { settings, character, registry, persistence, log } = this.#d;
    const c = character.config;
    const saved = persistence.saved;
    const request: RegistrationRequest = {
      characterId: settings.characterId,
      name: c.name,
      class: c.class as RegistrationRequest['class'],
      level: c.level,
      containerEndpoint: settings.endpoint,
      capabilities: character.capabilities,
      version: c.version ?? '1.0.0',
      ...(c.abilities ? { abilities: c.abilities } : {}),
      ...(settings.rejoinSession && saved.sessionId
        ? { sessionId: saved.sessionId }
        : settings.sessionId
          ? { sessionId: settings.sessionId }
          : {}),
    };
    const res = await registry.register(request, { signal: this.#d.signal });
    log.info({ sessionId: res.sessionId, channels: res.eventChannels }, 'registered');
    if (saved.sessionId && saved.sessionId !== res.sessionId) saved.view = null;
    saved.sessionId = res.sessionId;
    saved.registeredAt = new Date().toISOString();
    this.#takeSnapshot(res.gameState);
    await this.#subscribe(res);
    persistence.schedule();
  }

  /** Fetches a fresh snapshot (or registers again) when the event stream cannot be trusted. */
  resync(reason: string): Promise<void> {
    if (this.#d.isStopping()) return Promise.resolve();
    this.#resyncing ??= (async () => {
      const { registry, log } = this.#d;
      log.info({ reason }, 'resyncing');
      try {
        const state = await registry.sessionState();
        if (!this.#takeSnapshot(state)) await this.register();
      } catch (err) {
        log.warn({ err: String(err) }, 'resync from the session state failed; registering again');
        await this.register().catch((e) => log.error({ err: String(e) }, 'registering again failed'));
      } finally {
        this.#resyncing = null;
      }
      this.#d.onFreshState();
    })();
    return this.#resyncing;
  }

  async heartbeat(): Promise<void> {
    const { registry, log } = this.#d;
    if (!registry.credentials) return;
    try {
      if (registry.tokenNeedsRefresh()) await registry.refreshToken();
      await registry.heartbeat();
    } catch (err) {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 404)) {
        log.warn({ status: err.status }, 'the registry forgot us; registering again');
        await this.register().catch((e) => log.error({ err: String(e) }, 're-registration failed'));
      } else {
        log.warn({ err: String(err) }, 'heartbeat failed');
      }
    }
  }

  async close(): Promise<void> {
    await this.#events?.stop();
  }

  #takeSnapshot(gameState: Record<string, unknown> | undefined): boolean {
    const gs = gameState as GameState | undefined;
    if (gs && gs.characterId === this.#d.settings.characterId && gs.me && typeof gs.version === 'number') {
      this.#d.view.reset(gs);
      return true;
    }
    return false;
  }

  async #subscribe(res: RegistrationResponse): Promise<void> {
    const { settings, registry, log } = this.#d;
    const key = JSON.stringify([res.eventChannels, res.eventBus.url, settings.transport]);
    if (this.#events && key === this.#channels) return;
    await this.#events?.stop();
    this.#channels = key;
    const handlers = {
      onEvent: (event: GameEvent) => this.#d.onEvent(event),
      onReconnect: () => void this.resync('event stream reconnected'),
      onError: (err: Error) => log.warn({ err: err.message }, 'event stream error'),
    };
    const ws = () =>
      new WebSocketEventSource({ ...handlers, baseUrl: settings.registryUrl, path: res.websocketUrl || '/ws', token: () => registry.credentials?.token ?? '' });
    if (settings.transport === 'websocket') {
      this.#events = ws();
      await this.#events.start();
      return;
    }
    const redis = new RedisEventSource({ ...handlers, url: res.eventBus.url, username: res.eventBus.username, password: res.eventBus.password, channels: res.eventChannels });
    try {
      await redis.start();
      this.#events = redis;
    } catch (err) {
      await redis.stop();
      if (settings.transport !== 'auto') throw err;
      log.warn({ err: String(err) }, 'Redis unreachable, using the WebSocket gateway');
      this.#events = ws();
      await this.#events.start();
    }
  }
}
