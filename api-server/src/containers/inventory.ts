// The acting character's own inventory, kept in PostgreSQL next to the containers so that a
// transfer moves items between two rows of one database in one transaction.
import type { CharacterInventory, InventoryStack, InventoryStackInput } from '@distributed-dungeon/contracts';
import { InventoryStackSchema } from '@distributed-dungeon/contracts';
import type { Queryable } from './db.ts';

export interface InventoryDefaults {
  capacity_slots: number;
  weight_limit: number | null;
}

export const DEFAULT_INVENTORY: InventoryDefaults = { capacity_slots: 20, weight_limit: null };

export interface Row {
  character_id: string;
  capacity_slots: number;
  weight_limit: number | null;
  items: InventoryStack[];
}

export function fromRow(r: Row): CharacterInventory {
  return { character_id: r.character_id, capacity_slots: r.capacity_slots, weight_limit: r.weight_limit, items: r.items };
}

/**
 * Creates the row on first use and locks it for the rest of the caller's transaction, in one
 * round trip: an upsert whose DO UPDATE takes the row lock (the lock is held while the
 * container's row is locked too, so round trips matter).
 */
export async function lockInventory(db: Queryable, characterId: string, defaults: InventoryDefaults = DEFAULT_INVENTORY): Promise<CharacterInventory> {
  const { rows } = await db.query<Row>({
    name: 'containers.lock-inventory',
    text: `INSERT INTO character_inventories (character_id, capacity_slots, weight_limit) VALUES ($1, $2, $3)
     ON CONFLICT (character_id) DO UPDATE SET character_id = character_inventories.character_id
     RETURNING character_id, capacity_slots, weight_limit, items`,
    values: [characterId, defaults.capacity_slots, defaults.weight_limit],
  });
  return fromRow(rows[0]!);
}

export async function getInventory(db: Queryable, characterId: string): Promise<CharacterInventory | null> {
  const { rows } = await db.query<Row>(
    `SELECT character_id, capacity_slots, weight_limit, items FROM character_inventories WHERE character_id = $1`,
    [characterId],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function saveInventoryItems(db: Queryable, characterId: string, items: readonly InventoryStack[], now: Date): Promise<void> {
  await db.query(`UPDATE character_inventories SET items = $2, updated_at = $3 WHERE character_id = $1`, [
    characterId,
    JSON.stringify(items),
    now,
  ]);
}

/** For the Dungeon Master (starting kit, rewards) and for tests: replaces an inventory. */
export async function putInventory(
  db: Queryable,
  characterId: string,
  inv: { items: InventoryStackInput[]; capacity_slots?: number; weight_limit?: number | null },
): Promise<CharacterInventory> {
  const items = inv.items.map((s) => InventoryStackSchema.parse(s));
  const { rows } = await db.query<Row>(
    `INSERT INTO character_inventories (character_id, capacity_slots, weight_limit, items) VALUES ($1, $2, $3, $4)
     ON CONFLICT (character_id) DO UPDATE SET capacity_slots = EXCLUDED.capacity_slots, weight_limit = EXCLUDED.weight_limit,
       items = EXCLUDED.items, updated_at = now()
     RETURNING character_id, capacity_slots, weight_limit, items`,
    [characterId, inv.capacity_slots ?? DEFAULT_INVENTORY.capacity_slots, inv.weight_limit ?? null, JSON.stringify(items)],
  );
  return fromRow(rows[0]!);
}
