import type { Action, CharacterClass, Capability } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import type { EventSink, GameEvent } from '../events/publisher.ts';

export type { GameEvent, EventSink };

/** A character as it joins a session. */
export interface JoiningCharacter {
  characterId: string;
  name: string;
  class: CharacterClass;
  level: number;
  capabilities: Capability[];
}

export interface JoinResult {
  /** What the character sees on registration (`gameState` of the response). */
  gameState: Record<string, unknown>;
  /** Published on the session's channels after the join. */
  events: GameEvent[];
}

export interface ActionDecision {
  /** False when the action is valid on the wire but not allowed now (not your turn, no exit, ...). */
  accepted: boolean;
  reason?: string;
  /** Immediate result, returned to the caller (e.g. the roll); effects also go out as events. */
  outcome?: Record<string, unknown>;
  /** Published after the action is recorded, in order. */
  events: GameEvent[];
}

/**
 * The Dungeon Master as the api-server sees it. The api-server validates, authenticates,
 * authorises and rate-limits; the engine decides. Sessions may be handled by any replica, so an
 * engine must treat an unknown sessionId as one to load (e.g. from PostgreSQL) or create lazily.
 */
export interface GameEngine {
  /** A session was created (by an admin or by the registry) with this world. */
  createSession(worldId: string, sessionId: string): Promise<void>;
  /** A character joined (or re-joined after a restart) a session. */
  join(sessionId: string, character: JoiningCharacter): Promise<JoinResult>;
  /** A character left (deregistered or moved to another session). */
  leave(sessionId: string, characterId: string): Promise<GameEvent[]>;
  /** A validated action by a registered member of the session. */
  handleAction(sessionId: string, action: Action): Promise<ActionDecision>;
  /** The session's state for `GET /api/sessions/{id}/state`, optionally as one character sees it. */
  getState(sessionId: string, characterId?: string): Promise<Record<string, unknown>>;
  /** Releases timers and the like on shutdown. */
  close(): Promise<void>;
}

/** What an engine gets from the api-server: events it publishes on its own (monster turns, timeouts). */
export interface GameEngineDeps {
  events: EventSink;
  db: Pool;
  logger: Logger;
}

export type GameEngineFactory = (deps: GameEngineDeps) => GameEngine;
