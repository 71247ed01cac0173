import type { Action, CharacterClass, Capability } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import type { EventBus } from '../events/publisher-outbox.ts';
import type { EventSink, GameEvent } from '../events/publisher.ts';
import type { AnswerTicket, EarlyAnswer } from '../game/index.ts';

export type { GameEvent, EventSink, EventBus, AnswerTicket, EarlyAnswer };

/** A character as it joins a session. */
export interface JoiningCharacter {
  characterId: string;
  name: string;
  class: CharacterClass;
  level: number;
  capabilities: Capability[];
  /** The abilities and spells picked (contracts/src/abilities.ts); absent: the class's standard set. */
  abilities?: string[];
}

export interface JoinResult {
  /** What the character sees on registration (`gameState` of the response). */
  gameState: Record<string, unknown>;
  /**
   * Events for the caller to publish after the join. The engines here deliver their own through
   * the outbox, in the join's transaction, and leave this empty.
   */
  events: GameEvent[];
}

/** What the api-server hands the engine with an action. */
export interface ActionMeta {
  /** The action's id, chosen once per request: a forwarded retry of it is applied once. */
  actionId: string;
  /** Set by the owner for a call another replica forwarded (which that replica may send again). */
  forwarded?: boolean;
  /** Set by the store: the outbox row to wait for once the session's queue is left. */
  outboxId?: number | null;
}

export interface ActionDecision {
  /** The id the action was recorded under (the first one's, for a retried clientActionId). */
  actionId: string;
  /** False when the action is valid on the wire but not allowed now (not your turn, no exit, ...). */
  accepted: boolean;
  reason?: string;
  /** Immediate result, returned to the caller (e.g. the roll); effects also go out as events. */
  outcome?: Record<string, unknown>;
  /** The session version of the action's last ordered event. */
  version?: number;
  /** True when this is the recorded answer of an earlier request with the same clientActionId. */
  replayed?: boolean;
}

/**
 * The Dungeon Master as the api-server sees it. The api-server validates, authenticates,
 * authorises and rate-limits; the engine decides, and records every action with its events in
 * one transaction (the action row, the session log entry, the outbox): applied if and only if
 * reported. Sessions may be handled by any replica, so an engine must treat an unknown sessionId
 * as one to load (e.g. from PostgreSQL) or create lazily.
 */
export interface GameEngine {
  /** A session was created (by an admin or by the registry) with this world. */
  createSession(worldId: string, sessionId: string): Promise<void>;
  /** Whether sessions can be made with this world; absent: any world id is taken. */
  hasWorld?(worldId: string): boolean;
  /** A character joined (or re-joined after a restart) a session. */
  join(sessionId: string, character: JoiningCharacter): Promise<JoinResult>;
  /**
   * A character left (deregistered, revoked, moved to another session, expired: `reason`);
   * events as in JoinResult. The engine's `system.character_left` carries the reason.
   */
  leave(sessionId: string, characterId: string, reason?: string): Promise<GameEvent[]>;
  /**
   * The game master ended the session: its members leave the game, the game is over (outcome
   * `closed`), `system.session_closed` goes out and the session is closed for registration,
   * with the log entry. Ending an ended session changes nothing.
   */
  end(sessionId: string, reason: string): Promise<void>;
  /**
   * A validated action by a registered member of the session; a repeated clientActionId gets the
   * first answer. `early`: that answer (or null), read by the caller after `answerTicket`.
   */
  handleAction(sessionId: string, action: Action, meta: ActionMeta, early?: EarlyAnswer): Promise<ActionDecision>;
  /**
   * Taken before the caller reads an action's recorded answer itself (beside other reads, in one
   * round trip): the engine trusts that read only when nothing it applied since could be missing
   * from it. Undefined: not taken, the engine reads the answer itself.
   */
  answerTicket?(sessionId: string): AnswerTicket | undefined;
  /** The session's state for `GET /api/sessions/{id}/state`, optionally as one character sees it. */
  getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>>;
  /** Releases timers and the like on shutdown. */
  close(): Promise<void>;
}

/** How this replica is reached by the others (they forward to a session's owner). */
export interface ReplicaInfo {
  /** This replica's base URL, known once it listens. */
  url: () => string;
  /** Sent as the bearer token of forwarded calls (the admin token all replicas share). */
  adminToken: string;
}

/** What an engine gets from the api-server: the event bus (outbox), the database, a logger. */
export interface GameEngineDeps {
  events: EventBus;
  db: Pool;
  logger: Logger;
  replica?: ReplicaInfo;
}

export type GameEngineFactory = (deps: GameEngineDeps) => GameEngine;
