import type { Action, EventEnvelope } from '@distributed-dungeon/contracts';

// The game state a character sees (the engine's character view: registration `gameState`,
// kept up to date from events). Fields the SDK does not rely on are left open.

export type { Action, EventEnvelope };
export type Direction = 'north' | 'south' | 'east' | 'west' | 'up' | 'down';

export interface ItemStack {
  item_id: string;
  name?: string;
  item_name?: string;
  quantity: number;
  weight?: number;
}

export interface MeView {
  id: string;
  name: string;
  class: string;
  level: number;
  hp: number;
  maxHp: number;
  ac: number;
  mana: number;
  maxMana: number;
  spells: string[];
  roomId: string;
  previousRoomId: string | null;
  alive: boolean;
  defending: boolean;
  inventory: ItemStack[];
  restsLeft: number;
  [key: string]: unknown;
}

export interface MonsterView {
  id: string;
  name: string;
  hp: number;
  maxHp: number;
  ac?: number;
  boss?: boolean;
}

export interface RoomView {
  id: string;
  name: string;
  description: string;
  exits: Partial<Record<Direction, string>>;
  monsters: MonsterView[];
  fallen: { id: string; name: string }[];
  npcs: { id: string; name: string; description?: string; topics: string[] }[];
  characters: string[];
  /** The room's chest; `container_id` is its id in the item-container API (open, loot-all). */
  container: { id?: string; container_id?: string; name: string; lock_state: string; capacity_slots: number } | null;
  traps: { id: string; name: string; status: string }[];
  discoveries: { id: string; description: string }[];
}

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

/** The private prompt (`character:{id}`) that says it is this character's turn in a fight. */
export const TURN_PROMPT = 'combat.your_turn';

export interface CombatantView {
  kind: 'character' | 'monster';
  id: string;
  name: string;
  initiative: number;
  hp: number;
  maxHp: number;
  alive: boolean;
}

export interface CombatView {
  roomId: string;
  round: number;
  order: CombatantView[];
  active: { kind: 'character' | 'monster'; id: string } | null;
  myTurn: boolean;
}

export interface PartyMember {
  id: string;
  name: string;
  class: string;
  level: number;
  hp: number;
  maxHp: number;
  alive: boolean;
  present: boolean;
  roomId: string;
}

export interface GameState {
  sessionId: string;
  worldId?: string;
  version: number;
  status: 'active' | 'ended';
  outcome: 'victory' | 'defeat' | null;
  characterId: string;
  me: MeView;
  room: RoomView;
  combat: CombatView | null;
  party: PartyMember[];
  /** Item containers seen in events (corpses, chests): container id → where and what. */
  containers?: Record<string, KnownContainer>;
  /** Actions sent and not yet confirmed by the game (clientActionIds). */
  pending?: string[];
}

/** An action as a character's hooks return it: characterId may be left out. */
export type ActionDraft = Action extends infer A ? (A extends { characterId: string } ? Omit<A, 'characterId'> & { characterId?: string } : never) : never;

/** An event as it arrives (the contracts envelope; `version` when it changed the state). */
export type GameEvent = Pick<EventEnvelope, 'type' | 'data'> & Partial<Pick<EventEnvelope, 'id' | 'sessionId' | 'timestamp' | 'version'>>;
