// The repository side of a container mutation: the statement that writes a move's container,
// inventory, idempotent result and audit entry. It lives here, not in the service, so the
// service holds the use cases and this module owns the SQL over the container tables.
import type { InventoryStack } from '@distributed-dungeon/contracts';
import { BASE_COMPLIANCE_FLAGS, securityLevelFor, type AuditOperation } from './audit.ts';
import type { Queryable } from './db.ts';

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
