import { TURN_PROMPT, type Action } from '@distributed-dungeon/contracts';
import type { ClassName } from './classes.ts';
import { applyCommand, replay, SessionLog, type Command, type LogEntry } from './log.ts';
import { needsItemInputs } from './items.ts';
import { seedFromString } from './rng.ts';
import { timeoutAction, waitingCharacters } from './rules.ts';
import type { GameEvent, GameState, ItemInputs, ItemIntent, RuleResult } from './state.ts';
import { characterView, sessionView } from './view.ts';
import type { World } from './world.ts';

// Sessions in memory, each a state plus its log, with the turn clock the pure rules leave
// outside. Method shapes follow the api-server's GameEngine so it can delegate to this.
//
// Commands of one session run one at a time (a promise chain per session): the rules are pure,
// but storing the log entry is not, and entries must reach the store in log order. When the
// store fails, the session is dropped from memory so the next use reloads it from the store:
// what was stored is the truth, never a state the store did not take.
//
// Past our ~350-line mark on purpose: the session queue, the turn clock and loading from the
// store share each session's private record; split apart, each would reach into the others'.

export interface StoredSession {
  worldId: string;
  seed: number;
  /**
   * The state after entry `seq` (without its world): the entries after it are all that needs
   * replaying. Absent: `entries` is the whole log, from the `create` entry on.
   */
  snapshot?: { seq: number; state: Omit<GameState, 'world'> };
  /** The log in order: the whole of it, or the tail after the snapshot. */
  entries: LogEntry[];
}

/**
 * The store already holds an entry at this position: another replica wrote it. The session is
 * reloaded from the store and the command applied again to what is there now.
 */
export class StoreConflictError extends Error {}

/** What a command did besides its log entry: every event to deliver (rules' and turn prompts). */
export interface CommandEffects {
  events: GameEvent[];
  /** Whatever the caller passed with the command (e.g. the action's id), for the store. */
  meta?: unknown;
  /** Why the rules refused the command (`code: message`), when they did. */
  reason?: string;
  /** The item intents to apply with the entry (grants, equipment, potions, locks). */
  items?: ItemIntent[];
}

export interface SessionStore {
  /** Called after every applied command with the new log entry and state (persist both). */
  save(sessionId: string, entry: LogEntry, state: GameState, effects: CommandEffects): void | Promise<void>;
  /** A stored session this process does not hold (after a restart, or made by another replica). */
  load?(sessionId: string): Promise<StoredSession | null>;
  /**
   * True when `save` also delivers the events (written with the entry, e.g. to an outbox): the
   * clock then hands its own events to nobody else.
   */
  deliversEvents?: boolean;
  /** The answer already recorded for this action (a client retrying it), or null: it is then not applied again. */
  previous?(sessionId: string, action: Action, meta: unknown): Promise<unknown>;
}

/** The private event that tells a character it is up (channel `character:{id}`, unversioned). */
export { TURN_PROMPT };

export interface DungeonMasterOptions {
  worlds: ReadonlyMap<string, World>;
  /** World used when a session is joined before it was created (e.g. after a restart). */
  defaultWorldId?: string;
  /** How long a character has for its combat turn before it defends. */
  turnTimeoutMs?: number;
  seedFor?: (sessionId: string) => number;
  /**
   * Events the engine produces on its own, to publish: turn timeouts (with the turn prompt of
   * whoever is up next) and the prompts of a session restored from the store.
   */
  onEvents?: (sessionId: string, events: GameEvent[]) => unknown;
  store?: SessionStore;
  /**
   * What the item tables hold for a joining character or an item or container action's (and
   * the container it names), read in the session's queue before the rules run; recorded in the
   * log with the command. Absent: the rules see no item tables and refuse item actions.
   */
  itemInputs?: (sessionId: string, characterId: string, containerId?: string) => Promise<ItemInputs>;
  /** A command the clock ran on its own failed (the store was away, ...). */
  onError?: (err: unknown, sessionId: string) => void;
  /** A stored session was loaded: from the snapshot after `snapshotSeq` (null: none), replaying `replayed` entries. */
  onRestored?: (sessionId: string, info: { snapshotSeq: number | null; replayed: number }) => void;
}

interface Session {
  world: World;
  seed: number;
  state: GameState;
  log: SessionLog;
  /** Room id → the turn (`character@round`) prompted there, with its clock when one runs. */
  clocks: Map<string, { turn: string; timer: NodeJS.Timeout | null }>;
}

interface JoinInput {
  characterId: string;
  name: string;
  class: ClassName;
  level: number;
  abilities?: string[];
}

export class DungeonMaster {
  readonly #opts: DungeonMasterOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #loading = new Map<string, Promise<Session>>();
  readonly #chains = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: DungeonMasterOptions) {
    this.#opts = options;
  }

  async createSession(worldId: string, sessionId: string): Promise<void> {
    await this.#session(sessionId, worldId);
  }

  async join(sessionId: string, character: JoinInput): Promise<{ gameState: Record<string, unknown>; events: GameEvent[] }> {
    const { characterId, name, level, abilities } = character;
    return this.#exclusive(sessionId, async (s) => {
      // A character joining anew brings its things; one already here is taken as it was.
      const inputs = s.state.characters[characterId]?.present ? undefined : await this.#opts.itemInputs?.(sessionId, characterId);
      // The picks go into the log entry: a replay knows the same spells.
      const { events } = await this.#run(s, { kind: 'join', ...(inputs ? { inputs } : {}), character: { characterId, name, class: character.class, level, ...(abilities ? { abilities } : {}) } });
      const gameState = s.state.characters[characterId] ? characterView(s.state, characterId) : sessionView(s.state);
      return { gameState: gameState as unknown as Record<string, unknown>, events };
    });
  }

  async leave(sessionId: string, characterId: string, reason?: string): Promise<GameEvent[]> {
    return this.#exclusive(sessionId, async (s) => {
      if (!s.state.characters[characterId]) return [];
      return (await this.#run(s, { kind: 'leave', characterId, ...(reason !== undefined ? { reason } : {}) })).events;
    });
  }

  /** The game master ends the session (its members leave the game, the outcome is `closed`). */
  async end(sessionId: string, reason: string): Promise<GameEvent[]> {
    return this.#exclusive(sessionId, async (s) => (await this.#run(s, { kind: 'end', reason })).events);
  }

  async handleAction(
    sessionId: string,
    action: Action,
    meta?: unknown,
  ): Promise<{ accepted: boolean; reason?: string; outcome?: Record<string, unknown>; events: GameEvent[]; previous?: unknown }> {
    return this.#exclusive(sessionId, async (s) => {
      // Asked inside the session's queue, so two copies of one retried action cannot both pass.
      const previous = await this.#opts.store?.previous?.(sessionId, action, meta);
      if (previous !== undefined && previous !== null) return { accepted: false, events: [], previous };
      const inputs = needsItemInputs(action) ? await this.#opts.itemInputs?.(sessionId, action.characterId, containerOf(action)) : undefined;
      const { result, events } = await this.#run(s, { kind: 'action', action, ...(inputs ? { inputs } : {}) }, meta);
      return {
        accepted: result.accepted,
        ...(result.reason !== undefined ? { reason: result.message ? `${result.reason}: ${result.message}` : result.reason } : {}),
        outcome: { version: result.state.version, status: result.state.status },
        events,
      };
    });
  }

  /** The clock ran out for a character: it defends. Normally called by the clock itself. */
  async timeout(sessionId: string, characterId: string): Promise<GameEvent[]> {
    if (!this.#sessions.has(sessionId)) return [];
    return this.#exclusive(sessionId, async (s) => {
      // The character may have acted while the timer fired: nothing to log then.
      if (!timeoutAction(s.state, characterId)) return [];
      const { result, events } = await this.#run(s, { kind: 'timeout', characterId });
      return result.accepted ? events : [];
    });
  }

  async getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>> {
    const s = await this.#session(sessionId);
    const view = characterId && s.state.characters[characterId] ? characterView(s.state, characterId) : sessionView(s.state);
    return view as unknown as Record<string, unknown>;
  }

  /** The raw state and log, for tests, replays and the session log endpoint. */
  session(sessionId: string): { world: World; seed: number; state: GameState; log: readonly LogEntry[] } | undefined {
    const s = this.#sessions.get(sessionId);
    return s && { world: s.world, seed: s.seed, state: s.state, log: s.log.entries() };
  }

  /** Loads a session into memory (from the store when it is not there yet) and returns its state. */
  async load(sessionId: string): Promise<GameState> {
    return (await this.#session(sessionId)).state;
  }

  /**
   * Drops a session from memory and stops its clocks (another replica owns it now). Commands
   * already queued for it load it again from the store, where a stale owner's writes are refused.
   */
  forget(sessionId: string): void {
    const s = this.#sessions.get(sessionId);
    if (!s) return;
    this.#stopClocks(s);
    this.#sessions.delete(sessionId);
  }

  /** The sessions held in memory. */
  held(): string[] {
    return [...this.#sessions.keys()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#sessions.values()) this.#stopClocks(s);
    await Promise.allSettled([...this.#chains.values()]);
    this.#sessions.clear();
  }

  /** Runs `fn` after every command of the session queued before it. */
  #exclusive<T>(sessionId: string, fn: (s: Session) => Promise<T>): Promise<T> {
    const previous = this.#chains.get(sessionId) ?? Promise.resolve();
    const attempt = async (): Promise<T> => {
      for (let tries = 1; ; tries++) {
        try {
          return await fn(await this.#session(sessionId));
        } catch (err) {
          if (!(err instanceof StoreConflictError) || tries >= 5) throw err;
        }
      }
    };
    const next = previous.then(attempt, attempt);
    const settled = next.catch(() => undefined);
    this.#chains.set(sessionId, settled);
    void settled.then(() => {
      if (this.#chains.get(sessionId) === settled) this.#chains.delete(sessionId);
    });
    return next;
  }

  /** The session in memory; else the stored one, replayed; else a new one of `worldId`. */
  #session(sessionId: string, worldId?: string): Promise<Session> {
    const existing = this.#sessions.get(sessionId);
    if (existing) return Promise.resolve(existing);
    let loading = this.#loading.get(sessionId);
    if (!loading) {
      loading = this.#open(sessionId, worldId).finally(() => this.#loading.delete(sessionId));
      this.#loading.set(sessionId, loading);
    }
    return loading;
  }

  async #open(sessionId: string, worldId?: string): Promise<Session> {
    const stored = await this.#opts.store?.load?.(sessionId);
    if (stored && (stored.entries.length > 0 || stored.snapshot)) {
      const world = this.#world(stored.worldId);
      const from = stored.snapshot ? ({ ...structuredClone(stored.snapshot.state), world } as GameState) : undefined;
      const state = replay(world, stored.seed, stored.entries, from ? { from } : {});
      const log = SessionLog.from(stored.entries, stored.snapshot ? stored.snapshot.seq + 1 : 0);
      const s: Session = { world, seed: stored.seed, state, log, clocks: new Map() };
      this.#sessions.set(sessionId, s);
      this.#opts.onRestored?.(sessionId, { snapshotSeq: stored.snapshot?.seq ?? null, replayed: stored.entries.length });
      const prompts = this.#rearm(s);
      if (prompts.length > 0) await this.#opts.onEvents?.(sessionId, prompts);
      return s;
    }
    const world = this.#world(worldId ?? this.#opts.defaultWorldId ?? 'crypt-of-dawn');
    const seed = (this.#opts.seedFor ?? seedFromString)(sessionId) >>> 0;
    const log = new SessionLog();
    const command: Command = { kind: 'create', sessionId, seed };
    const result = applyCommand(world, null, command);
    const entry = log.append(command, result);
    try {
      await this.#opts.store?.save(sessionId, entry, result.state, { events: result.events });
    } catch (err) {
      // Another replica created it a moment ago: take theirs.
      if (err instanceof StoreConflictError && this.#opts.store?.load) return this.#open(sessionId, worldId);
      throw err;
    }
    const s: Session = { world, seed, state: result.state, log, clocks: new Map() };
    this.#sessions.set(sessionId, s);
    return s;
  }

  #world(id: string): World {
    const world = this.#opts.worlds.get(id);
    if (!world) throw new Error(`unknown world "${id}"`);
    return world;
  }

  /** Applies one command; the events are the rules' plus the turn prompts it caused. */
  async #run(s: Session, command: Command, meta?: unknown): Promise<{ result: RuleResult; events: GameEvent[] }> {
    const result = applyCommand(s.world, s.state, command);
    const entry = s.log.append(command, result);
    // The prompts are known before the store takes the entry, so both are stored together.
    const events = [...result.events, ...this.#prompts(s, result.state)];
    const reason = result.reason !== undefined ? (result.message ? `${result.reason}: ${result.message}` : result.reason) : undefined;
    try {
      await this.#opts.store?.save(s.state.sessionId, entry, result.state, {
        events,
        meta,
        ...(reason !== undefined ? { reason } : {}),
        ...(result.items ? { items: result.items } : {}),
      });
    } catch (err) {
      // The log in memory now holds an entry the store does not: forget the session and let the
      // next command reload it from the store.
      this.#stopClocks(s);
      this.#sessions.delete(s.state.sessionId);
      throw err;
    }
    s.state = result.state;
    this.#rearm(s);
    return { result, events };
  }

  /** The turn prompts `state` calls for that have not been sent (no clock runs for that turn yet). */
  #prompts(s: Session, state: GameState): GameEvent[] {
    const waiting = state.status === 'active' ? waitingCharacters(state) : [];
    return waiting
      .filter((w) => s.clocks.get(w.roomId)?.turn !== `${w.characterId}@${w.round}`)
      .map((w) => ({
        type: TURN_PROMPT,
        characterId: w.characterId,
        data: { characterId: w.characterId, roomId: w.roomId, round: w.round, version: state.version, timeoutMs: this.#opts.turnTimeoutMs ?? null },
      }));
  }

  /**
   * Prompts each character that is newly up (and starts its clock), stops the clocks of turns
   * that are over. Returns the prompts, to be published after the events that led to them.
   */
  #rearm(s: Session): GameEvent[] {
    const timeoutMs = this.#opts.turnTimeoutMs;
    const prompts = this.#prompts(s, s.state);
    const live = new Set((s.state.status === 'active' ? waitingCharacters(s.state) : []).map((w) => w.roomId));
    for (const p of prompts) {
      const { characterId, roomId, round } = p.data as { characterId: string; roomId: string; round: number };
      const turn = `${characterId}@${round}`;
      const current = s.clocks.get(roomId);
      if (current?.timer) clearTimeout(current.timer);
      let timer: NodeJS.Timeout | null = null;
      if (timeoutMs !== undefined && !this.#closed) {
        const sessionId = s.state.sessionId;
        timer = setTimeout(() => {
          if (s.clocks.get(roomId)?.turn === turn) s.clocks.delete(roomId);
          void this.timeout(sessionId, characterId)
            .then(async (events) => {
              if (events.length > 0 && !this.#opts.store?.deliversEvents) await this.#opts.onEvents?.(sessionId, events);
            })
            .catch((err: unknown) => this.#opts.onError?.(err, sessionId));
        }, timeoutMs);
        timer.unref?.();
      }
      s.clocks.set(roomId, { turn, timer });
    }
    for (const [roomId, c] of s.clocks) {
      if (!live.has(roomId)) {
        if (c.timer) clearTimeout(c.timer);
        s.clocks.delete(roomId);
      }
    }
    return prompts;
  }

  #stopClocks(s: Session): void {
    for (const c of s.clocks.values()) if (c.timer) clearTimeout(c.timer);
    s.clocks.clear();
  }
}

function containerOf(action: Action): string | undefined {
  return action.type === 'container.unlock' || action.type === 'container.pick_lock' ? action.containerId : undefined;
}
