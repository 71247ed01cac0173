import type { Action } from '@distributed-dungeon/contracts';
import type { ClassName } from './classes.ts';
import { applyCommand, SessionLog, type Command, type LogEntry } from './log.ts';
import { seedFromString } from './rng.ts';
import { waitingCharacters } from './rules.ts';
import type { GameEvent, GameState, RuleResult } from './state.ts';
import { characterView, sessionView } from './view.ts';
import type { World } from './world.ts';

// Sessions in memory, each a state plus its log, with the turn clock the pure rules leave
// outside. Method shapes follow the api-server's GameEngine so it can delegate to this.

export interface SessionStore {
  /** Called after every applied command with the new log entry and state (persist both). */
  save(sessionId: string, entry: LogEntry, state: GameState): void | Promise<void>;
}

export interface DungeonMasterOptions {
  worlds: ReadonlyMap<string, World>;
  /** World used when a session is joined before it was created (e.g. after a restart). */
  defaultWorldId?: string;
  /** How long a character has for its combat turn before it defends. */
  turnTimeoutMs?: number;
  seedFor?: (sessionId: string) => number;
  /** Events the engine produces on its own (turn timeouts), to publish. */
  onEvents?: (sessionId: string, events: GameEvent[]) => void;
  store?: SessionStore;
}

interface Session {
  world: World;
  seed: number;
  state: GameState;
  log: SessionLog;
  /** Room id → the running clock of whoever is up there. */
  clocks: Map<string, { turn: string; timer: NodeJS.Timeout }>;
}

export interface JoinInput {
  characterId: string;
  name: string;
  class: ClassName;
  level: number;
}

export class DungeonMaster {
  readonly #opts: DungeonMasterOptions;
  readonly #sessions = new Map<string, Session>();

  constructor(options: DungeonMasterOptions) {
    this.#opts = options;
  }

  async createSession(worldId: string, sessionId: string): Promise<void> {
    this.#ensure(sessionId, worldId);
  }

  async join(sessionId: string, character: JoinInput): Promise<{ gameState: Record<string, unknown>; events: GameEvent[] }> {
    const s = this.#ensure(sessionId);
    const { characterId, name, level } = character;
    const result = await this.#run(s, { kind: 'join', character: { characterId, name, class: character.class, level } });
    const gameState = s.state.characters[characterId] ? characterView(s.state, characterId) : sessionView(s.state);
    return { gameState: gameState as unknown as Record<string, unknown>, events: result.events };
  }

  async leave(sessionId: string, characterId: string): Promise<GameEvent[]> {
    const s = this.#sessions.get(sessionId);
    if (!s || !s.state.characters[characterId]) return [];
    return (await this.#run(s, { kind: 'leave', characterId })).events;
  }

  async handleAction(sessionId: string, action: Action): Promise<{ accepted: boolean; reason?: string; outcome?: Record<string, unknown>; events: GameEvent[] }> {
    const s = this.#ensure(sessionId);
    const result = await this.#run(s, { kind: 'action', action });
    return {
      accepted: result.accepted,
      ...(result.reason !== undefined ? { reason: result.message ? `${result.reason}: ${result.message}` : result.reason } : {}),
      outcome: { version: result.state.version, status: result.state.status },
      events: result.events,
    };
  }

  /** The clock ran out for a character: it defends. Normally called by the clock itself. */
  async timeout(sessionId: string, characterId: string): Promise<GameEvent[]> {
    const s = this.#sessions.get(sessionId);
    if (!s) return [];
    const result = await this.#run(s, { kind: 'timeout', characterId });
    return result.accepted ? result.events : [];
  }

  async getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>> {
    const s = this.#ensure(sessionId);
    const view = characterId && s.state.characters[characterId] ? characterView(s.state, characterId) : sessionView(s.state);
    return view as unknown as Record<string, unknown>;
  }

  /** The raw state and log, for tests, replays and the session log endpoint. */
  session(sessionId: string): { world: World; seed: number; state: GameState; log: readonly LogEntry[] } | undefined {
    const s = this.#sessions.get(sessionId);
    return s && { world: s.world, seed: s.seed, state: s.state, log: s.log.entries() };
  }

  async close(): Promise<void> {
    for (const s of this.#sessions.values()) for (const c of s.clocks.values()) clearTimeout(c.timer);
    this.#sessions.clear();
  }

  #ensure(sessionId: string, worldId?: string): Session {
    const existing = this.#sessions.get(sessionId);
    if (existing) return existing;
    const id = worldId ?? this.#opts.defaultWorldId ?? 'crypt-of-dawn';
    const world = this.#opts.worlds.get(id);
    if (!world) throw new Error(`unknown world "${id}"`);
    const seed = (this.#opts.seedFor ?? seedFromString)(sessionId);
    const log = new SessionLog();
    const command: Command = { kind: 'create', sessionId, seed };
    const result = applyCommand(world, null, command);
    const s: Session = { world, seed, state: result.state, log, clocks: new Map() };
    this.#sessions.set(sessionId, s);
    const entry = log.append(command, result);
    void this.#opts.store?.save(sessionId, entry, s.state);
    return s;
  }

  async #run(s: Session, command: Command): Promise<RuleResult> {
    const result = applyCommand(s.world, s.state, command);
    s.state = result.state;
    const entry = s.log.append(command, result);
    await this.#opts.store?.save(s.state.sessionId, entry, s.state);
    this.#rearm(s);
    return result;
  }

  /** Starts a clock for each character that is newly up, and stops the ones that are done. */
  #rearm(s: Session): void {
    const timeoutMs = this.#opts.turnTimeoutMs;
    const waiting = s.state.status === 'active' ? waitingCharacters(s.state) : [];
    const live = new Set<string>();
    for (const w of waiting) {
      const turn = `${w.characterId}@${w.round}`;
      live.add(w.roomId);
      const current = s.clocks.get(w.roomId);
      if (current?.turn === turn) continue;
      if (current) clearTimeout(current.timer);
      if (timeoutMs === undefined) continue;
      const timer = setTimeout(() => {
        s.clocks.delete(w.roomId);
        void this.timeout(s.state.sessionId, w.characterId).then((events) => {
          if (events.length > 0) this.#opts.onEvents?.(s.state.sessionId, events);
        });
      }, timeoutMs);
      timer.unref?.();
      s.clocks.set(w.roomId, { turn, timer });
    }
    for (const [roomId, c] of s.clocks) {
      if (!live.has(roomId)) {
        clearTimeout(c.timer);
        s.clocks.delete(roomId);
      }
    }
  }
}
