// The game as one character sees it: the registration response's `gameState`,
// `GET /api/sessions/{id}/state?characterId=…` and the views carried in events (`room` of
// `exploration.moved` and `system.character_joined`). The engine (api-server/src/game/view.ts)
// builds these, the SDK keeps them up to date from events. Hidden things (armed traps, unfound
// discoveries, monster loot) are never part of it.
import { z } from 'zod';
import { Direction, EquipmentSlot } from './actions.ts';
import { ContainerComponentSchema, ContainerLockStateSchema, VisibleContainerSchema } from './containers.ts';
import { CharacterClass } from './registry.ts';

/** The private prompt (`character:{id}`) that says it is this character's turn in a fight. */
export const TURN_PROMPT = 'combat.your_turn';

const CombatantKindSchema = z.enum(['character', 'monster']);
/** Who something is. */
const named = { id: z.string(), name: z.string() };
/** Who a creature is and how hurt it is. */
const creature = { ...named, hp: z.number(), maxHp: z.number() };

/** An item a character carries (the world's item shape, not the item-container service's). */
export const ItemStackSchema = z.object({
  item_id: z.string(),
  name: z.string(),
  quantity: z.number(),
  weight: z.number().optional(),
});
export type ItemStack = z.infer<typeof ItemStackSchema>;

/** A member of the session's party, wherever it is. */
export const PartyMemberSchema = z.object({
  ...creature,
  class: CharacterClass,
  level: z.number(),
  alive: z.boolean(),
  /** False once the character left the session (deregistered); its turns are skipped. */
  present: z.boolean(),
  roomId: z.string(),
});
export type PartyMember = z.infer<typeof PartyMemberSchema>;

/** The character itself (`me`): what the party sees of it and everything else the engine keeps about it. */
export const MeViewSchema = PartyMemberSchema.extend({
  ac: z.number(),
  attackBonus: z.number(),
  weapon: z.object({ name: z.string(), damage: z.string() }),
  initiativeBonus: z.number(),
  perception: z.number(),
  mana: z.number(),
  maxMana: z.number(),
  spells: z.array(z.string()),
  /** Its other picked abilities (lock-picking); absent in states from before picks: the class's standard set. */
  abilities: z.array(z.string()).optional(),
  /** Where a successful flee goes back to. */
  previousRoomId: z.string().nullable(),
  /** +2 AC until the start of its next turn. */
  defending: z.boolean(),
  /** What is in the item tables' inventory (the engine serves it from PostgreSQL). */
  inventory: z.array(ItemStackSchema),
  /** Slot → the item equipped there; its weapon, armour and shield make `weapon`, `attackBonus` and `ac`. */
  equipment: z.partialRecord(EquipmentSlot, ItemStackSchema).optional(),
  restsLeft: z.number(),
  xp: z.number(),
  kills: z.array(z.string()),
  /** NPC id → topics heard (unlocks `requires`), and topics whose gifts were already given. */
  topicsHeard: z.record(z.string(), z.array(z.string())),
});
export type MeView = z.infer<typeof MeViewSchema>;

/** A living monster in the room. */
export const MonsterViewSchema = z.object({ ...creature, ac: z.number(), boss: z.boolean() });
export type MonsterView = z.infer<typeof MonsterViewSchema>;

/** A room's own container (its chest); `id` is the one in the world file. */
export const RoomContainerViewSchema = z.object({
  ...named,
  lock_state: ContainerLockStateSchema,
  capacity_slots: z.number(),
  /** Its id in the item-container API (open, loot-all); the api-server adds it once the chest exists there. */
  container_id: ContainerComponentSchema.shape.container_id.optional(),
});
export type RoomContainerView = z.infer<typeof RoomContainerViewSchema>;

export const RoomViewSchema = z.object({
  ...named,
  description: z.string(),
  exits: z.partialRecord(Direction, z.string()),
  monsters: z.array(MonsterViewSchema),
  /** Monsters that died here (their corpses are item containers). */
  fallen: z.array(z.object(named)),
  /** NPCs and the topics they answer now (topics behind `requires` show up once unlocked). */
  npcs: z.array(z.object({ ...named, description: z.string(), topics: z.array(z.string()) })),
  /** Ids of the characters present in the room. */
  characters: z.array(z.string()),
  container: RoomContainerViewSchema.nullable(),
  /**
   * Every item container in the room as the item tables hold it (its chest, corpses, floor
   * piles): kind, lock state, what is visible, a corpse's grace and decay times. The api-server
   * adds it to a character's own view; absent in events and without item tables.
   */
  containers: z.array(VisibleContainerSchema).optional(),
  /** Traps found or sprung (armed ones stay hidden). */
  traps: z.array(z.object({ ...named, status: z.enum(['spotted', 'triggered']) })),
  /** Discoveries someone found by searching. */
  discoveries: z.array(z.object({ id: z.string(), description: z.string() })),
});
export type RoomView = z.infer<typeof RoomViewSchema>;

/** One place in a fight's turn order. */
export const CombatantViewSchema = z.object({ kind: CombatantKindSchema, ...creature, initiative: z.number(), alive: z.boolean() });
export type CombatantView = z.infer<typeof CombatantViewSchema>;

/** A fight in a room, as anyone sees it (the session view lists these). */
export const EncounterViewSchema = z.object({
  roomId: z.string(),
  round: z.number(),
  order: z.array(CombatantViewSchema),
  /** Whoever acts now. */
  active: z.object({ kind: CombatantKindSchema, id: z.string() }).nullable(),
});
export type EncounterView = z.infer<typeof EncounterViewSchema>;

/** The fight in the character's room, from its side. */
export const CombatViewSchema = EncounterViewSchema.extend({ myTurn: z.boolean() });
export type CombatView = z.infer<typeof CombatViewSchema>;

export const GameStatusSchema = z.enum(['active', 'ended']);
export type GameStatus = z.infer<typeof GameStatusSchema>;
/** `closed`: the game master ended the session before either. */
export const GameOutcomeSchema = z.enum(['victory', 'defeat', 'closed']);
export type GameOutcome = z.infer<typeof GameOutcomeSchema>;

/** The game state one character sees (the SDK's `gameState`, which adds what it learns on its own). */
export const CharacterGameViewSchema = z.object({
  sessionId: z.string(),
  worldId: z.string(),
  /** +1 per published state-change event; a client that missed one reconciles from this view. */
  version: z.int().nonnegative(),
  status: GameStatusSchema,
  outcome: GameOutcomeSchema.nullable(),
  characterId: z.string(),
  me: MeViewSchema,
  room: RoomViewSchema,
  combat: CombatViewSchema.nullable(),
  party: z.array(PartyMemberSchema),
});
export type CharacterGameView = z.infer<typeof CharacterGameViewSchema>;
