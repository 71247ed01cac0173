// The repository side of a container mutation: the statement that writes a move's container,
// inventory, idempotent result and audit entry. It lives here, not in the service, so the
// service holds the use cases and this module owns the SQL over the container tables.
import type { CharacterInventory, InventoryStack } from '@distributed-dungeon/contracts';
import { BASE_COMPLIANCE_FLAGS, securityLevelFor, type AuditOperation } from './audit.ts';
import type { Queryable } from './db.ts';
import { isUuid } from './ids.ts';
import { fromRow as inventoryFromRow, type InventoryDefaults } from './inventory.ts';
import type { ContainerRecord } from './model.ts';
import * as containerRows from './persistence.ts';

interface MoveWrite {
  containerId: string;
  containerItems: readonly InventoryStack[];
  characterId: string;
  characterName: string | null;
  sessionId: string | null;
  inventoryItems: readonly InventoryStack[];
  idempotencyKey: string | null;
  /** The compact form the idempotency store keeps (stored-result.ts). */
  result: unknown;
  operation: AuditOperation;
  details: Record<string, unknown>;
  now: Date;
}

/**
 * Writes the container, the inventory, the idempotent result and the audit entry in one
 * statement: the container's row lock is held across round trips, so fewer is faster.
 */
export async function commitMove(db: Queryable, w: MoveWrite): Promise<void> {
  // Named: prepared once per connection instead of parsed and planned on every move.
  await db.query({
    name: 'containers.commit-move',
    text: `WITH c AS (UPDATE containers SET items = $2, updated_at = $3 WHERE container_instance_id = $1),
          i AS (UPDATE character_inventories SET items = $5, updated_at = $3 WHERE character_id = $4),
          m AS (UPDATE container_mutations SET result = $7 WHERE character_id = $4 AND idempotency_key = $6)
     INSERT INTO audit_log (occurred_at, actor_id, actor_name, resource_type, resource_id, operation, outcome, security_level, compliance_flags, details, session_id)
     VALUES ($3, $4, $8, 'container', $1, $9, 'success', $10, $11, $12, $13)`,
    values: [
      w.containerId,
      JSON.stringify(w.containerItems),
      w.now,
      w.characterId,
      JSON.stringify(w.inventoryItems),
      w.idempotencyKey,
      JSON.stringify(w.result),
      w.characterName,
      w.operation,
      securityLevelFor(w.operation, 'success'),
      JSON.stringify(BASE_COMPLIANCE_FLAGS),
      JSON.stringify(w.details),
      w.sessionId,
    ],
  });
}

type LockedRow = containerRows.Row & { inv_character_id: string; inv_capacity_slots: number; inv_weight_limit: number | null; inv_items: InventoryStack[] };

/**
 * Locks the container's row and then the character's inventory (made on first use) in one
 * statement: the container's lock is what concurrent moves queue on, and every round trip held
 * under it counts. The inventory's upsert reads the locked container row, so the container is
 * always locked first, in the same order as every other path that takes both. Null, and the
 * inventory untouched, when there is no such container.
 */
export async function lockMoveRows(
  db: Queryable,
  containerId: string,
  characterId: string,
  defaults: InventoryDefaults,
): Promise<{ container: ContainerRecord; inventory: CharacterInventory } | null> {
  if (!isUuid(containerId)) return null;
  const { rows } = await db.query<LockedRow>({
    name: 'containers.lock-move-rows',
    text: `WITH c AS (SELECT ${containerRows.COLUMNS} FROM containers WHERE container_instance_id = $1 FOR UPDATE),
          inv AS (INSERT INTO character_inventories (character_id, capacity_slots, weight_limit)
                  SELECT $2, $3, $4 WHERE EXISTS (SELECT 1 FROM c)
                  ON CONFLICT (character_id) DO UPDATE SET character_id = character_inventories.character_id
                  RETURNING character_id, capacity_slots, weight_limit, items)
     SELECT c.*, inv.character_id AS inv_character_id, inv.capacity_slots AS inv_capacity_slots,
            inv.weight_limit AS inv_weight_limit, inv.items AS inv_items
       FROM c CROSS JOIN inv`,
    values: [containerId, characterId, defaults.capacity_slots, defaults.weight_limit],
  });
  const r = rows[0];
  if (!r) return null;
  return {
    container: containerRows.fromRow(r),
    inventory: inventoryFromRow({ character_id: r.inv_character_id, capacity_slots: r.inv_capacity_slots, weight_limit: r.inv_weight_limit, items: r.inv_items }),
  };
}
