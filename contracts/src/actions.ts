import { z } from 'zod';
import { CharacterId } from './registry.ts';

// The actions a character sends to `POST /api/actions`: one discriminated union on `type`, with the
// seed's shapes. Every action names the acting character (which must be the token's subject).

const base = {
  characterId: CharacterId,
  timestamp: z.iso.datetime({ offset: true }).optional(),
  /** Chosen by the client so it can match the result to an optimistic update. */
  clientActionId: z.string().min(1).max(64).optional(),
};

/** Ids of things in the world: monsters, NPCs, characters, containers. */
const TargetId = z.string().min(1).max(100);

export const Direction = z.enum(['north', 'south', 'east', 'west', 'up', 'down']);
export type Direction = z.infer<typeof Direction>;

export const CombatAttack = z.object({ type: z.literal('combat.attack'), ...base, target: TargetId, weapon: z.string().min(1).max(100).optional() });
export const CombatDefend = z.object({ type: z.literal('combat.defend'), ...base });
export const CombatCast = z.object({ type: z.literal('combat.cast'), ...base, spell: z.string().min(1).max(100), target: TargetId.optional() });
export const CombatFlee = z.object({ type: z.literal('combat.flee'), ...base });
export const ExplorationMove = z.object({ type: z.literal('exploration.move'), ...base, direction: Direction, cautious: z.boolean().optional() });
export const ExplorationSearch = z.object({ type: z.literal('exploration.search'), ...base });
export const ExplorationLook = z.object({ type: z.literal('exploration.look'), ...base });
export const SocialSay = z.object({ type: z.literal('social.say'), ...base, message: z.string().min(1).max(500) });
export const SocialTalk = z.object({ type: z.literal('social.talk'), ...base, npc: TargetId, topic: z.string().min(1).max(100).optional() });
export const Rest = z.object({ type: z.literal('rest'), ...base });

/** Where an equipped item sits: one item per slot (seed 004's wearable containers use back and belt). */
export const EQUIPMENT_SLOTS = ['weapon', 'armor', 'shield', 'back', 'belt'] as const;
export const EquipmentSlot = z.enum(EQUIPMENT_SLOTS);
export type EquipmentSlot = z.infer<typeof EquipmentSlot>;

/** An item id as in the world catalogue and seed 004 (`item_id`). */
const ItemId = z.string().min(1).max(100);
/** A container's id in the item-container API (a uuid). */
const ContainerId = z.uuid();

/** `POST /api/characters/{id}/equip`: the REST form of `item.equip` (the answer is its ActionResult). */
export const EquipRequest = z.strictObject({ itemId: ItemId, clientActionId: base.clientActionId });
export type EquipRequest = z.infer<typeof EquipRequest>;
/** `POST /api/characters/{id}/unequip`: the REST form of `item.unequip`. */
export const UnequipRequest = z.strictObject({ slot: EquipmentSlot, clientActionId: base.clientActionId });
export type UnequipRequest = z.infer<typeof UnequipRequest>;

/** Equips an item from my inventory into the slot its catalogue entry names. */
export const ItemEquip = z.object({ type: z.literal('item.equip'), ...base, itemId: ItemId });
/** Takes off what is in a slot, into my inventory (a backpack keeps its contents inside it). */
export const ItemUnequip = z.object({ type: z.literal('item.unequip'), ...base, slot: EquipmentSlot });
/** Uses one of an item from my inventory (a potion heals or restores mana); consumes one. */
export const ItemUse = z.object({ type: z.literal('item.use'), ...base, itemId: ItemId });
/** Opens a locked container in my room with a key I carry. */
export const ContainerUnlock = z.object({ type: z.literal('container.unlock'), ...base, containerId: ContainerId, keyItemId: ItemId });
/** A rogue's lock-picking check (d20 + bonus against the lock's DC); in combat it costs the turn. */
export const ContainerPickLock = z.object({ type: z.literal('container.pick_lock'), ...base, containerId: ContainerId });

export const Action = z.discriminatedUnion('type', [
  CombatAttack,
  CombatDefend,
  CombatCast,
  CombatFlee,
  ExplorationMove,
  ExplorationSearch,
  ExplorationLook,
  SocialSay,
  SocialTalk,
  Rest,
  ItemEquip,
  ItemUnequip,
  ItemUse,
  ContainerUnlock,
  ContainerPickLock,
]);
export type Action = z.infer<typeof Action>;

export const ACTION_TYPES = [
  'combat.attack',
  'combat.defend',
  'combat.cast',
  'combat.flee',
  'exploration.move',
  'exploration.search',
  'exploration.look',
  'social.say',
  'social.talk',
  'rest',
  'item.equip',
  'item.unequip',
  'item.use',
  'container.unlock',
  'container.pick_lock',
] as const satisfies readonly Action['type'][];
export const ActionType = z.enum(ACTION_TYPES);
export type ActionType = z.infer<typeof ActionType>;

/** The action of a given type, e.g. `ActionOf<'combat.attack'>`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/**
 * Which capability an action needs; `rest`, `item.*` and `container.*` need none (handling one's
 * own things is not a skill a character is granted; the rules decide who may, e.g. only a rogue
 * picks a lock).
 */
export function actionCapability(type: ActionType): 'combat' | 'exploration' | 'social' | undefined {
  if (type.startsWith('combat.')) return 'combat';
  if (type.startsWith('exploration.')) return 'exploration';
  if (type.startsWith('social.')) return 'social';
  return undefined;
}

/**
 * `accepted`: the action was valid and taken by the game (its effects arrive as events);
 * `rejected`: valid on the wire but not allowed now (not your turn, no such exit, ...), with why.
 */
export const ActionStatus = z.enum(['accepted', 'rejected']);
export type ActionStatus = z.infer<typeof ActionStatus>;

export const ActionResult = z.object({
  actionId: z.string(),
  clientActionId: z.string().optional(),
  accepted: z.boolean(),
  status: ActionStatus,
  /** What the rules decided, when they decide at once (e.g. a roll); otherwise events follow. */
  outcome: z.record(z.string(), z.unknown()).optional(),
  /** Event-stream version of the session after the action, for client reconciliation. */
  version: z.number().int().optional(),
  reason: z.string().optional(),
});
export type ActionResult = z.infer<typeof ActionResult>;
