import { randomUUID } from 'node:crypto';
import { Action, type RegistrationRequest, type RegistrationResponse } from '@distributed-dungeon/contracts';
import type { CharacterBase, HookResult } from '../character/base.ts';
import { startCharacterApi, type CharacterApi } from '../communication/api.ts';
import { RedisEventSource, WebSocketEventSource, type EventSource } from '../communication/events.ts';
import { HttpError, RegistryClient } from '../communication/registry.ts';
import { DurableStore } from '../state/store.ts';
import { LocalView } from '../state/view.ts';
import type { ActionDraft, GameEvent, GameState } from '../types.ts';

// The runtime around a player's character: REST API, registration, events, the local view,
// durable state, and the loop that asks the character's hooks what to do.

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface RuntimeSettings {
  characterId: string;
  registryUrl: string;
  apiKey: string;
  /** This container's own URL, as the registry should reach it. */
  endpoint: string;
  dataDir: string;
  port: number;
  host?: string;
  /** `redis` (default), `websocket`, or `auto` (Redis, else the WebSocket gateway). */
  transport?: 'redis' | 'websocket' | 'auto';
  /** Least time between two exploration decisions. */
  actIntervalMs?: number;
  /** A hook that takes longer than this is abandoned (the game then defends for us). */
  decisionTimeoutMs?: number;
  heartbeatMs?: number;
  snapshotMs?: number;
  keepSnapshots?: number;
  /** Ask for the saved session again on restart (default true). */
  rejoinSession?: boolean;
  /** The session to ask for on the first registration (else the registry picks one). */
  sessionId?: string;
}

/** What the runtime keeps under the data directory. */
export interface SavedCharacter {
  characterId: string;
  sessionId: string | null;
  memory: Record<string, unknown>;
  view: GameState | null;
  looted: string[];
  registeredAt: string | null;
}

const LOOT_RETRY_MS = 10_000;

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** At most one state refresh per this long after refused actions. */
const REFUSAL_RESYNC_MS = 1_000;

export class CharacterRuntime {
  readonly character: CharacterBase;
  readonly settings: Required<Omit<RuntimeSettings, 'host' | 'sessionId'>> & { host?: string; sessionId?: string };
  readonly registry: RegistryClient;
  readonly store: DurableStore<SavedCharacter>;
  readonly view: LocalView;
  readonly log: Logger;
  #api: CharacterApi | null = null;
  #events: EventSource | null = null;
  #channels = '';
  #ready = false;
  #stopping = false;
  #timers: NodeJS.Timeout[] = [];
  #abort = new AbortController();
  #saved: SavedCharacter;
  #thinking = false;
  #thinkAgain = false;
  #lastExploreAt = 0;
  #resyncing: Promise<void> | null = null;
  #saveTimer: NodeJS.Timeout | null = null;
  #startedAt = Date.now();
  #actionsSent = 0;
  readonly #lootRetryAt = new Map<string, number>();
  readonly #lootAttempts = new Map<string, number>();

  constructor(character: CharacterBase, settings: RuntimeSettings, options: { logger?: Logger; fetch?: typeof fetch } = {}) {
    this.character = character;
    this.settings = {
      transport: 'redis',
      actIntervalMs: 750,
      decisionTimeoutMs: 5000,
      heartbeatMs: 15_000,
      snapshotMs: 60_000,
      keepSnapshots: 5,
      rejoinSession: true,
      ...settings,
    };
    character.config.characterId ??= settings.characterId;
    this.log = options.logger ?? quietLogger;
    this.registry = new RegistryClient({
      baseUrl: settings.registryUrl,
      apiKey: settings.apiKey,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retry: { onRetry: (err, attempt, delay) => this.log.warn({ err: String(err), attempt, delay }, 'registry unreachable, retrying') },
    });
    this.store = new DurableStore<SavedCharacter>({ dir: settings.dataDir, name: 'character', keepSnapshots: this.settings.keepSnapshots });
    this.view = new LocalView({ onResync: (reason) => void this.resync(reason) });
    this.#saved = { characterId: settings.characterId, sessionId: null, memory: {}, view: null, looted: [], registeredAt: null };
  }

  get ready(): boolean {
    return this.#ready;
  }

  get sessionId(): string | null {
    return this.registry.credentials?.sessionId ?? this.#saved.sessionId;
  }

  async start(): Promise<void> {
    await this.store.init();
    const saved = await this.store.load();
    if (saved && saved.characterId === this.settings.characterId) {
      this.#saved = saved;
      this.character.importMemory(saved.memory);
      if (saved.view) this.view.reset(saved.view);
      this.log.info({ sessionId: saved.sessionId }, 'restored state from the data directory');
    }
    this.#api = await startCharacterApi({
      port: this.settings.port,
      ...(this.settings.host ? { host: this.settings.host } : {}),
      isReady: () => this.#ready,
      state: () => ({ characterId: this.settings.characterId, sessionId: this.sessionId, ready: this.#ready, gameState: this.view.state }),
      health: () => ({ characterId: this.settings.characterId, uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000), actionsSent: this.#actionsSent }),
    });
    this.log.info({ port: this.#api.port }, 'character API listening');
    await this.#register();
    this.#every(this.settings.heartbeatMs, () => this.#heartbeat());
    this.#every(this.settings.snapshotMs, () => this.#snapshot());
    this.#every(this.settings.actIntervalMs, () => {
      this.view.expirePending();
      this.think();
    });
    this.#ready = true;
    this.think();
  }

  /** The port the REST API listens on (useful with port 0 in tests). */
  get port(): number {
    return this.#api?.port ?? this.settings.port;
  }

  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#ready = false;
    this.#abort.abort();
    for (const t of this.#timers) clearInterval(t);
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    await this.#save().catch((err) => this.log.error({ err: String(err) }, 'final save failed'));
    if (options.deregister ?? true) {
      await this.registry.deregister().catch((err) => this.log.warn({ err: String(err) }, 'deregister failed'));
    }
    await this.#events?.stop();
    await this.#api?.close();
    this.view.close();
    this.log.info('stopped');
  }

  // ---- registration and events

  async #register(): Promise<void> {
    const c = this.character.config;
    const request: RegistrationRequest = {
      characterId: this.settings.characterId,
      name: c.name,
      class: c.class as RegistrationRequest['class'],
      level: c.level,
      containerEndpoint: this.settings.endpoint,
      capabilities: this.character.capabilities,
      version: c.version ?? '1.0.0',
      ...(this.settings.rejoinSession && this.#saved.sessionId
        ? { sessionId: this.#saved.sessionId }
        : this.settings.sessionId
          ? { sessionId: this.settings.sessionId }
          : {}),
    };
    const res = await this.registry.register(request, { signal: this.#abort.signal });
    this.log.info({ sessionId: res.sessionId, channels: res.eventChannels }, 'registered');
    if (this.#saved.sessionId && this.#saved.sessionId !== res.sessionId) this.#saved.view = null;
    this.#saved.sessionId = res.sessionId;
    this.#saved.registeredAt = new Date().toISOString();
    this.#takeSnapshot(res.gameState);
    await this.#subscribe(res);
    this.#scheduleSave();
  }

  #takeSnapshot(gameState: Record<string, unknown> | undefined): boolean {
    const gs = gameState as GameState | undefined;
    if (gs && gs.characterId === this.settings.characterId && gs.me && typeof gs.version === 'number') {
      this.view.reset(gs);
      return true;
    }
    return false;
  }

  async #subscribe(res: RegistrationResponse): Promise<void> {
    const key = JSON.stringify([res.eventChannels, res.eventBus.url, this.settings.transport]);
    if (this.#events && key === this.#channels) return;
    await this.#events?.stop();
    this.#channels = key;
    const handlers = {
      onEvent: (event: GameEvent) => this.#onEvent(event),
      onReconnect: () => void this.resync('event stream reconnected'),
      onError: (err: Error) => this.log.warn({ err: err.message }, 'event stream error'),
    };
    const ws = () =>
      new WebSocketEventSource({ ...handlers, baseUrl: this.settings.registryUrl, path: res.websocketUrl || '/ws', token: () => this.registry.credentials?.token ?? '' });
    if (this.settings.transport === 'websocket') {
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
      if (this.settings.transport !== 'auto') throw err;
      this.log.warn({ err: String(err) }, 'Redis unreachable, using the WebSocket gateway');
      this.#events = ws();
      await this.#events.start();
    }
  }

  #onEvent(event: GameEvent): void {
    const outcome = this.view.applyEvent(event);
    if (outcome === 'stale') return;
    this.log.debug({ type: event.type, version: event.version, outcome }, 'event');
    void this.character.onEvent(event, this.view.state).catch((err) => this.log.warn({ err: String(err) }, 'onEvent threw'));
    this.#scheduleSave();
    this.think();
  }

  /** Fetches a fresh snapshot (or registers again) when the event stream cannot be trusted. */
  resync(reason: string): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.#resyncing ??= (async () => {
      this.log.info({ reason }, 'resyncing');
      try {
        const state = await this.registry.sessionState();
        if (!this.#takeSnapshot(state)) await this.#register();
      } catch (err) {
        this.log.warn({ err: String(err) }, 'resync from the session state failed; registering again');
        await this.#register().catch((e) => this.log.error({ err: String(e) }, 'registering again failed'));
      } finally {
        this.#resyncing = null;
      }
      this.think();
    })();
    return this.#resyncing;
  }

  async #heartbeat(): Promise<void> {
    if (!this.registry.credentials) return;
    try {
      if (this.registry.tokenNeedsRefresh()) await this.registry.refreshToken();
      await this.registry.heartbeat();
    } catch (err) {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 404)) {
        this.log.warn({ status: err.status }, 'the registry forgot us; registering again');
        await this.#register().catch((e) => this.log.error({ err: String(e) }, 're-registration failed'));
      } else {
        this.log.warn({ err: String(err) }, 'heartbeat failed');
      }
    }
  }

  // ---- deciding and acting

  /** Asks the hooks what to do, one decision at a time. Cheap to call often. */
  think(): void {
    if (!this.#ready || this.#stopping) return;
    if (this.#thinking) {
      this.#thinkAgain = true;
      return;
    }
    this.#thinking = true;
    void this.#decide()
      .catch((err) => this.log.error({ err: String(err) }, 'decision failed'))
      .finally(() => {
        this.#thinking = false;
        if (this.#thinkAgain) {
          this.#thinkAgain = false;
          this.think();
        }
      });
  }

  async #decide(): Promise<void> {
    const s = this.view.state;
    if (!s || s.status !== 'active' || !s.me?.alive || (s.pending?.length ?? 0) > 0) return;
    const caps = this.character.capabilities;
    if (s.combat) {
      if (!s.combat.myTurn || !caps.includes('combat')) return;
      await this.#act(await this.#hook('onCombatTurn', () => this.character.onCombatTurn(s)));
      return;
    }
    // Paced by what was done, not by what was considered: a character that chose to wait (for
    // its party, say) reacts at once to the event it was waiting for.
    if (Date.now() - this.#lastExploreAt < this.settings.actIntervalMs) return;
    await this.#loot(s);
    if (caps.includes('social') && (s.room?.npcs?.length ?? 0) > 0) {
      const said = await this.#hook('onSocial', () => this.character.onSocial(s));
      if (said) {
        this.#lastExploreAt = Date.now();
        return this.#act(said);
      }
    }
    if (!caps.includes('exploration')) return;
    const next = await this.#hook('onExplore', () => this.character.onExplore(s));
    if (next) this.#lastExploreAt = Date.now();
    await this.#act(next);
  }

  async #loot(s: GameState): Promise<void> {
    const ids = await this.#hook('onLoot', () => this.character.onLoot(s));
    const now = Date.now();
    for (const id of Array.isArray(ids) ? ids : []) {
      if (this.#saved.looted.includes(id) || (this.#lootRetryAt.get(id) ?? 0) > now) continue;
      try {
        const res = await this.registry.lootContainer(id);
        this.#saved.looted.push(id);
        this.#lootRetryAt.delete(id);
        this.log.info({ containerId: id, moved: res.moved.map((m) => `${m.quantity}× ${m.item_name}`) }, 'looted');
        this.#scheduleSave();
      } catch (err) {
        // Gone (decayed) or locked: give up on it. Not yet ours (grace), not here, or the
        // container budget is spent (429): try again a little later.
        const status = err instanceof HttpError ? err.status : 0;
        const attempts = (this.#lootAttempts.get(id) ?? 0) + 1;
        this.#lootAttempts.set(id, attempts);
        if (status === 404 || status === 423 || attempts >= 5) this.#saved.looted.push(id);
        else this.#lootRetryAt.set(id, now + LOOT_RETRY_MS);
        this.log.warn({ containerId: id, status, err: String(err) }, 'looting failed');
        if (status === 429) return;
      }
    }
  }

  /** Runs a player hook with a deadline; a throw or a timeout is logged and yields nothing. */
  async #hook<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(fn),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name} took longer than ${this.settings.decisionTimeoutMs} ms`)), this.settings.decisionTimeoutMs);
        }),
      ]);
    } catch (err) {
      this.log.warn({ hook: name, err: String(err) }, 'hook failed');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async #act(draft: HookResult): Promise<void> {
    if (!draft || this.#stopping) return;
    const clientActionId = randomUUID();
    const parsed = Action.safeParse({ ...draft, characterId: this.settings.characterId, clientActionId });
    if (!parsed.success) {
      this.log.warn({ action: draft, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'the character returned an invalid action');
      return;
    }
    const action = parsed.data;
    this.view.applyOptimistic(clientActionId, action as ActionDraft);
    this.#actionsSent++;
    try {
      const result = await this.registry.sendAction(action);
      if (!result.accepted) {
        this.view.rejectAction(clientActionId);
        this.log.info({ type: action.type, reason: result.reason }, 'action refused');
        // A refusal means our picture of the game differs from the game's (a target already dead,
        // a turn already over): fetch the authoritative state rather than insist on the same move.
        this.#resyncAfterRefusal(String(result.reason ?? 'refused'));
      } else {
        this.view.confirmAction(clientActionId, result.version);
        this.log.debug({ type: action.type, version: result.version }, 'action accepted');
      }
    } catch (err) {
      this.view.rejectAction(clientActionId);
      this.log.warn({ type: action.type, err: String(err) }, 'action failed');
      if (err instanceof HttpError && (err.status === 401 || err.status === 403)) await this.#register().catch(() => undefined);
    }
  }

  #lastRefusalResync = 0;

  #resyncAfterRefusal(reason: string): void {
    const now = Date.now();
    if (now - this.#lastRefusalResync < REFUSAL_RESYNC_MS) return;
    this.#lastRefusalResync = now;
    void this.resync(`action refused: ${reason}`);
  }

  // ---- durability

  #every(ms: number, fn: () => unknown): void {
    const t = setInterval(() => void Promise.resolve().then(fn).catch((err) => this.log.warn({ err: String(err) }, 'periodic task failed')), ms);
    t.unref();
    this.#timers.push(t);
  }

  #current(): SavedCharacter {
    return { ...this.#saved, memory: this.character.exportMemory(), view: this.view.confirmed };
  }

  #scheduleSave(): void {
    if (this.#saveTimer || this.#stopping) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.#save().catch((err) => this.log.warn({ err: String(err) }, 'save failed'));
    }, 200);
    this.#saveTimer.unref();
  }

  async #save(): Promise<void> {
    this.#saved = this.#current();
    await this.store.save(this.#saved);
  }

  async #snapshot(): Promise<void> {
    await this.store.snapshot(this.#current());
  }

  /** Saves now (tests, and before a planned move). */
  flush(): Promise<void> {
    return this.#save();
  }
}
