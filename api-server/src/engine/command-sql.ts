import type { ActionRecord } from '../actions/repository.ts';
import type { Queryable } from '../db/queryable.ts';
import { outboxColumns } from '../events/publisher-outbox.ts';
import type { GameEvent } from '../events/publisher.ts';
import { StoreConflictError, type GameState, type LogEntry } from '../game/index.ts';
import { SNAPSHOT_UPSERT, snapshotJson } from './session-log.ts';

// The common commands in one statement (one round trip, atomic as any single statement): the
// fence on the session's lease, the log entries, the actions' records, the outbox rows and the
// session's snapshot when one is due, for
// one command or a batch of consecutive ones (group commit). Nothing is written unless the fence
// holds. A batch of the session's queue costs this round trip and no more, so commands of one
// session keep flowing while many wait on it.

const SQL = (fenced: boolean) => `
WITH fence AS (
  ${fenced ? 'SELECT 1 FROM session_owners WHERE session_id = $1 AND owner_id = $2 AND token = $3 AND expires_at > now() FOR SHARE' : 'SELECT 1 WHERE $2::text IS NULL AND $3::bigint IS NULL'}
), log AS (
  INSERT INTO game_session_log (session_id, seq, command, version, accepted, events)
  SELECT $1, q, c, v, a, e FROM unnest($4::int[], $5::jsonb[], $6::int[], $7::boolean[], $8::jsonb[]) AS u(q, c, v, a, e)
  WHERE EXISTS (SELECT 1 FROM fence)
  RETURNING seq
), act AS (
  INSERT INTO actions (id, character_id, session_id, type, payload, client_action_id, status, outcome, reason, version)
  SELECT i, ch, $1, t, p, ca, st, o, r, v
  FROM unnest($9::uuid[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[], $15::jsonb[], $16::text[], $17::int[]) AS u(i, ch, t, p, ca, st, o, r, v)
  WHERE EXISTS (SELECT 1 FROM log)
  RETURNING id
), outbox AS (
  INSERT INTO event_outbox (event_id, session_id, channel, envelope, version)
  SELECT e, s, c, v, n FROM unnest($18::uuid[], $19::text[], $20::text[], $21::jsonb[], $22::int[]) AS u(e, s, c, v, n)
  WHERE EXISTS (SELECT 1 FROM log)
  RETURNING id
), snap AS (
  INSERT INTO game_session_snapshots (session_id, seq, state)
  -- json, not jsonb: jsonb would reorder the state's keys, and the rules iterate them in order.
  SELECT $1, $23::int, $24::json WHERE $23::int IS NOT NULL AND EXISTS (SELECT 1 FROM log)
  ${SNAPSHOT_UPSERT}
  RETURNING 1
)
SELECT (SELECT count(*) FROM log)::int AS logged, (SELECT max(id) FROM outbox) AS last_id`;
const FENCED = SQL(true);
const UNFENCED = SQL(false);

/** One command of the batch: its entry, its action's record (null for the clock's own), its events to publish. */
export interface StagedCommand {
  entry: LogEntry;
  action: ActionRecord | null;
  events: readonly GameEvent[];
}

interface OneStatementCommands {
  sessionId: string;
  /** Null with no lease to check (one replica). */
  fence: { ownerId: string; token: number } | null;
  /** Consecutive entries, in log order. */
  commands: readonly StagedCommand[];
  /** The state after entry `seq` of the batch, kept as the session's snapshot (only a newer one replaces it). */
  snapshot?: { seq: number; state: GameState } | null;
}

/** Writes them all or nothing; `fenced: false` when the lease was not this replica's (nothing written). */
export async function writeCommands(q: Queryable, c: OneStatementCommands): Promise<{ fenced: boolean; lastId: number | null }> {
  const entries = c.commands.map((x) => x.entry);
  const actions = c.commands.flatMap((x) => (x.action ? [x.action] : []));
  // The outbox ids follow the events' order, batch-wide: the relay publishes them in that order.
  const { columns } = outboxColumns(
    c.sessionId,
    c.commands.flatMap((x) => x.events),
  );
  const params = [
    c.sessionId,
    c.fence?.ownerId ?? null,
    c.fence?.token ?? null,
    entries.map((e) => e.seq),
    entries.map((e) => JSON.stringify(e.command)),
    entries.map((e) => e.version),
    entries.map((e) => e.accepted),
    entries.map((e) => JSON.stringify(e.events)),
    actions.map((a) => a.id),
    actions.map((a) => a.action.characterId),
    actions.map((a) => a.action.type),
    actions.map((a) => JSON.stringify(a.action)),
    actions.map((a) => a.action.clientActionId ?? null),
    actions.map((a) => a.status),
    actions.map((a) => (a.outcome ? JSON.stringify(a.outcome) : null)),
    actions.map((a) => a.reason ?? null),
    actions.map((a) => a.version ?? null),
    ...columns,
    c.snapshot?.seq ?? null,
    c.snapshot ? snapshotJson(c.snapshot.state) : null,
  ];
  let rows: { logged: number; last_id: string | null }[];
  try {
    // Named: the statement is long and run for every write of every session; PostgreSQL parses and plans it once per connection.
    const fenced = c.fence !== null;
    rows = (await q.query<{ logged: number; last_id: string | null }>({ name: fenced ? 'commands.write-fenced' : 'commands.write', text: fenced ? FENCED : UNFENCED, values: params })).rows;
  } catch (err) {
    const e = err as { code?: unknown; constraint?: unknown };
    // Another writer appended at one of these positions first (primary key): reload and apply again.
    if (e.code === '23505' && e.constraint === 'game_session_log_pkey') {
      throw new StoreConflictError(`session ${c.sessionId}: a log entry of ${entries[0]!.seq}..${entries.at(-1)!.seq} exists already`, { cause: err });
    }
    throw err;
  }
  const r = rows[0]!;
  return { fenced: r.logged === entries.length, lastId: r.last_id === null ? null : Number(r.last_id) };
}

/** One command on its own (`writeCommands` with a batch of one). */
export function writeCommand(q: Queryable, c: { sessionId: string; fence: OneStatementCommands['fence']; entry: LogEntry; action: ActionRecord | null; events: readonly GameEvent[] }) {
  return writeCommands(q, { sessionId: c.sessionId, fence: c.fence, commands: [{ entry: c.entry, action: c.action, events: c.events }] });
}
