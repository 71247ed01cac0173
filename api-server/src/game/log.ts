import type { Action } from '@distributed-dungeon/contracts';
import { cloneData } from './clone.ts';
import { applyAction, applyTimeout } from './rules.ts';
import { createSession, endSession, joinCharacter, leaveCharacter, type JoiningCharacter } from './session.ts';
import type { GameEvent, GameState, ItemInputs, RuleResult } from './state.ts';
import type { World } from './world.ts';
import { canonicalJson } from '@distributed-dungeon/contracts';

// The session log: every command that was applied, in order, with the events it produced.
// Commands are the inputs, so `replay` re-runs them from the seed and gets the same state.

export type Command =
  | { kind: 'create'; sessionId: string; seed: number }
  | { kind: 'join'; character: JoiningCharacter; inputs?: ItemInputs }
  | { kind: 'leave'; characterId: string; reason?: string }
  /** `inputs`: the actor's items as the engine read them from the tables (replay reads no database). */
  | { kind: 'action'; action: Action; inputs?: ItemInputs }
  | { kind: 'timeout'; characterId: string }
  /** The game master ended the session. */
  | { kind: 'end'; reason: string };

export interface LogEntry {
  /** Position in the log, from 0. */
  seq: number;
  command: Command;
  /** The session version after the command. */
  version: number;
  accepted: boolean;
  events: GameEvent[];
}

/** Applies one command. `create` needs no state; everything else needs the current one. */
export function applyCommand(world: World, state: GameState | null, command: Command): RuleResult {
  if (command.kind === 'create') return createSession(world, command.sessionId, command.seed);
  if (!state) throw new Error(`the log must start with "create", not "${command.kind}"`);
  switch (command.kind) {
    case 'join':
      return joinCharacter(state, command.character, undefined, command.inputs);
    case 'leave':
      return leaveCharacter(state, command.characterId, undefined, command.reason);
    case 'action':
      return applyAction(state, command.action, undefined, command.inputs);
    case 'timeout':
      return applyTimeout(state, command.characterId);
    case 'end':
      return endSession(state, command.reason);
  }
}

/** An append-only log next to the state it produced. */
export class SessionLog {
  readonly #entries: LogEntry[] = [];
  /** The seq of the first entry held: entries before it are in a snapshot, not in memory. */
  #start = 0;

  /** A log continued from stored entries (`startSeq`, `startSeq + 1`, ... in order). */
  static from(entries: readonly LogEntry[], startSeq = 0): SessionLog {
    const log = new SessionLog();
    log.#start = startSeq;
    entries.forEach((e, i) => {
      if (e.seq !== startSeq + i) throw new Error(`log entry ${startSeq + i} has seq ${e.seq}: the stored log has a gap`);
      log.#entries.push(Object.freeze(structuredClone(e)));
    });
    return log;
  }

  append(command: Command, result: RuleResult): LogEntry {
    const entry: LogEntry = Object.freeze({
      seq: this.#start + this.#entries.length,
      command: cloneData(command),
      version: result.state.version,
      accepted: result.accepted,
      events: cloneData(result.events),
    });
    this.#entries.push(entry);
    return entry;
  }

  /** The number of entries in the whole log, those in a snapshot included. */
  get length(): number {
    return this.#start + this.#entries.length;
  }

  /** The entries held in memory from `fromSeq` on. */
  entries(fromSeq = 0): readonly LogEntry[] {
    return this.#entries.slice(Math.max(0, fromSeq - this.#start));
  }

  /** Every published (versioned) event after `version`, for a client that fell behind. */
  eventsSince(version: number): GameEvent[] {
    return this.#entries.flatMap((e) => e.events).filter((e) => e.version !== undefined && e.version > version);
  }

  toJSON(): LogEntry[] {
    return [...this.#entries];
  }
}

export class ReplayDivergence extends Error {}

/**
 * Rebuilds a session from its log. Given the world, the seed and the commands it returns the
 * same final state; with `verify` (the default) it also checks each command produced the same
 * events as recorded, and throws ReplayDivergence at the first that did not.
 */
export function replay(world: World, seed: number, log: readonly (LogEntry | Command)[], options: { verify?: boolean; from?: GameState } = {}): GameState {
  const verify = options.verify ?? true;
  // From a snapshot, `log` is the tail after it.
  let state: GameState | null = options.from ?? null;
  for (const item of log) {
    const entry = 'command' in item ? item : null;
    const command = entry ? entry.command : (item as Command);
    const effective: Command = command.kind === 'create' ? { ...command, seed } : command;
    const result = applyCommand(world, state, effective);
    if (verify && entry && canonicalJson(result.events) !== canonicalJson(entry.events)) {
      throw new ReplayDivergence(`replay diverged at log entry ${entry.seq} (${command.kind})`);
    }
    state = result.state;
  }
  if (!state) throw new Error('empty log');
  return state;
}
