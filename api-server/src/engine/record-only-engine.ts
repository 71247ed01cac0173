import type { Action } from '@distributed-dungeon/contracts';
import type { ActionDecision, GameEngine, GameEngineFactory, JoinResult, JoiningCharacter } from './game-engine.ts';

/**
 * The engine used until the Dungeon Master is plugged in: every valid action is accepted and
 * echoed as an event of its own type on its topic; no world, no rules.
 */
export class RecordOnlyEngine implements GameEngine {
  async createSession(): Promise<void> {}

  async join(sessionId: string, character: JoiningCharacter): Promise<JoinResult> {
    return {
      gameState: { sessionId, engine: 'record-only', you: { characterId: character.characterId, name: character.name } },
      events: [],
    };
  }

  async leave(): Promise<[]> {
    return [];
  }

  async handleAction(_sessionId: string, action: Action): Promise<ActionDecision> {
    const { type, characterId, timestamp: _ts, ...rest } = action;
    const eventType = type === 'rest' ? 'system.rest' : type;
    return { accepted: true, events: [{ type: eventType, data: { characterId, ...rest } }] };
  }

  async getState(sessionId: string): Promise<Record<string, unknown>> {
    return { sessionId, engine: 'record-only' };
  }

  async close(): Promise<void> {}
}

export const recordOnlyEngine: GameEngineFactory = () => new RecordOnlyEngine();
