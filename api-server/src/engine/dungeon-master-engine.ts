import type { Action } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { coreEventPublisher, engineCharacterDirectory } from '../containers/adapters.ts';
import { deathInputFromGameEvent, isCorpseCreatedData } from '../containers/game-hooks.ts';
import { CorpseLifecycleService } from '../containers/lifecycle.ts';
import { EnvironmentalContainerLoader } from '../containers/loader.ts';
import { META } from '../containers/model.ts';
import { DungeonMaster, loadWorlds, type World } from '../game/index.ts';
import type { ActionDecision, GameEngine, GameEngineDeps, GameEngineFactory, GameEvent, JoinResult, JoiningCharacter } from './game-engine.ts';
import { postgresSessionStore } from './session-log.ts';

// The Dungeon Master plugged into the api-server. The rules (src/game) decide; this adapter
// keeps every session's log in PostgreSQL (so a session is replayed from the database after a
// restart), runs the turn clock's own events out to the bus, and joins the game to the item
// containers: the world's chests are loaded into `containers` when a session starts, every
// `corpse.created` becomes a corpse container, and rooms and corpse events carry the database
// ids characters open and loot with.

export interface DungeonMasterEngineOptions {
  worlds: ReadonlyMap<string, World>;
  defaultWorldId?: string;
  turnTimeoutMs?: number;
  /** Every session's seed; derived from the session id when absent. */
  seed?: number | null;
  corpseGraceSeconds?: number;
  corpseDecaySeconds?: number;
  /** 0 or absent: no decay sweeper. */
  corpseSweepIntervalMs?: number;
}

type RoomLike = { id?: unknown; container?: Record<string, unknown> | null };

export class DungeonMasterEngine implements GameEngine {
  readonly dm: DungeonMaster;
  readonly corpses: CorpseLifecycleService;
  readonly #deps: GameEngineDeps;
  readonly #log: Logger;
  readonly #loader: EnvironmentalContainerLoader;
  /** Session id → room id → the database id of that room's container. */
  readonly #chests = new Map<string, Promise<Map<string, string>>>();
  #sweeper: { stop(): Promise<void> } | null = null;

  constructor(deps: GameEngineDeps, opts: DungeonMasterEngineOptions) {
    this.#deps = deps;
    this.#log = deps.logger;
    const seed = opts.seed ?? null;
    this.dm = new DungeonMaster({
      worlds: opts.worlds,
      ...(opts.defaultWorldId ? { defaultWorldId: opts.defaultWorldId } : {}),
      ...(opts.turnTimeoutMs !== undefined ? { turnTimeoutMs: opts.turnTimeoutMs } : {}),
      ...(seed !== null ? { seedFor: () => seed } : {}),
      store: postgresSessionStore(deps.db),
      onEvents: (sessionId, events) => this.#publishOwn(sessionId, events),
      onError: (err, sessionId) => this.#log.error({ err, sessionId }, 'a turn timeout could not be applied'),
    });
    const directory = engineCharacterDirectory(deps.db, this);
    this.corpses = new CorpseLifecycleService({
      pool: deps.db,
      publisher: coreEventPublisher(deps.events, directory, this.#log),
      logger: this.#log,
      ...(opts.corpseGraceSeconds !== undefined ? { gracePeriodSeconds: opts.corpseGraceSeconds } : {}),
      ...(opts.corpseDecaySeconds !== undefined ? { decaySeconds: opts.corpseDecaySeconds } : {}),
    });
    this.#loader = new EnvironmentalContainerLoader({ pool: deps.db });
    if (opts.corpseSweepIntervalMs) this.#sweeper = this.corpses.startSweeper({ intervalMs: opts.corpseSweepIntervalMs });
  }

  async createSession(worldId: string, sessionId: string): Promise<void> {
    await this.dm.createSession(worldId, sessionId);
    await this.#chestsOf(sessionId);
  }

  async join(sessionId: string, character: JoiningCharacter): Promise<JoinResult> {
    const { characterId, name, level } = character;
    const joined = await this.dm.join(sessionId, { characterId, name, class: character.class, level });
    const chests = await this.#chestsOf(sessionId);
    return { gameState: withChestIds(joined.gameState, chests), events: await this.#prepare(sessionId, joined.events) };
  }

  async leave(sessionId: string, characterId: string): Promise<GameEvent[]> {
    return this.#prepare(sessionId, await this.dm.leave(sessionId, characterId));
  }

  async handleAction(sessionId: string, action: Action): Promise<ActionDecision> {
    const decision = await this.dm.handleAction(sessionId, action);
    return { ...decision, events: await this.#prepare(sessionId, decision.events) };
  }

  async getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>> {
    const view = await this.dm.getState(sessionId, characterId);
    return withChestIds(view, await this.#chestsOf(sessionId));
  }

  async close(): Promise<void> {
    await this.#sweeper?.stop();
    this.#sweeper = null;
    await this.dm.close();
  }

  /** The room containers of a session's world, in PostgreSQL (idempotent: loading again finds them). */
  #chestsOf(sessionId: string): Promise<Map<string, string>> {
    let chests = this.#chests.get(sessionId);
    if (!chests) {
      chests = (async () => {
        const state = await this.dm.load(sessionId);
        const loaded = await this.#loader.loadWorld(sessionId, state.world.rooms);
        if (loaded.created > 0) this.#log.info({ sessionId, created: loaded.created }, 'room containers loaded');
        return new Map(loaded.containers.filter((c) => c.room_id !== null).map((c) => [c.room_id!, c.container_id]));
      })();
      this.#chests.set(sessionId, chests);
      // A failed load (database away) is tried again next time.
      chests.catch(() => this.#chests.delete(sessionId));
    }
    return chests;
  }

  /**
   * What the rules produced, made ready to publish: corpses become item containers (their events
   * carry the container id), rooms carry their chests' ids, and an ended session is closed for
   * registration. The session log keeps the rules' own events, untouched.
   */
  async #prepare(sessionId: string, events: GameEvent[]): Promise<GameEvent[]> {
    if (events.length === 0) return events;
    let chests: Map<string, string> | null = null;
    const out: GameEvent[] = [];
    for (const event of events) {
      let data = event.data;
      if (data.room && typeof data.room === 'object') {
        chests ??= await this.#chestsOf(sessionId).catch(() => new Map<string, string>());
        data = { ...data, room: roomWithChestId(data.room as RoomLike, chests) };
      }
      if (event.type === 'corpse.created' && isCorpseCreatedData(data)) {
        data = { ...data, ...(await this.#corpse(sessionId, data)) };
      }
      if (event.type === 'system.session_closed') await this.#closeSession(sessionId);
      out.push(data === event.data ? event : { ...event, data });
    }
    return out;
  }

  async #corpse(sessionId: string, data: Parameters<typeof deathInputFromGameEvent>[1]): Promise<Record<string, unknown>> {
    try {
      const { corpse } = await this.corpses.createCorpseOnDeath(deathInputFromGameEvent(sessionId, data));
      return {
        container_id: corpse.container_id,
        grace_period_until: corpse.metadata[META.graceUntil] ?? null,
        decay_at: corpse.decay_at?.toISOString() ?? null,
      };
    } catch (err) {
      // The death stands either way; without a container there is simply nothing to loot.
      this.#log.error({ err, sessionId, corpseOf: data.corpseOf }, 'corpse container could not be created');
      return {};
    }
  }

  async #closeSession(sessionId: string): Promise<void> {
    await this.#deps.db
      .query(`UPDATE sessions SET status = 'closed' WHERE id = $1`, [sessionId])
      .catch((err: unknown) => this.#log.warn({ err, sessionId }, 'session could not be marked closed'));
  }

  /** Timeouts and restored prompts: nobody's request is waiting for these, so they go out from here. */
  async #publishOwn(sessionId: string, events: GameEvent[]): Promise<void> {
    try {
      for (const event of await this.#prepare(sessionId, events)) await this.#deps.events.publish(sessionId, event);
    } catch (err) {
      // Subscribers that missed a version resynchronise from the session state.
      this.#log.warn({ err, sessionId }, 'engine events could not be published');
    }
  }
}

function roomWithChestId<R extends RoomLike>(room: R, chests: Map<string, string>): R {
  const id = typeof room.id === 'string' ? chests.get(room.id) : undefined;
  if (!id || !room.container) return room;
  return { ...room, container: { ...room.container, container_id: id } };
}

/** A character view (`room`) or a session view (`rooms`) with the database ids of the chests. */
function withChestIds(view: Record<string, unknown>, chests: Map<string, string>): Record<string, unknown> {
  const out = { ...view };
  if (out.room && typeof out.room === 'object') out.room = roomWithChestId(out.room as RoomLike, chests);
  if (Array.isArray(out.rooms)) out.rooms = (out.rooms as RoomLike[]).map((r) => roomWithChestId(r, chests));
  return out;
}

/** The bundled worlds plus those of `DUNGEON_WORLDS_DIR` (a world file there replaces a bundled one of its id). */
export async function loadGameWorlds(worldsDir: string | null): Promise<Map<string, World>> {
  const worlds = await loadWorlds();
  if (worldsDir) for (const [id, w] of await loadWorlds(worldsDir)) worlds.set(id, w);
  return worlds;
}

/** The engine `start()` uses by default, configured from the environment (config.game). */
export async function defaultGameEngine(config: Config): Promise<GameEngineFactory> {
  const worlds = await loadGameWorlds(config.game.worldsDir);
  if (!worlds.has(config.sessions.defaultWorldId)) throw new Error(`DEFAULT_WORLD_ID: no world "${config.sessions.defaultWorldId}" (have ${[...worlds.keys()].join(', ')})`);
  return dungeonMasterEngine({
    worlds,
    defaultWorldId: config.sessions.defaultWorldId,
    turnTimeoutMs: config.game.turnTimeoutMs,
    seed: config.game.seed,
    corpseGraceSeconds: config.game.corpseGraceSeconds,
    corpseDecaySeconds: config.game.corpseDecaySeconds,
    corpseSweepIntervalMs: config.game.corpseSweepIntervalMs,
  });
}

export function dungeonMasterEngine(opts: DungeonMasterEngineOptions): GameEngineFactory {
  return (deps) => new DungeonMasterEngine(deps, opts);
}

