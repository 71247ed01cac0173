import type { ActionRecord } from '../actions/repository.ts';
import type { Queryable } from '../db/queryable.ts';
import { outboxColumns } from '../events/publisher-outbox.ts';
import type { GameEvent } from '../events/publisher.ts';
import { StoreConflictError, type LogEntry } from '../game/index.ts';

// The common command in one statement (one round trip, atomic as any single statement): the
// fence on the session's lease, the log entry, the action's record and the outbox rows. Nothing
// is written unless the fence holds. A command of the session's queue costs this round trip and
// no more, so commands of one session keep flowing while many wait on it.

const SQL = (fenced: boolean) => `
WITH fence AS (
  ${fenced ? 'SELECT 1 FROM session_owners WHERE session_id = $1 AND owner_id = $2 AND token = $3 AND expires_at > now() FOR SHARE' : 'SELECT 1 WHERE $2::text IS NULL AND $3::bigint IS NULL'}
), log AS (
  INSERT INTO game_session_log (session_id, seq, command, version, accepted, events)
  SELECT $1, $4, $5::jsonb, $6, $7, $8::jsonb WHERE EXISTS (SELECT 1 FROM fence)
  RETURNING seq
), act AS (
  INSERT INTO actions (id, character_id, session_id, type, payload, client_action_id, status, outcome, reason, version)
  SELECT $9::uuid, $10, $1, $11, $12::jsonb, $13, $14, $15::jsonb, $16, $17::int WHERE $9::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM log)
  RETURNING id
), outbox AS (
  INSERT INTO event_outbox (event_id, session_id, channel, envelope, version)
  SELECT e, s, c, v, n FROM unnest($18::uuid[], $19::text[], $20::text[], $21::jsonb[], $22::int[]) AS u(e, s, c, v, n)
  WHERE EXISTS (SELECT 1 FROM log)
  RETURNING id
)
SELECT (SELECT count(*) FROM log)::int AS logged, (SELECT max(id) FROM outbox) AS last_id`;

interface OneStatementCommand {
  sessionId: string;
  entry: LogEntry;
  /** Null with no lease to check (one replica). */
  fence: { ownerId: string; token: number } | null;
  action: ActionRecord | null;
  events: readonly GameEvent[];
}

/** Writes it all or nothing; `fenced: false` when the lease was not this replica's (nothing written). */
export async function writeCommand(q: Queryable, c: OneStatementCommand): Promise<{ fenced: boolean; lastId: number | null }> {
  const { columns } = outboxColumns(c.sessionId, c.events);
  const a = c.action;
  const params = [
    c.sessionId,
    c.fence?.ownerId ?? null,
    c.fence?.token ?? null,
    c.entry.seq,
    JSON.stringify(c.entry.command),
    c.entry.version,
    c.entry.accepted,
    JSON.stringify(c.entry.events),
    a?.id ?? null,
    a?.action.characterId ?? null,
    a?.action.type ?? null,
    a ? JSON.stringify(a.action) : null,
    a?.action.clientActionId ?? null,
    a?.status ?? null,
    a?.outcome ? JSON.stringify(a.outcome) : null,
    a?.reason ?? null,
    a?.version ?? null,
    ...columns,
  ];
  let rows: { logged: number; last_id: string | null }[];
  try {
    rows = (await q.query<{ logged: number; last_id: string | null }>(SQL(c.fence !== null), params)).rows;
  } catch (err) {
    const e = err as { code?: unknown; constraint?: unknown };
    // Another writer appended at this position first (primary key): reload and apply again.
    if (e.code === '23505' && e.constraint === 'game_session_log_pkey') throw new StoreConflictError(`session ${c.sessionId}: log entry ${c.entry.seq} exists already`, { cause: err });
    throw err;
  }
  const r = rows[0]!;
  return { fenced: r.logged === 1, lastId: r.last_id === null ? null : Number(r.last_id) };
}
