// A character's inventory and equipment in one statement: the engine reads both for every
// joining newcomer and every answer's view, and each statement is a round trip of its own.
import type { CharacterInventory, EquipmentSlot } from '@distributed-dungeon/contracts';
import { InventoryStackSchema } from '@distributed-dungeon/contracts';
import type { Queryable } from './db.ts';
import type { EquippedStack } from './equipment.ts';
import { fromRow, type Row } from './inventory.ts';

export interface CharacterItems {
  /** Null until the character's inventory row is first made. */
  inventory: CharacterInventory | null;
  /** By slot, in slot order. */
  equipment: EquippedStack[];
}

export async function getCharacterItems(db: Queryable, characterId: string): Promise<CharacterItems> {
  const { rows } = await db.query<{ inventory: Row | null; equipment: { slot: EquipmentSlot; item: unknown }[] }>({
    name: 'containers.character-items',
    text: `SELECT (SELECT json_build_object('character_id', i.character_id, 'capacity_slots', i.capacity_slots, 'weight_limit', i.weight_limit, 'items', i.items)
                     FROM character_inventories i WHERE i.character_id = $1) AS inventory,
                  (SELECT coalesce(json_agg(json_build_object('slot', e.slot, 'item', e.item) ORDER BY e.slot), '[]'::json)
                     FROM character_equipment e WHERE e.character_id = $1) AS equipment`,
    values: [characterId],
  });
  const r = rows[0]!;
  return { inventory: r.inventory ? fromRow(r.inventory) : null, equipment: r.equipment.map((e) => ({ slot: e.slot, item: InventoryStackSchema.parse(e.item) })) };
}
