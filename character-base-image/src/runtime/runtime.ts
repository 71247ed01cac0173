import type { CharacterBase } from '../character/base.ts';
import { startCharacterApi, type CharacterApi } from '../communication/api.ts';
import { RegistryClient } from '../communication/registry.ts';
import type { DurableStore } from '../state/store.ts';
import { LocalView } from '../state/view.ts';
import type { GameEvent } from '../types.ts';
import { Actor } from './actor.ts';
import { DecisionLoop } from './decision-loop.ts';
import { Looter } from './looter.ts';
import { CharacterPersistence } from './persistence.ts';
import { SessionLink } from './session-link.ts';
import { quietLogger, resolveSettings, type Logger, type ResolvedSettings, type RuntimeSettings, type SavedCharacter } from './settings.ts';

export type { Logger, RuntimeSettings, SavedCharacter } from './settings.ts';

/**
 * The runtime around a player's character. It only wires its parts and owns their lifecycle:
 * the REST API (communication/api), the session link (registration, events, heartbeats,
 * resync), the decision loop (hooks → actions through the actor, looting through the looter)
 * and durable state (persistence).
 */
export class CharacterRuntime {
  readonly character: CharacterBase;
  readonly settings: ResolvedSettings;
  readonly registry: RegistryClient;
  readonly view: LocalView;
  readonly log: Logger;
  readonly #persistence: CharacterPersistence;
  readonly #link: SessionLink;
  readonly #actor: Actor;
  readonly #loop: DecisionLoop;
  readonly #abort = new AbortController();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #startedAt = Date.now();
  #api: CharacterApi | null = null;
  #ready = false;
  #stopping = false;

  constructor(character: CharacterBase, settings: RuntimeSettings, options: { logger?: Logger; fetch?: typeof fetch } = {}) {
    this.character = character;
    this.settings = resolveSettings(settings);
    character.config.characterId ??= settings.characterId;
    const log = (this.log = options.logger ?? quietLogger);
    this.registry = new RegistryClient({
      baseUrl: settings.registryUrl,
      apiKey: settings.apiKey,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retry: { onRetry: (err, attempt, delay) => log.warn({ err: String(err), attempt, delay }, 'registry unreachable, retrying') },
    });
    // The character's container calls (open, transfer, loot-all, close) go out with its token.
    character.containers = this.registry;
    this.view = new LocalView({ onResync: (reason) => void this.resync(reason) });
    this.#persistence = new CharacterPersistence({
      dataDir: settings.dataDir,
      characterId: settings.characterId,
      keepSnapshots: this.settings.keepSnapshots,
      character,
      view: this.view,
      log,
    });
    const isStopping = () => this.#stopping;
    this.#link = new SessionLink({
      settings: this.settings,
      character,
      registry: this.registry,
      view: this.view,
      persistence: this.#persistence,
      log,
      signal: this.#abort.signal,
      onEvent: (event) => this.#onEvent(event),
      onFreshState: () => this.think(),
      isStopping,
    });
    this.#actor = new Actor({
      characterId: settings.characterId,
      registry: this.registry,
      view: this.view,
      log,
      resync: (reason) => void this.resync(reason),
      registerAgain: () => this.#link.register(),
      isStopping,
    });
    this.#loop = new DecisionLoop({
      character,
      view: this.view,
      actor: this.#actor,
      looter: new Looter(this.registry, this.#persistence, log),
      log,
      actIntervalMs: this.settings.actIntervalMs,
      decisionTimeoutMs: this.settings.decisionTimeoutMs,
      isActive: () => this.#ready && !this.#stopping,
    });
  }

  get ready(): boolean {
    return this.#ready;
  }

  get sessionId(): string | null {
    return this.registry.credentials?.sessionId ?? this.#persistence.saved.sessionId;
  }

  get store(): DurableStore<SavedCharacter> {
    return this.#persistence.store;
  }

  /** The port the REST API listens on (useful with port 0 in tests). */
  get port(): number {
    return this.#api?.port ?? this.settings.port;
  }

  async start(): Promise<void> {
    if (await this.#persistence.restore()) this.log.info({ sessionId: this.#persistence.saved.sessionId }, 'restored state from the data directory');
    this.#api = await startCharacterApi({
      port: this.settings.port,
      ...(this.settings.host ? { host: this.settings.host } : {}),
      isReady: () => this.#ready,
      state: () => ({ characterId: this.settings.characterId, sessionId: this.sessionId, ready: this.#ready, gameState: this.view.state }),
      health: () => ({
        characterId: this.settings.characterId,
        uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
        actionsSent: this.#actor.actionsSent,
      }),
    });
    this.log.info({ port: this.#api.port }, 'character API listening');
    await this.#link.register();
    this.#every(this.settings.heartbeatMs, () => this.#link.heartbeat());
    this.#every(this.settings.snapshotMs, () => this.#persistence.snapshot());
    this.#every(this.settings.actIntervalMs, () => {
      this.view.expirePending();
      this.think();
    });
    this.#ready = true;
    this.think();
  }

  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#ready = false;
    this.#abort.abort();
    for (const t of this.#timers) clearInterval(t);
    await this.#persistence.close().catch((err) => this.log.error({ err: String(err) }, 'final save failed'));
    if (options.deregister ?? true) {
      await this.registry.deregister().catch((err) => this.log.warn({ err: String(err) }, 'deregister failed'));
    }
    await this.#link.close();
    await this.#api?.close();
    this.view.close();
    this.log.info('stopped');
  }

  /** Asks the hooks what to do, one decision at a time. Cheap to call often. */
  think(): void {
    this.#loop.think();
  }

  /** Fetches a fresh snapshot (or registers again) when the event stream cannot be trusted. */
  resync(reason: string): Promise<void> {
    return this.#link.resync(reason);
  }

  /** Saves now (tests, and before a planned move). */
  flush(): Promise<void> {
    return this.#persistence.save();
  }

  #onEvent(event: GameEvent): void {
    const outcome = this.view.applyEvent(event);
    if (outcome === 'stale') return;
    this.log.debug({ type: event.type, version: event.version, outcome }, 'event');
    void this.character.onEvent(event, this.view.state).catch((err) => this.log.warn({ err: String(err) }, 'onEvent threw'));
    this.#persistence.schedule();
    this.think();
  }

  #every(ms: number, fn: () => unknown): void {
    const t = setInterval(() => void Promise.resolve().then(fn).catch((err) => this.log.warn({ err: String(err) }, 'periodic task failed')), ms);
    t.unref();
    this.#timers.push(t);
  }
}
