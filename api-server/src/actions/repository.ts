import type { Action } from '@distributed-dungeon/contracts';
import type { Queryable } from '../db/queryable.ts';
import { GROUNDS_COLUMNS, groundsOf, type Grounds, type GroundsRow } from '../registry/grounds.ts';

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

export interface RecordedAnswer {
  actionId: string;
  accepted: boolean;
  outcome?: Record<string, unknown>;
  reason?: string;
  version?: number;
}

interface RecordedRow {
  id: string;
  status: string;
  outcome: Record<string, unknown> | null;
  reason: string | null;
  version: number | null;
}

function answerOf(r: RecordedRow): RecordedAnswer {
  return {
    actionId: r.id,
    accepted: r.status === 'accepted',
    ...(r.outcome !== null ? { outcome: r.outcome } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
  };
}

/** The recorded answer to an action: by its id (a forwarded retry) or its character's clientActionId (a client retry). */
export async function findRecordedAction(q: Queryable, by: { actionId: string; characterId: string; clientActionId?: string | undefined }): Promise<RecordedAnswer | null> {
  const { rows } = await q.query<RecordedRow>(
    `SELECT id, status, outcome, reason, version FROM actions
     WHERE id = $1 OR ($3::text IS NOT NULL AND character_id = $2 AND client_action_id = $3) LIMIT 1`,
    [by.actionId, by.characterId, by.clientActionId ?? null],
  );
  const r = rows[0];
  return r ? answerOf(r) : null;
}

/**
 * A character token's grounds (registry/grounds.ts) and, when `clientActionId` is given, the
 * answer recorded for it: one round trip for the two reads every action with a clientActionId
 * makes. Undefined grounds: the registry does not know the character.
 */
export async function groundsAndRecordedAction(q: Queryable, characterId: string, clientActionId: string | undefined): Promise<{ grounds: Grounds | undefined; recorded: RecordedAnswer | null }> {
  // Named: every action makes this read, and PostgreSQL then parses and plans it once per connection.
  const { rows } = await q.query<GroundsRow & { recorded: RecordedRow | null }>({
    name: 'actions.grounds-and-recorded',
    text: `SELECT ${GROUNDS_COLUMNS},
            (SELECT json_build_object('id', a.id, 'status', a.status, 'outcome', a.outcome, 'reason', a.reason, 'version', a.version)
               FROM actions a WHERE $2::text IS NOT NULL AND a.character_id = c.character_id AND a.client_action_id = $2 LIMIT 1) AS recorded
       FROM characters c
       LEFT JOIN api_keys k ON k.character_id = c.character_id
      WHERE c.character_id = $1`,
    values: [characterId, clientActionId ?? null],
  });
  const r = rows[0];
  return { grounds: r ? groundsOf(r) : undefined, recorded: r?.recorded ? answerOf(r.recorded) : null };
}

