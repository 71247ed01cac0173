import type { EquipmentSlot } from '@distributed-dungeon/contracts';
import type { ActionDraft, GameState, ItemStack } from '../types.ts';

// Item actions as a hook returns them, and reads of the character's own items in the game view.
// Equip, unequip, use (a potion), unlock (with a key) and pick a lock are game actions: the
// Dungeon Master decides them, in a fight on the character's turn. Return one from a hook:
//   return this.use('healing-potion');

export const equipAction = (itemId: string): ActionDraft => ({ type: 'item.equip', itemId });
export const unequipAction = (slot: EquipmentSlot): ActionDraft => ({ type: 'item.unequip', slot });
export const useAction = (itemId: string): ActionDraft => ({ type: 'item.use', itemId });
export const unlockAction = (containerId: string, keyItemId: string): ActionDraft => ({ type: 'container.unlock', containerId, keyItemId });
export const pickLockAction = (containerId: string): ActionDraft => ({ type: 'container.pick_lock', containerId });

/** The stack of `itemId` in the inventory, if any. */
export function inventoryItem(state: GameState | null | undefined, itemId: string): ItemStack | undefined {
  return state?.me?.inventory?.find((i) => i.item_id === itemId && i.quantity > 0);
}

/** How many of `itemId` the inventory holds. */
export function countOf(state: GameState | null | undefined, itemId: string): number {
  return (state?.me?.inventory ?? []).filter((i) => i.item_id === itemId).reduce((n, i) => n + i.quantity, 0);
}

/** What is worn in a slot. */
export function equippedIn(state: GameState | null | undefined, slot: EquipmentSlot): ItemStack | undefined {
  return state?.me?.equipment?.[slot];
}

/** What a player knows of a weapon: its damage dice and attack bonus. */
export interface WeaponStats {
  damage: string;
  attackBonus?: number;
}

/** Average damage of dice such as `1d8`, `2d6+1`; 0 for anything else. */
export function averageDamage(dice: string): number {
  const m = /^(\d*)d(\d+)([+-]\d+)?$/.exec(dice.replace(/\s+/g, ''));
  if (!m) return 0;
  return (m[1] ? Number(m[1]) : 1) * ((Number(m[2]) + 1) / 2) + (m[3] ? Number(m[3]) : 0);
}

/** A weapon's worth: average damage, and a point of attack bonus as about half a point of it (5% more hits). */
export function weaponScore(stats: WeaponStats): number {
  return averageDamage(stats.damage) + 0.5 * (stats.attackBonus ?? 0);
}

/**
 * A weapon in the inventory better than the one equipped, by the stats given (item id →
 * stats; items the table does not know are not weapons as far as the caller knows). The weapon
 * equipped counts by its own entry, or by nothing when the table does not know it.
 */
export function betterWeapon(state: GameState | null | undefined, stats: Readonly<Record<string, WeaponStats>>): ItemStack | undefined {
  const worn = equippedIn(state, 'weapon');
  const wornStats = worn ? stats[worn.item_id] : undefined;
  let best: ItemStack | undefined;
  let bestScore = wornStats ? weaponScore(wornStats) : -Infinity;
  for (const item of state?.me?.inventory ?? []) {
    const s = stats[item.item_id];
    if (!s || item.quantity < 1 || item.item_id === worn?.item_id) continue;
    const score = weaponScore(s);
    if (score > bestScore) {
      best = item;
      bestScore = score;
    }
  }
  return best;
}
