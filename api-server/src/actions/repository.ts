import type { Action } from '@distributed-dungeon/contracts';
import type { Queryable } from '../db/queryable.ts';

export async function insertAction(
  q: Queryable,
  a: { id: string; sessionId: string; action: Action; status: 'accepted' | 'rejected'; outcome?: Record<string, unknown> },
): Promise<void> {
  await q.query(
    `INSERT INTO actions (id, character_id, session_id, type, payload, client_action_id, status, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.id, a.action.characterId, a.sessionId, a.action.type, a.action, a.action.clientActionId ?? null, a.status, a.outcome ?? null],
  );
}

export async function countActions(q: Queryable, characterId: string): Promise<number> {
  const res = await q.query<{ n: string }>('SELECT count(*) AS n FROM actions WHERE character_id = $1', [characterId]);
  return Number(res.rows[0]?.n ?? 0);
}
