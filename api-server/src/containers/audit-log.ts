// Reading the audit trail (the game master's tools): filters by character, container, session,
// operation, outcome and time range, newest first, a page at a time. Pages are cut by a keyset
// cursor (the last entry's time and id), so entries written meanwhile neither repeat nor vanish.
import type { Queryable } from './db.ts';
import type { AuditOperation, AuditOutcome } from './audit.ts';

export interface AuditFilter {
  characterId?: string;
  containerId?: string;
  sessionId?: string;
  operation?: AuditOperation;
  outcome?: AuditOutcome;
  /** occurred_at >= from */
  from?: Date;
  /** occurred_at < to */
  to?: Date;
  limit: number;
  /** Entries strictly older than this position (from the previous page's `next`). */
  after?: AuditPosition;
}

export interface AuditPosition {
  occurredAt: Date;
  id: number;
}

interface AuditRecord {
  id: number;
  occurred_at: string;
  actor_id: string | null;
  actor_name: string | null;
  resource_type: string;
  resource_id: string | null;
  session_id: string | null;
  operation: string;
  outcome: string;
  security_level: string;
  compliance_flags: string[];
  details: Record<string, unknown>;
}

interface Row extends Omit<AuditRecord, 'id' | 'occurred_at'> {
  id: string;
  occurred_at: Date;
}

export async function queryAudit(db: Queryable, f: AuditFilter): Promise<{ entries: AuditRecord[]; next: AuditPosition | null }> {
  const { rows } = await db.query<Row>(
    `SELECT id, occurred_at, actor_id, actor_name, resource_type, resource_id, session_id, operation, outcome, security_level, compliance_flags, details
       FROM audit_log
      WHERE ($1::text IS NULL OR actor_id = $1)
        AND ($2::text IS NULL OR resource_id = $2)
        AND ($3::text IS NULL OR session_id = $3)
        AND ($4::text IS NULL OR operation = $4)
        AND ($5::text IS NULL OR outcome = $5)
        AND ($6::timestamptz IS NULL OR occurred_at >= $6)
        AND ($7::timestamptz IS NULL OR occurred_at < $7)
        AND ($8::timestamptz IS NULL OR (occurred_at, id) < ($8, $9::bigint))
      ORDER BY occurred_at DESC, id DESC
      LIMIT $10`,
    [
      f.characterId ?? null,
      f.containerId ?? null,
      f.sessionId ?? null,
      f.operation ?? null,
      f.outcome ?? null,
      f.from ?? null,
      f.to ?? null,
      f.after?.occurredAt ?? null,
      f.after?.id ?? null,
      // One more than asked: whether there is a next page, without a count.
      f.limit + 1,
    ],
  );
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({ ...r, id: Number(r.id), occurred_at: r.occurred_at.toISOString() })),
    next: rows.length > f.limit && last ? { occurredAt: last.occurred_at, id: Number(last.id) } : null,
  };
}
