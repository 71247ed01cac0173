// Audit trail of container operations (seed 004): time, character id and name, container,
// operation, security level and compliance flags. Successful changes are audited inside their
// own transaction, so the trail and the state never disagree; refusals are audited afterwards.
import type { Queryable } from './db.ts';

export const AUDIT_OPERATIONS = [
  'open',
  'transfer',
  'close',
  'loot_all',
  'create_corpse',
  'decay_corpse',
  'equip_container',
  'unequip_container',
  'container_overflow',
  'load_room_container',
  'rate_limited',
  // The game's item actions, applied by the Dungeon Master in its command's transaction.
  'equip',
  'unequip',
  'use',
  'unlock',
  'pick_lock',
] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];
export const AUDIT_OUTCOMES = ['success', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
type SecurityLevel = 'low' | 'medium' | 'high' | 'critical';

export interface AuditEntry {
  occurredAt: Date;
  actorId: string | null;
  actorName: string | null;
  containerId: string | null;
  /** The game session the operation happened in, when known (the game master filters by it). */
  sessionId?: string | null;
  operation: AuditOperation;
  outcome: AuditOutcome;
  complianceFlags?: string[];
  details?: Record<string, unknown>;
}

/** Item-moving operations matter more than looking; refusals matter most (possible abuse). */
export function securityLevelFor(operation: AuditOperation, outcome: AuditOutcome): SecurityLevel {
  if (outcome === 'error') return 'critical';
  if (outcome === 'denied' || operation === 'rate_limited') return 'high';
  if (operation === 'open' || operation === 'close' || operation === 'load_room_container') return 'low';
  return 'medium';
}

/** Every entry states that metadata passed the COPPA check and that no PII is in the trail. */
export const BASE_COMPLIANCE_FLAGS = ['coppa_metadata_validated', 'no_pii_in_audit'] as const;

export async function writeAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (occurred_at, actor_id, actor_name, resource_type, resource_id, operation, outcome,
       security_level, compliance_flags, details, session_id)
     VALUES ($1, $2, $3, 'container', $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.occurredAt,
      e.actorId,
      e.actorName,
      e.containerId,
      e.operation,
      e.outcome,
      securityLevelFor(e.operation, e.outcome),
      JSON.stringify(e.complianceFlags ?? [...BASE_COMPLIANCE_FLAGS]),
      JSON.stringify(e.details ?? {}),
      e.sessionId ?? null,
    ],
  );
}
