import type { EquipmentSlot, InventoryStack, ItemStack, VisibleContainer } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { getCharacterItems } from '../containers/character-items.ts';
import { takeAllEquipment } from '../containers/equipment.ts';
import { getContainersByRoomId } from '../containers/persistence.ts';
import { visibleContainer } from '../containers/reads.ts';
import type { WearableContainerService } from '../containers/wearable.ts';
import type { Queryable } from '../db/queryable.ts';

// Reads of the item tables for the game: the character's own view carries its inventory and
// equipment from PostgreSQL (the one source of truth), and a death empties its slots.

function toView(s: InventoryStack): ItemStack {
  return { item_id: s.item_id, name: s.item_name, quantity: s.quantity, weight: s.weight };
}

export async function characterItems(db: Queryable, characterId: string): Promise<{ inventory: ItemStack[]; equipment: Partial<Record<EquipmentSlot, ItemStack>> }> {
  const { inventory, equipment } = await getCharacterItems(db, characterId);
  return {
    inventory: (inventory?.items ?? []).map(toView),
    equipment: Object.fromEntries(equipment.map((e) => [e.slot, toView(e.item)])),
  };
}

/**
 * Everything a dead character wears, taken off inside the corpse's transaction: a worn backpack
 * is detached from its wearer (its contents stay in its container, which the stack references).
 */
export async function collectWorn(client: pg.PoolClient, characterId: string, wearable: WearableContainerService): Promise<InventoryStack[]> {
  const worn = await takeAllEquipment(client, characterId);
  const out: InventoryStack[] = [];
  for (const stack of worn) out.push(stack.inner_container ? (await wearable.unequipWearableIn(client, characterId, stack)).item : stack);
  return out;
}

/** The item containers of a room of a session, as a character standing there sees them. */
export async function roomContainers(db: Queryable, sessionId: string, roomId: string): Promise<VisibleContainer[]> {
  return (await getContainersByRoomId(db, roomId, { gameSession: sessionId })).map(visibleContainer);
}
