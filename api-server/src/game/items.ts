import { hasAbility } from './abilities.ts';
import type { Action, ActionOf } from '@distributed-dungeon/contracts';
import type { Refusal } from './actions-combat.ts';
import { catalogueEntry, slotOf } from './catalogue.ts';
import { equippedStats } from './equipment-stats.ts';
import { heal } from './combat.ts';
import { d20, rollDice } from './dice.ts';
import { emit, roomOf, type CharacterState, type Ctx, type ItemInputs } from './state.ts';

// The item rules: equipping, using potions, keys and lock picks, and what equipment does to a
// character's numbers. Pure like the rest: what the character carries comes in as ItemInputs
// (read from the item tables by the engine and recorded in the log), and what changes goes out
// as item intents the engine applies to those tables with the log entry. The state keeps no
// copy of the things: a rule that needs them reads them from the inputs of its own action.

/** What a rogue adds to d20 when picking a lock, on top of perception, when carrying thieves' tools. */
const THIEVES_TOOLS_BONUS = 2;
const THIEVES_TOOLS = 'thieves-tools';

/**
 * The actions whose rules read what the character carries. The others need no read of the item
 * tables: the numbers equipment gives are kept on the character by the item actions themselves
 * (and by death), the only ways equipment changes.
 */
export function needsItemInputs(action: Pick<Action, 'type'>): boolean {
  return action.type.startsWith('item.') || action.type.startsWith('container.');
}

/** Takes in what the tables said the character wears: its numbers follow its equipment. */
export function takeInputs(ctx: Ctx, c: CharacterState, inputs: ItemInputs): void {
  Object.assign(c, equippedStats(c, inputs.equipped, ctx.state.world.items));
}

/** Items found, given or started with: into the character's inventory table. */
export function grant(ctx: Ctx, c: CharacterState, items: readonly { item_id: string; name: string; quantity: number }[], source: string): void {
  if (items.length === 0) return;
  ctx.items.push({ kind: 'grant', characterId: c.id, items: items.map((i) => ({ item_id: i.item_id, name: i.name, quantity: i.quantity })), source });
}

function carried(inputs: ItemInputs, itemId: string) {
  return inputs.inventory.find((s) => s.item_id === itemId && s.quantity > 0);
}

export function equip(ctx: Ctx, c: CharacterState, action: ActionOf<'item.equip'>, inputs: ItemInputs): Refusal | undefined {
  if (!carried(inputs, action.itemId)) return { reason: 'no_such_item', message: `${c.name} carries no "${action.itemId}"` };
  const item = catalogueEntry(ctx.state.world.items, action.itemId);
  const slot = item ? slotOf(item) : null;
  if (!item || !slot) return { reason: 'not_equippable', message: `"${action.itemId}" cannot be equipped` };
  const previous = inputs.equipped[slot];
  // What was in the slot goes back to the inventory first (the engine applies intents in order).
  if (previous !== undefined) ctx.items.push({ kind: 'unequip', characterId: c.id, slot });
  ctx.items.push({ kind: 'equip', characterId: c.id, itemId: item.id, slot });
  Object.assign(c, equippedStats(c, { ...inputs.equipped, [slot]: item.id }, ctx.state.world.items));
  emit(ctx, 'item.equipped', { roomId: c.roomId, characterId: c.id, itemId: item.id, name: item.name, slot, replaced: previous ?? null, ac: c.ac, attackBonus: c.attackBonus, weapon: c.weapon });
  return undefined;
}

export function unequip(ctx: Ctx, c: CharacterState, action: ActionOf<'item.unequip'>, inputs: ItemInputs): Refusal | undefined {
  const equipped = { ...inputs.equipped };
  const itemId = equipped[action.slot];
  if (itemId === undefined) return { reason: 'slot_empty', message: `nothing is equipped as ${action.slot}` };
  ctx.items.push({ kind: 'unequip', characterId: c.id, slot: action.slot });
  delete equipped[action.slot];
  Object.assign(c, equippedStats(c, equipped, ctx.state.world.items));
  emit(ctx, 'item.unequipped', { roomId: c.roomId, characterId: c.id, itemId, slot: action.slot, ac: c.ac, attackBonus: c.attackBonus, weapon: c.weapon });
  return undefined;
}

export function use(ctx: Ctx, c: CharacterState, action: ActionOf<'item.use'>, inputs: ItemInputs): Refusal | undefined {
  if (!carried(inputs, action.itemId)) return { reason: 'no_such_item', message: `${c.name} carries no "${action.itemId}"` };
  const item = catalogueEntry(ctx.state.world.items, action.itemId);
  if (item?.kind !== 'potion') return { reason: 'not_usable', message: `"${action.itemId}" cannot be used` };
  ctx.items.push({ kind: 'consume', characterId: c.id, itemId: item.id, quantity: 1 });
  const roll = item.heal ? rollDice(item.heal, ctx.rng) : null;
  const manaBefore = c.mana;
  if (item.mana !== undefined) c.mana = Math.min(c.maxMana, c.mana + item.mana);
  emit(ctx, 'item.used', { roomId: c.roomId, characterId: c.id, itemId: item.id, name: item.name, healRolls: roll?.rolls ?? [], mana: c.mana - manaBefore });
  if (roll) heal(ctx, c, roll.total, item.id);
  return undefined;
}

/** The container an action names, if it is this room's own container. */
function roomContainer(ctx: Ctx, c: CharacterState, inputs: ItemInputs, containerId: string) {
  const container = inputs.container;
  if (!container || container.containerId !== containerId || container.roomId !== c.roomId) return null;
  return container;
}

export function unlock(ctx: Ctx, c: CharacterState, action: ActionOf<'container.unlock'>, inputs: ItemInputs): Refusal | undefined {
  const container = roomContainer(ctx, c, inputs, action.containerId);
  if (!container) return { reason: 'no_such_container', message: `no container "${action.containerId}" here` };
  if (container.lockState === 'sealed') return { reason: 'sealed', message: 'it is sealed: no key opens it' };
  if (container.lockState !== 'locked') return { reason: 'not_locked', message: 'it is not locked' };
  if (!carried(inputs, action.keyItemId)) return { reason: 'no_such_item', message: `${c.name} carries no "${action.keyItemId}"` };
  const key = catalogueEntry(ctx.state.world.items, action.keyItemId);
  if (key?.kind !== 'key' || !key.opens.includes(c.roomId)) return { reason: 'wrong_key', message: `"${action.keyItemId}" does not open this lock` };
  ctx.items.push({ kind: 'unlock', containerId: container.containerId, by: 'key' });
  markOpened(ctx, c.roomId);
  emit(ctx, 'container.unlocked', { roomId: c.roomId, characterId: c.id, containerId: container.containerId, by: 'key', keyItemId: key.id });
  return undefined;
}

/** A rogue's check: d20 + perception (+2 with thieves' tools) against the lock's DC. */
export function pickLock(ctx: Ctx, c: CharacterState, action: ActionOf<'container.pick_lock'>, inputs: ItemInputs): Refusal | undefined {
  if (c.class !== 'rogue') return { reason: 'not_a_rogue', message: 'only a rogue picks locks' };
  if (!hasAbility(c, 'lock-picking')) return { reason: 'not_picked', message: `${c.name} did not pick the ability "lock-picking"` };
  const container = roomContainer(ctx, c, inputs, action.containerId);
  if (!container) return { reason: 'no_such_container', message: `no container "${action.containerId}" here` };
  if (container.lockState === 'sealed') return { reason: 'sealed', message: 'it is sealed: no pick opens it' };
  if (container.lockState !== 'locked') return { reason: 'not_locked', message: 'it is not locked' };
  const dc = roomOf(ctx.state, c.roomId).containerLock?.dc;
  if (dc === undefined) return { reason: 'cannot_pick', message: 'this lock cannot be picked' };
  const roll = d20(ctx.rng);
  const bonus = c.perception + (carried(inputs, THIEVES_TOOLS) ? THIEVES_TOOLS_BONUS : 0);
  const success = roll + bonus >= dc;
  if (success) {
    ctx.items.push({ kind: 'unlock', containerId: container.containerId, by: 'pick' });
    markOpened(ctx, c.roomId);
  } else {
    ctx.items.push({ kind: 'pick_failed', containerId: container.containerId, total: roll + bonus, dc });
  }
  emit(ctx, 'container.pick_lock', { roomId: c.roomId, characterId: c.id, containerId: container.containerId, roll, bonus, total: roll + bonus, dc, success });
  return undefined;
}

/** The game view then shows the room's container unlocked (the world file still says locked). */
function markOpened(ctx: Ctx, roomId: string): void {
  const rs = ctx.state.rooms[roomId];
  if (rs) rs.containerOpened = true;
}

/** World events open sealed containers: the boss's death opens those sealed until it. */
export function unsealOnBossDeath(ctx: Ctx): void {
  const bosses = Object.values(ctx.state.monsters).filter((m) => m.boss);
  if (bosses.length === 0 || bosses.some((m) => m.alive)) return;
  for (const room of ctx.state.world.rooms) {
    if (room.container?.lock_state !== 'sealed' || room.containerLock?.sealedUntil !== 'boss_defeated') continue;
    if (ctx.state.rooms[room.id]?.containerOpened) continue;
    ctx.items.push({ kind: 'unlock', roomId: room.id, by: 'event' });
    markOpened(ctx, room.id);
    emit(ctx, 'container.unsealed', { roomId: room.id, by: 'boss_defeated' });
  }
}
