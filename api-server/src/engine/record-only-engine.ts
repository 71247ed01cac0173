import type { Action } from '@distributed-dungeon/contracts';
import * as actionsRepo from '../actions/repository.ts';
import { withTransaction } from '../db/pool.ts';
import type { ActionDecision, ActionMeta, GameEngine, GameEngineDeps, GameEngineFactory, GameEvent, JoinResult, JoiningCharacter } from './game-engine.ts';

/**
 * The engine used until the Dungeon Master is plugged in: every valid action is accepted and
 * echoed as an event of its own type on its topic; no world, no rules. The action and its event
 * are recorded in one transaction, as the GameEngine contract asks.
 */
export class RecordOnlyEngine implements GameEngine {
  readonly #deps: GameEngineDeps;
  constructor(deps: GameEngineDeps) {
    this.#deps = deps;
  }

  async createSession(): Promise<void> {}

  async join(sessionId: string, character: JoiningCharacter): Promise<JoinResult> {
    return {
      gameState: { sessionId, engine: 'record-only', you: { characterId: character.characterId, name: character.name } },
      events: [],
    };
  }

  /** No game to leave: the caller publishes the departure itself. */
  async leave(_sessionId: string, characterId: string, reason?: string): Promise<GameEvent[]> {
    return [{ type: 'system.character_left', data: { characterId, ...(reason !== undefined ? { reason } : {}) } }];
  }

  /** No game to end: the sessions service closes the session and tells its channels itself. */
  async end(): Promise<void> {}

  async handleAction(sessionId: string, action: Action, meta: ActionMeta): Promise<ActionDecision> {
    const { db, events } = this.#deps;
    const previous = await actionsRepo.findRecordedAction(db, { actionId: meta.actionId, characterId: action.characterId, clientActionId: action.clientActionId });
    if (previous) return { ...previous, replayed: true };
    const { type, characterId, timestamp: _ts, ...rest } = action;
    const eventType = type === 'rest' ? 'system.rest' : type;
    const staged = await withTransaction(db, async (tx) => {
      await actionsRepo.insertAction(tx, { id: meta.actionId, sessionId, action, status: 'accepted' });
      return events.stage(tx, sessionId, [{ type: eventType, data: { characterId, ...rest, actionId: meta.actionId } }]);
    });
    await events.flush(staged.lastId);
    return { actionId: meta.actionId, accepted: true };
  }

  async getState(sessionId: string): Promise<Record<string, unknown>> {
    return { sessionId, engine: 'record-only' };
  }

  async close(): Promise<void> {}
}

export const recordOnlyEngine: GameEngineFactory = (deps) => new RecordOnlyEngine(deps);
