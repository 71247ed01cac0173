import type { Action } from '@distributed-dungeon/contracts';
import type { Queryable } from '../db/queryable.ts';

export interface ActionRecord {
  id: string;
  sessionId: string;
  action: Action;
  status: 'accepted' | 'rejected';
  outcome?: Record<string, unknown> | undefined;
  reason?: string | undefined;
  version?: number | undefined;
}

export async function insertAction(q: Queryable, a: ActionRecord): Promise<void> {
  await q.query(
    `INSERT INTO actions (id, character_id, session_id, type, payload, client_action_id, status, outcome, reason, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [a.id, a.action.characterId, a.sessionId, a.action.type, a.action, a.action.clientActionId ?? null, a.status, a.outcome ?? null, a.reason ?? null, a.version ?? null],
  );
}

/** The recorded answer to an action: by its id (a forwarded retry) or its character's clientActionId (a client retry). */
export async function findRecordedAction(
  q: Queryable,
  by: { actionId: string; characterId: string; clientActionId?: string | undefined },
): Promise<{ actionId: string; accepted: boolean; outcome?: Record<string, unknown>; reason?: string; version?: number } | null> {
  const { rows } = await q.query<{ id: string; status: string; outcome: Record<string, unknown> | null; reason: string | null; version: number | null }>(
    `SELECT id, status, outcome, reason, version FROM actions
     WHERE id = $1 OR ($3::text IS NOT NULL AND character_id = $2 AND client_action_id = $3) LIMIT 1`,
    [by.actionId, by.characterId, by.clientActionId ?? null],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    actionId: r.id,
    accepted: r.status === 'accepted',
    ...(r.outcome !== null ? { outcome: r.outcome } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
  };
}

