import type { Action, CharacterGameView, EventEnvelope } from '@distributed-dungeon/contracts';

// The game state a character sees is the engine's character view, whose shapes are written once
// in contracts (game-view.ts); this file re-exports them under the SDK's names and adds what
// only the SDK keeps: containers heard of through events and actions still in flight.

export type {
  Action,
  CharacterGameView,
  CombatantView,
  CombatView,
  Direction,
  EventEnvelope,
  ItemStack,
  MeView,
  MonsterView,
  PartyMember,
  RoomContainerView,
  RoomView,
} from '@distributed-dungeon/contracts';
export { TURN_PROMPT } from '@distributed-dungeon/contracts';

export interface KnownContainer {
  roomId: string | null;
  /** `corpse`, `chest` (a room's own) or `container` (heard of through container events). */
  kind: string;
  looted?: boolean;
  /** Corpses: who may loot during the grace period (the dead character, or the monster's killer). */
  ownerId?: string | null;
  /** Corpses: until when only the owner may loot (ISO time). */
  graceUntil?: string | null;
  name?: string;
}

/** The character view as the SDK holds it: the engine's, plus what the SDK learnt on its own. */
export interface LocalGameState extends CharacterGameView {
  /** Item containers seen in events (corpses, chests): container id → where and what. */
  containers?: Record<string, KnownContainer>;
  /** Actions sent and not yet confirmed by the game (clientActionIds). */
  pending?: string[];
}

/** What the hooks and the AIs receive. */
export type GameState = LocalGameState;

/** An action as a character's hooks return it: characterId may be left out. */
export type ActionDraft = Action extends infer A ? (A extends { characterId: string } ? Omit<A, 'characterId'> & { characterId?: string } : never) : never;

/** An event as it arrives (the contracts envelope; `version` when it changed the state). */
export type GameEvent = Pick<EventEnvelope, 'type' | 'data'> & Partial<Pick<EventEnvelope, 'id' | 'sessionId' | 'timestamp' | 'version'>>;
