import type { Queryable } from '../db/queryable.ts';
import { StoreConflictError, type Command, type GameState, type LogEntry, type StoredSession } from '../game/index.ts';

// The Dungeon Master's session log in PostgreSQL (migrations/*_game-session-log.sql): one row per
// applied command, appended in order, never changed. The `create` entry also records the run
// (world and seed), so a session can be replayed from the database alone.

interface LogRow {
  seq: number;
  command: Command;
  version: number;
  accepted: boolean;
  events: LogEntry['events'];
}

export async function appendLogEntry(q: Queryable, sessionId: string, entry: LogEntry, state: Pick<GameState, 'worldId' | 'seed'>): Promise<void> {
  try {
    await insertEntry(q, sessionId, entry, state);
  } catch (err) {
    // Another replica appended at this position first (primary key): reload and apply again.
    if ((err as { code?: unknown }).code === '23505') throw new StoreConflictError(`session ${sessionId}: log entry ${entry.seq} exists already`, { cause: err });
    throw err;
  }
}

async function insertEntry(q: Queryable, sessionId: string, entry: LogEntry, state: Pick<GameState, 'worldId' | 'seed'>): Promise<void> {
  const values = [sessionId, entry.seq, JSON.stringify(entry.command), entry.version, entry.accepted, JSON.stringify(entry.events)];
  const insertLog = 'INSERT INTO game_session_log (session_id, seq, command, version, accepted, events) VALUES ($1, $2, $3, $4, $5, $6)';
  if (entry.seq === 0) {
    // The run and its first entry in one statement: both or neither.
    await q.query(`WITH run AS (INSERT INTO game_session_runs (session_id, world_id, seed) VALUES ($1, $7, $8)) ${insertLog}`, [...values, state.worldId, state.seed]);
    return;
  }
  await q.query(insertLog, values);
}

/**
 * The stored session: world, seed, the newest snapshot and the log entries after it (the whole
 * log when there is no snapshot), or null when there is none.
 */
export async function loadSessionLog(q: Queryable, sessionId: string): Promise<StoredSession | null> {
  const run = await q.query<{ world_id: string; seed: string }>('SELECT world_id, seed FROM game_session_runs WHERE session_id = $1', [sessionId]);
  const r = run.rows[0];
  if (!r) return null;
  const snap = await q.query<{ seq: number; state: Omit<GameState, 'world'> }>('SELECT seq, state FROM game_session_snapshots WHERE session_id = $1', [sessionId]);
  const snapshot = snap.rows[0];
  const rows = await q.query<LogRow>('SELECT seq, command, version, accepted, events FROM game_session_log WHERE session_id = $1 AND seq > $2 ORDER BY seq', [
    sessionId,
    snapshot?.seq ?? -1,
  ]);
  return {
    worldId: r.world_id,
    seed: Number(r.seed),
    ...(snapshot ? { snapshot: { seq: snapshot.seq, state: snapshot.state } } : {}),
    entries: rows.rows.map((row) => ({ seq: row.seq, command: row.command, version: row.version, accepted: row.accepted, events: row.events })),
  };
}

/** The whole log from entry 0, whatever snapshots exist (for audits and tests). */
export async function loadWholeLog(q: Queryable, sessionId: string): Promise<LogEntry[]> {
  const rows = await q.query<LogRow>('SELECT seq, command, version, accepted, events FROM game_session_log WHERE session_id = $1 ORDER BY seq', [sessionId]);
  return rows.rows.map((row) => ({ seq: row.seq, command: row.command, version: row.version, accepted: row.accepted, events: row.events }));
}

/** The state after entry `seq`, replacing an older snapshot (the world is stored by id only). */
export async function saveSnapshot(q: Queryable, sessionId: string, seq: number, state: GameState): Promise<void> {
  await q.query(
    `INSERT INTO game_session_snapshots (session_id, seq, state) VALUES ($1, $2, $3)
     ${SNAPSHOT_UPSERT}`,
    [sessionId, seq, snapshotJson(state)],
  );
}

/** A newer snapshot replaces the session's one; an older one (written late) is dropped. */
export const SNAPSHOT_UPSERT = `ON CONFLICT (session_id) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, recorded_at = now()
     WHERE game_session_snapshots.seq < EXCLUDED.seq`;

/** The state as a snapshot keeps it: without the static world, which loading adds back. */
export function snapshotJson(state: GameState): string {
  const { world: _world, ...rest } = state;
  return JSON.stringify(rest);
}

