import type { Action } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { coreEventPublisher, engineCharacterDirectory } from '../containers/adapters.ts';
import { deathInputFromGameEvent, isCorpseCreatedData } from '../containers/game-hooks.ts';
import { CorpseLifecycleService } from '../containers/lifecycle.ts';
import { EnvironmentalContainerLoader } from '../containers/loader.ts';
import { META } from '../containers/model.ts';
import { WearableContainerService } from '../containers/wearable.ts';
import { characterItems, collectWorn, roomContainers } from './item-views.ts';
import { applyItemIntents, readItemInputs } from './item-store.ts';
import { DungeonMaster, loadWorlds, type World } from '../game/index.ts';
import { commandStore } from './command-store.ts';
import type { EngineOp, ForwardTarget } from './forwarding.ts';
import type { ActionDecision, ActionMeta, AnswerTicket, EarlyAnswer, GameEngine, GameEngineDeps, GameEngineFactory, GameEvent, JoinResult, JoiningCharacter } from './game-engine.ts';
import { routed, servedHere, type RoutingDeps } from './owner-routing.ts';
import { SessionKeeper } from './session-keeper.ts';
import { SessionOwners } from './session-owners.ts';

// The Dungeon Master plugged into the api-server. The rules (src/game) decide; this adapter
// keeps every session's log in PostgreSQL with each command's events in the outbox (so a
// session is replayed from the database after a restart, and what is applied is what is
// reported), gives each session one owner among the replicas (the others forward to it), and
// joins the game to the item containers: the world's chests are loaded into `containers` when a
// session starts, every `corpse.created` becomes a corpse container, and rooms and corpse
// events carry the database ids characters open and loot with.

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
  /** How long a session's owner keeps it without renewing (the takeover delay when it dies). */
  sessionLeaseMs?: number;
  /** A snapshot of a session's state every this many log entries. */
  snapshotEvery?: number;
}

const DEFAULT_SESSION_LEASE_MS = 6000;

type RoomLike = { id?: unknown; container?: Record<string, unknown> | null };

export class DungeonMasterEngine implements GameEngine, ForwardTarget {
  readonly dm: DungeonMaster;
  /** Null with no replica info (an engine used on its own): every session is held here. */
  readonly owners: SessionOwners | null;
  readonly #routing: RoutingDeps | null;
  readonly #keeper: SessionKeeper | null;
  readonly corpses: CorpseLifecycleService;
  readonly wearable: WearableContainerService;
  readonly #deps: GameEngineDeps;
  readonly #log: Logger;
  readonly #loader: EnvironmentalContainerLoader;
  readonly #worlds: ReadonlyMap<string, World>;
  /** Session id → room id → the database id of that room's container. */
  readonly #chests = new Map<string, Promise<Map<string, string>>>();
  #sweeper: { stop(): Promise<void> } | null = null;

  constructor(deps: GameEngineDeps, opts: DungeonMasterEngineOptions) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#worlds = opts.worlds;
    const seed = opts.seed ?? null;
    this.owners = deps.replica ? new SessionOwners({ db: deps.db, url: deps.replica.url, ttlMs: opts.sessionLeaseMs ?? DEFAULT_SESSION_LEASE_MS }) : null;
    this.dm = new DungeonMaster({
      worlds: opts.worlds,
      ...(opts.defaultWorldId ? { defaultWorldId: opts.defaultWorldId } : {}),
      ...(opts.turnTimeoutMs !== undefined ? { turnTimeoutMs: opts.turnTimeoutMs } : {}),
      ...(seed !== null ? { seedFor: () => seed } : {}),
      store: commandStore({
        db: deps.db,
        bus: deps.events,
        ...(this.owners ? { owners: this.owners } : {}),
        logger: this.#log,
        prepare: (sessionId, events) => this.#prepare(sessionId, events),
        applyItems: async (tx, sessionId, intents, state, actor) => {
          const chests = intents.some((i) => i.kind === 'unlock' && i.roomId !== undefined) ? await this.#chestsOf(sessionId) : new Map<string, string>();
          return applyItemIntents(tx, intents, {
            sessionId,
            catalogue: state.world.items,
            roomOf: (id) => state.characters[id]?.roomId ?? null,
            containerOfRoom: (roomId) => chests.get(roomId),
            wearable: this.wearable,
            now: new Date(),
            actor,
          });
        },
        ...(opts.snapshotEvery !== undefined ? { snapshotEvery: opts.snapshotEvery } : {}),
      }),
      onEvents: (sessionId, events) => this.#publishOwn(sessionId, events),
      itemInputs: (sessionId, characterId, containerId) => readItemInputs(deps.db, sessionId, characterId, containerId),
      onError: (err, sessionId) => this.#log.error({ err, sessionId }, 'a turn timeout could not be applied'),
      onRestored: (sessionId, info) => this.#log.info({ sessionId, ...info }, 'session restored from the store'),
    });
    this.#routing =
      this.owners && deps.replica
        ? { owners: this.owners, adminToken: deps.replica.adminToken, logger: this.#log, forget: (sessionId) => this.#forget(sessionId) }
        : null;
    this.#keeper = this.owners
      ? new SessionKeeper({ owners: this.owners, logger: this.#log, forget: (id) => this.#forget(id), takeOver: (id) => this.#takeOver(id) })
      : null;
    this.#keeper?.start();
    const directory = engineCharacterDirectory(deps.db, this);
    this.corpses = new CorpseLifecycleService({
      pool: deps.db,
      publisher: coreEventPublisher(deps.events, directory, this.#log),
      logger: this.#log,
      ...(opts.corpseGraceSeconds !== undefined ? { gracePeriodSeconds: opts.corpseGraceSeconds } : {}),
      ...(opts.corpseDecaySeconds !== undefined ? { decaySeconds: opts.corpseDecaySeconds } : {}),
    });
    this.wearable = new WearableContainerService({ pool: deps.db, publisher: coreEventPublisher(deps.events, directory, this.#log), directory, logger: this.#log });
    this.#loader = new EnvironmentalContainerLoader({ pool: deps.db });
    if (opts.corpseSweepIntervalMs) this.#sweeper = this.corpses.startSweeper({ intervalMs: opts.corpseSweepIntervalMs });
  }

  hasWorld(worldId: string): boolean {
    return this.#worlds.has(worldId);
  }

  createSession(worldId: string, sessionId: string): Promise<void> {
    return this.#at('createSession', sessionId, [worldId], async () => {
      await this.dm.createSession(worldId, sessionId);
      await this.#chestsOf(sessionId);
    });
  }

  join(sessionId: string, character: JoiningCharacter): Promise<JoinResult> {
    return this.#at('join', sessionId, [character], async () => {
      const { characterId, name, level, abilities } = character;
      const joined = await this.dm.join(sessionId, { characterId, name, class: character.class, level, ...(abilities ? { abilities } : {}) });
      const chests = await this.#chestsOf(sessionId);
      // The join's events went out with its log entry.
      return { gameState: await this.#withItems(withChestIds(joined.gameState, chests)), events: [] };
    });
  }

  leave(sessionId: string, characterId: string, reason?: string): Promise<GameEvent[]> {
    return this.#at('leave', sessionId, reason === undefined ? [characterId] : [characterId, reason], async () => {
      await this.dm.leave(sessionId, characterId, reason);
      return [];
    });
  }

  end(sessionId: string, reason: string): Promise<void> {
    return this.#at('end', sessionId, [reason], async () => {
      await this.dm.end(sessionId, reason);
    });
  }

  /** Only for a session held here: the answer read with it is used only here (a forwarded action is read again by its owner). */
  answerTicket(sessionId: string): AnswerTicket | undefined {
    return this.dm.answerTicket(sessionId);
  }

  handleAction(sessionId: string, action: Action, meta: ActionMeta, early?: EarlyAnswer): Promise<ActionDecision> {
    return this.#at('handleAction', sessionId, [action, meta], async () => {
      const d = await this.dm.handleAction(sessionId, action, meta, early);
      if (d.previous) return { ...(d.previous as Omit<ActionDecision, 'replayed'>), replayed: true };
      // Out of the session's queue: answered once its events were published (or Redis is away).
      await this.#deps.events.flush(meta.outboxId ?? null);
      const versions = d.events.filter((e) => e.version !== undefined && e.characterId === undefined).map((e) => e.version!);
      return {
        actionId: meta.actionId,
        accepted: d.accepted,
        ...(d.reason !== undefined ? { reason: d.reason } : {}),
        ...(d.outcome !== undefined ? { outcome: d.outcome } : {}),
        ...(versions.length > 0 ? { version: Math.max(...versions) } : {}),
      };
    });
  }

  getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>> {
    return this.#at('getState', sessionId, characterId === undefined ? [] : [characterId], async () => {
      const view = await this.dm.getState(sessionId, characterId);
      return this.#withItems(withChestIds(view, await this.#chestsOf(sessionId)));
    });
  }

  /** A call another replica forwarded because this one owns the session. */
  serveForwarded(op: EngineOp, sessionId: string, args: unknown[]): Promise<unknown> {
    const routing = this.#routing;
    const run = (): Promise<unknown> => {
      switch (op) {
        case 'createSession':
          return this.createSession(args[0] as string, sessionId);
        case 'join':
          return this.join(sessionId, args[0] as JoiningCharacter);
        case 'leave':
          return this.leave(sessionId, args[0] as string, args[1] as string | undefined);
        case 'end':
          return this.end(sessionId, args[0] as string);
        case 'handleAction':
          return this.handleAction(sessionId, args[0] as Action, { ...(args[1] as ActionMeta), forwarded: true });
        case 'getState':
          return this.getState(sessionId, args[0] as string | undefined);
      }
    };
    // Served here or refused; `#at` then finds the lease held and runs locally.
    return routing ? servedHere(routing, sessionId, run) : run();
  }

  async close(): Promise<void> {
    await this.#keeper?.stop();
    await this.#sweeper?.stop();
    this.#sweeper = null;
    await this.dm.close();
    // Given up only once nothing runs any more, so the next owner starts from all that was written.
    await this.owners?.release().catch((err: unknown) => this.#log.warn({ err }, 'session leases could not be released'));
  }

  /** Runs `local` on the session's owner: here, or forwarded. */
  #at<T>(op: EngineOp, sessionId: string, args: unknown[], local: () => Promise<T>): Promise<T> {
    return this.#routing ? routed(this.#routing, op, sessionId, args, local) : local();
  }

  #forget(sessionId: string): void {
    this.dm.forget(sessionId);
    this.#chests.delete(sessionId);
  }

  /** An orphaned session (its owner stopped renewing): load it here, which restarts its turn clocks. */
  async #takeOver(sessionId: string): Promise<void> {
    const o = await this.owners!.claim(sessionId);
    if (!o.mine) return;
    if (o.changedHands) this.#forget(sessionId);
    await this.dm.load(sessionId);
    this.#log.info({ sessionId, token: o.token }, 'took over the session');
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
      out.push(data === event.data ? event : { ...event, data });
    }
    return out;
  }

  /** A character's view with its inventory, equipment and its room's containers as the item tables hold them. */
  async #withItems(view: Record<string, unknown>): Promise<Record<string, unknown>> {
    const me = view.me as { id?: unknown } | undefined;
    const room = view.room as { id?: unknown } | undefined;
    if (!me || typeof me.id !== 'string' || typeof view.sessionId !== 'string') return view;
    const [items, containers] = await Promise.all([
      characterItems(this.#deps.db, me.id),
      room && typeof room.id === 'string' ? roomContainers(this.#deps.db, view.sessionId, room.id) : Promise.resolve(undefined),
    ]);
    return { ...view, me: { ...me, ...items }, ...(room && containers ? { room: { ...room, containers } } : {}) };
  }

  async #corpse(sessionId: string, data: Parameters<typeof deathInputFromGameEvent>[1]): Promise<Record<string, unknown>> {
    try {
      const input = deathInputFromGameEvent(sessionId, data);
      // A dead character's equipment goes into the corpse with its inventory, in one transaction.
      if (data.corpseOf.kind === 'character') input.alsoTake = (client) => collectWorn(client, data.corpseOf.id, this.wearable);
      const { corpse } = await this.corpses.createCorpseOnDeath(input);
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

  /** The prompts of a session restored from the store: they belong to no new log entry. */
  async #publishOwn(sessionId: string, events: GameEvent[]): Promise<void> {
    try {
      await this.#deps.events.publishMany(sessionId, await this.#prepare(sessionId, events));
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
async function loadGameWorlds(worldsDir: string | null): Promise<Map<string, World>> {
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
    sessionLeaseMs: config.game.sessionLeaseMs,
  });
}

export function dungeonMasterEngine(opts: DungeonMasterEngineOptions): GameEngineFactory {
  return (deps) => new DungeonMasterEngine(deps, opts);
}

