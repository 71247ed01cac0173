import { TURN_PROMPT, type Action } from '@distributed-dungeon/contracts';
import type { ClassName } from './classes.ts';
import { CommitQueue, type UnsavedEntry } from './commit-queue.ts';
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
// Commands of one session are applied one at a time (a promise chain per session), each to the
// state the one before left; their log entries then reach the store in log order through the
// session's commit queue, which writes the entries that queued up during a write together in the
// next (group commit). A caller is answered once the write holding its entry committed. What
// reads the store on the rules' behalf (item inputs, a retry's recorded answer) first waits for
// the entries still unsaved. When the store fails, the session is dropped from memory so the next
// use reloads it from the store: what was stored is the truth, never a state the store did not
// take; the commands of the failed write's batch are answered with its error (a StoreConflictError
// applies them again to the reloaded session), those queued behind it are applied again.
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
  /**
   * Several consecutive entries in one write, all or none (group commit). Absent: `save` is
   * called for each in turn.
   */
  saveMany?(sessionId: string, items: readonly UnsavedEntry<CommandEffects>[]): Promise<void>;
  /** A stored session this process does not hold (after a restart, or made by another replica). */
  load?(sessionId: string): Promise<StoredSession | null>;
  /**
   * True when `save` also delivers the events (written with the entry, e.g. to an outbox): the
   * clock then hands its own events to nobody else.
   */
  deliversEvents?: boolean;
  /** The answer already recorded for this action (a client retrying it), or null: it is then not applied again. */
  previous?(sessionId: string, action: Action, meta: unknown): Promise<unknown>;
  /**
   * What identifies a retry of this action to `previous`; null: it cannot be a retry (not
   * asked). Absent: `previous` is asked for every action, after all unsaved entries are stored.
   */
  retryKey?(action: Action, meta: unknown): string | null;
}

export type { UnsavedEntry };

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
  /** The state after the last entry the store took (`state` when none is on its way). */
  stored: GameState;
  log: SessionLog;
  /** Room id → the turn (`character@round`) prompted there, with its clock when one runs. */
  clocks: Map<string, { turn: string; timer: NodeJS.Timeout | null }>;
  /** The applied entries on their way to the store. Dead once a write failed: the session is then reloaded. */
  commits: CommitQueue<CommandEffects>;
  /**
   * Retry key → the commit of that action, for the actions applied to this record (a retry
   * waits for it, then asks the store). The oldest stored ones are dropped past RECENT_MAX;
   * `trims` counts the drops, so a store read begun before one is not trusted (see `handleAction`).
   */
  recent: Map<string, { done: Promise<void>; stored: boolean }>;
  trims: number;
}

/** What `handleAction` answers: the rules' decision, or the answer recorded for a retried action (`previous`). */
type ActionAnswer = { accepted: boolean; reason?: string; outcome?: Record<string, unknown>; events: GameEvent[]; previous?: unknown };

/** A newcomer's things, read before its join's turn in the queue (see `#readAhead`). */
interface ReadAhead {
  record: Session;
  /** The log's length when the read began: commands from here on were not seen by it. */
  from: number;
  read: Promise<ItemInputs | undefined>;
}

/** What a queued step hands back: its answer, and the store's commit of its entry when it made one. */
interface Step<T> {
  value: T;
  committed?: Promise<void>;
}

interface JoinInput {
  characterId: string;
  name: string;
  class: ClassName;
  level: number;
  abilities?: string[];
}

/** How many retry keys a session's record keeps (about 100 bytes each). */
const RECENT_MAX = 4096;
/** An early read of a recorded answer that was not made, or failed. */
const NOT_READ = Symbol('not read');

/**
 * Taken on a session's record before a caller begins its own read of an action's recorded
 * answer (beside the token's grounds, in one round trip): `handleAction` trusts that read on the
 * same terms as its own early read — begun on this record, nothing dropped from `recent` since.
 */
export class AnswerTicket {
  /** @internal */ readonly record: object;
  /** @internal */ readonly trims: number;
  constructor(record: object, trims: number) {
    this.record = record;
    this.trims = trims;
  }
}

/** A recorded answer (null: none) of the action's retry key, read after `ticket` was taken. */
export interface EarlyAnswer {
  ticket: AnswerTicket;
  answer: unknown;
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
    const ahead = this.#readAhead(sessionId, characterId);
    return this.#exclusive(sessionId, async (s) => {
      // A character joining anew brings its things; one already here is taken as it was.
      const inputs = s.state.characters[characterId]?.present ? undefined : await this.#newcomerInputs(s, characterId, ahead);
      // The picks go into the log entry: a replay knows the same spells.
      const { events, committed } = this.#run(s, { kind: 'join', ...(inputs ? { inputs } : {}), character: { characterId, name, class: character.class, level, ...(abilities ? { abilities } : {}) } });
      const gameState = s.state.characters[characterId] ? characterView(s.state, characterId) : sessionView(s.state);
      return { value: { gameState: gameState as unknown as Record<string, unknown>, events }, committed };
    });
  }

  async leave(sessionId: string, characterId: string, reason?: string): Promise<GameEvent[]> {
    return this.#exclusive(sessionId, async (s) => {
      if (!s.state.characters[characterId]) return { value: [] };
      const { events, committed } = this.#run(s, { kind: 'leave', characterId, ...(reason !== undefined ? { reason } : {}) });
      return { value: events, committed };
    });
  }

  /** The game master ends the session (its members leave the game, the outcome is `closed`). */
  async end(sessionId: string, reason: string): Promise<GameEvent[]> {
    return this.#exclusive(sessionId, async (s) => {
      const { events, committed } = this.#run(s, { kind: 'end', reason });
      return { value: events, committed };
    });
  }

  /** A ticket for a read of an action's recorded answer about to begin; undefined while the session is not held here. */
  answerTicket(sessionId: string): AnswerTicket | undefined {
    const record = this.#sessions.get(sessionId);
    return record && new AnswerTicket(record, record.trims);
  }

  /** `early`: the action's recorded answer, read by the caller after taking an `answerTicket`. */
  async handleAction(
    sessionId: string,
    action: Action,
    meta?: unknown,
    early?: EarlyAnswer,
  ): Promise<ActionAnswer> {
    const store = this.#opts.store;
    const key = store?.retryKey ? store.retryKey(action, meta) : undefined;
    // The store is asked for a recorded answer before the queue, beside the commands ahead, so
    // the queue does not wait on that read (the SDK sends a clientActionId with every action);
    // the caller may have read it already.
    const given = early?.ticket instanceof AnswerTicket ? { record: early.ticket.record, trims: early.ticket.trims, read: Promise.resolve(early.answer) } : undefined;
    const earlyRead = store?.previous && typeof key === 'string' ? (given ?? this.#earlyPrevious(sessionId, action, meta)) : undefined;
    return this.#exclusive<ActionAnswer>(sessionId, async (s) => {
      // Decided inside the session's queue, so two copies of one retried action cannot both
      // pass: a copy of an action applied to this record waits for its commit, then asks the
      // store. Otherwise the early read answers, if it began on this record with nothing dropped
      // from `recent` since: every key applied here before it began and unsaved then is in
      // `recent`, every one dropped was stored before the read began.
      if (store?.previous && key !== null) {
        const known = key === undefined ? undefined : s.recent.get(key);
        let previous: unknown;
        if (key === undefined || known) {
          await (known ? known.done : s.commits.settled());
          previous = await store.previous(sessionId, action, meta);
        } else {
          const read = earlyRead && earlyRead.record === s && earlyRead.trims === s.trims ? await earlyRead.read : NOT_READ;
          previous = read === NOT_READ ? await store.previous(sessionId, action, meta) : read;
        }
        if (previous !== undefined && previous !== null) return { value: { accepted: false, events: [], previous } };
      }
      const inputs = needsItemInputs(action) ? await this.#itemInputs(s, action.characterId, containerOf(action)) : undefined;
      const { result, events, committed } = this.#run(s, { kind: 'action', action, ...(inputs ? { inputs } : {}) }, meta);
      if (key) this.#remember(s, key, committed);
      const value = {
        accepted: result.accepted,
        ...(result.reason !== undefined ? { reason: result.message ? `${result.reason}: ${result.message}` : result.reason } : {}),
        outcome: { version: result.state.version, status: result.state.status },
        events,
      };
      return { value, committed };
    });
  }

  /** The clock ran out for a character: it defends. Normally called by the clock itself. */
  async timeout(sessionId: string, characterId: string): Promise<GameEvent[]> {
    if (!this.#sessions.has(sessionId)) return [];
    return this.#exclusive(sessionId, async (s) => {
      // The character may have acted while the timer fired: nothing to log then.
      if (!timeoutAction(s.state, characterId)) return { value: [] };
      const { result, events, committed } = this.#run(s, { kind: 'timeout', characterId });
      return { value: result.accepted ? events : [], committed };
    });
  }

  async getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>> {
    // What the store took, not the commands still on their way to it. Not waiting for them: a
    // write in flight may itself ask (the item services look characters up).
    const state = (await this.#session(sessionId)).stored;
    const view = characterId && state.characters[characterId] ? characterView(state, characterId) : sessionView(state);
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
    await Promise.all([...this.#sessions.values()].map((s) => s.commits.settled()));
    this.#sessions.clear();
  }

  /**
   * Runs `fn` after every command of the session queued before it, and answers once the entry
   * it made is stored. A conflict (another replica wrote first, or a write ahead of this one
   * failed) queues it again, on the session reloaded from the store.
   */
  async #exclusive<T>(sessionId: string, fn: (s: Session) => Promise<Step<T>>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        const step = await this.#queued(sessionId, fn);
        await step.committed;
        return step.value;
      } catch (err) {
        if (!(err instanceof StoreConflictError) || tries >= 5) throw err;
      }
    }
  }

  /** Runs `fn` on the session after every step queued before it; the next step starts when `fn` returns. */
  #queued<T>(sessionId: string, fn: (s: Session) => Promise<Step<T>>): Promise<Step<T>> {
    const previous = this.#chains.get(sessionId) ?? Promise.resolve();
    const attempt = async (): Promise<Step<T>> => fn(await this.#session(sessionId));
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
      const s = this.#record(sessionId, { world, seed: stored.seed, state, log });
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
    const s = this.#record(sessionId, { world, seed, state: result.state, log });
    this.#sessions.set(sessionId, s);
    return s;
  }

  #world(id: string): World {
    const world = this.#opts.worlds.get(id);
    if (!world) throw new Error(`unknown world "${id}"`);
    return world;
  }

  /** A session's record in memory, with its commit queue. */
  #record(sessionId: string, base: Pick<Session, 'world' | 'seed' | 'state' | 'log'>): Session {
    const store = this.#opts.store;
    const s: Session = {
      ...base,
      stored: base.state,
      clocks: new Map(),
      recent: new Map(),
      trims: 0,
      commits: new CommitQueue<CommandEffects>({
        write: async (items) => {
          if (!store) return;
          if (store.saveMany) return store.saveMany(sessionId, items);
          for (const i of items) await store.save(sessionId, i.entry, i.state, i.effects);
        },
        // The log in memory now holds entries the store does not: forget the session and let
        // the next command reload it from the store.
        onFail: () => {
          this.#stopClocks(s);
          if (this.#sessions.get(sessionId) === s) this.#sessions.delete(sessionId);
        },
        retriable: (cause) => new StoreConflictError(`session ${sessionId}: an earlier write failed; applied again after reloading`, { cause }),
      }),
    };
    return s;
  }

  /** The store's recorded answer for this action, read now on the session's record in memory (none held: not read). */
  #earlyPrevious(sessionId: string, action: Action, meta: unknown): { record: object; trims: number; read: Promise<unknown> } | undefined {
    const record = this.#sessions.get(sessionId);
    const previous = this.#opts.store?.previous;
    if (!record || !previous) return undefined;
    const trims = record.trims;
    // A failed read is made again in the queue.
    return { record, trims, read: previous(sessionId, action, meta).catch(() => NOT_READ) };
  }

  /** Keeps the commit of an action applied to this record under its retry key; drops the oldest stored ones past RECENT_MAX. */
  #remember(s: Session, key: string, committed: Promise<void>): void {
    const entry = { stored: false, done: Promise.resolve() };
    entry.done = committed.then(
      () => void (entry.stored = true),
      () => undefined,
    );
    s.recent.delete(key);
    s.recent.set(key, entry);
    if (s.recent.size <= RECENT_MAX) return;
    let dropped = false;
    for (const [k, e] of s.recent) {
      if (s.recent.size <= RECENT_MAX / 2 || !e.stored) break;
      s.recent.delete(k);
      dropped = true;
    }
    if (dropped) s.trims++;
  }

  /**
   * A newcomer's things read now, beside the commands queued ahead of its join, when none of
   * those concerns it: only its own commands can change its rows (it is not in the game, so no
   * one else's reaches its things). The joins of a filling session then take no round trip in
   * the session's queue, and ride in one write together.
   */
  #readAhead(sessionId: string, characterId: string): ReadAhead | undefined {
    const s = this.#sessions.get(sessionId);
    const read = this.#opts.itemInputs;
    if (!s || !read || s.state.characters[characterId]?.present || s.commits.pending().some((u) => concerns(u, characterId))) return undefined;
    const ahead = { record: s, from: s.log.length, read: read(sessionId, characterId) };
    // Awaited only if still good when the join's turn comes; a failed read unused is no error.
    ahead.read.catch(() => undefined);
    return ahead;
  }

  /** The read ahead, if no command that concerns the newcomer was applied since it began; else a read now. */
  async #newcomerInputs(s: Session, characterId: string, ahead: ReadAhead | undefined): Promise<ItemInputs | undefined> {
    if (ahead && ahead.record === s && !s.log.entries(ahead.from).some((e) => commandConcerns(e.command, characterId))) {
      const inputs = await ahead.read;
      assertWritable(s);
      return inputs;
    }
    return this.#itemInputs(s, characterId, undefined, { onlyItsOwn: true });
  }

  /**
   * What the item tables hold, read once every entry applied before is stored in them (with
   * `onlyItsOwn`: every such entry that concerns the character).
   */
  async #itemInputs(s: Session, characterId: string, containerId?: string, opts: { onlyItsOwn?: boolean } = {}): Promise<ItemInputs | undefined> {
    if (!this.#opts.itemInputs) return undefined;
    if (!opts.onlyItsOwn || s.commits.pending().some((u) => concerns(u, characterId))) await s.commits.settled();
    assertWritable(s);
    return this.#opts.itemInputs(s.state.sessionId, characterId, containerId);
  }

  /**
   * Applies one command to the state in memory and queues its entry for the store; the events
   * are the rules' plus the turn prompts it caused. `committed` settles with the store's write.
   */
  #run(s: Session, command: Command, meta?: unknown): { result: RuleResult; events: GameEvent[]; committed: Promise<void> } {
    // A write of this session failed since the step began: the record is stale, apply it to the reloaded one.
    if (s.commits.dead || this.#sessions.get(s.state.sessionId) !== s) throw new StoreConflictError(`session ${s.state.sessionId}: reloaded while the command waited`);
    const result = applyCommand(s.world, s.state, command);
    const entry = s.log.append(command, result);
    // The prompts are known before the store takes the entry, so both are stored together.
    const events = [...result.events, ...this.#prompts(s, result.state)];
    const reason = result.reason !== undefined ? (result.message ? `${result.reason}: ${result.message}` : result.reason) : undefined;
    const effects: CommandEffects = {
      events,
      meta,
      ...(reason !== undefined ? { reason } : {}),
      ...(result.items ? { items: result.items } : {}),
    };
    s.state = result.state;
    this.#rearm(s);
    const committed = s.commits.push({ entry, state: result.state, effects });
    // Writes commit in log order, so the last one to land holds the latest stored state.
    void committed.then(
      () => (s.stored = result.state),
      () => undefined,
    );
    return { result, events, committed };
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

/** A write of the session failed while the step waited: the step is applied again to the reloaded session. */
function assertWritable(s: Session): void {
  if (s.commits.dead) throw new StoreConflictError(`session ${s.state.sessionId}: a write failed; applied again after reloading`);
}

/**
 * Whether an unstored entry may change a character's rows in the item tables: a command it
 * gave or that names it (join, leave, turn timeout, its action), an item intent for it, or the
 * end of the session (which concerns everyone).
 */
export function concerns(u: UnsavedEntry<CommandEffects>, characterId: string): boolean {
  return commandConcerns(u.entry.command, characterId) || (u.effects.items ?? []).some((i) => 'characterId' in i && i.characterId === characterId);
}

/** Whether a command is the character's own or names it (the end of the session names everyone). */
export function commandConcerns(c: Command, characterId: string): boolean {
  return (
    c.kind === 'end' ||
    (c.kind === 'join' && c.character.characterId === characterId) ||
    ((c.kind === 'leave' || c.kind === 'timeout') && c.characterId === characterId) ||
    (c.kind === 'action' && c.action.characterId === characterId)
  );
}

function containerOf(action: Action): string | undefined {
  return action.type === 'container.unlock' || action.type === 'container.pick_lock' ? action.containerId : undefined;
}
