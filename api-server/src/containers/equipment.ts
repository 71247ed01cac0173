// What a character wears (issue 12): one stack per slot in `character_equipment`, next to its
// inventory, so the Dungeon Master moves items between the two (and into a corpse) inside the
// transaction of the game's log entry. This module owns the table; callers pass their
// transaction's client.
import { InventoryStackSchema, type EquipmentSlot, type InventoryStack } from '@distributed-dungeon/contracts';
import type { Queryable } from './db.ts';

export interface EquippedStack {
  slot: EquipmentSlot;
  item: InventoryStack;
}

export async function getEquipment(db: Queryable, characterId: string): Promise<EquippedStack[]> {
  const { rows } = await db.query<{ slot: EquipmentSlot; item: unknown }>(
    `SELECT slot, item FROM character_equipment WHERE character_id = $1 ORDER BY slot`,
    [characterId],
  );
  return rows.map((r) => ({ slot: r.slot, item: InventoryStackSchema.parse(r.item) }));
}

/** Puts a stack into an empty slot; false when the slot is taken. */
export async function putEquipment(db: Queryable, characterId: string, slot: EquipmentSlot, item: InventoryStack): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO character_equipment (character_id, slot, item) VALUES ($1, $2, $3) ON CONFLICT (character_id, slot) DO NOTHING`,
    [characterId, slot, JSON.stringify(item)],
  );
  return (rowCount ?? 0) === 1;
}

/** Empties a slot and returns what was in it (null: it was empty). */
export async function takeEquipment(db: Queryable, characterId: string, slot: EquipmentSlot): Promise<InventoryStack | null> {
  const { rows } = await db.query<{ item: unknown }>(`DELETE FROM character_equipment WHERE character_id = $1 AND slot = $2 RETURNING item`, [characterId, slot]);
  return rows[0] ? InventoryStackSchema.parse(rows[0].item) : null;
}

/** Empties every slot (a death: everything worn goes into the corpse). */
export async function takeAllEquipment(db: Queryable, characterId: string): Promise<InventoryStack[]> {
  const { rows } = await db.query<{ item: unknown }>(`DELETE FROM character_equipment WHERE character_id = $1 RETURNING item`, [characterId]);
  return rows.map((r) => InventoryStackSchema.parse(r.item));
}
