import type { SessionRecord } from '@distributed-dungeon/contracts';
import type { Queryable } from '../db/queryable.ts';

interface SessionRow {
  id: string;
  name: string;
  world_id: string;
  capacity: number;
  status: 'open' | 'closed';
  created_at: Date;
  members: string[] | null;
}

const SELECT_SESSION = `
  SELECT s.id, s.name, s.world_id, s.capacity, s.status, s.created_at,
         array_remove(array_agg(c.character_id ORDER BY c.character_id), NULL) AS members
    FROM sessions s
    LEFT JOIN characters c ON c.session_id = s.id AND c.status = 'registered'`;

function toRecord(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    name: r.name,
    worldId: r.world_id,
    capacity: r.capacity,
    members: r.members ?? [],
    status: r.status,
    createdAt: r.created_at.toISOString(),
  };
}

export interface NewSession {
  id: string;
  name: string;
  worldId: string;
  capacity: number;
}

/** Inserts a session; false when the id is taken. */
export async function insertSession(q: Queryable, s: NewSession): Promise<boolean> {
  const res = await q.query('INSERT INTO sessions (id, name, world_id, capacity) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [
    s.id,
    s.name,
    s.worldId,
    s.capacity,
  ]);
  return res.rowCount === 1;
}

export async function getSession(q: Queryable, id: string): Promise<SessionRecord | undefined> {
  const res = await q.query<SessionRow>(`${SELECT_SESSION} WHERE s.id = $1 GROUP BY s.id`, [id]);
  return res.rows[0] ? toRecord(res.rows[0]) : undefined;
}

export async function listSessions(q: Queryable, filter: { status?: 'open' | 'closed' } = {}): Promise<SessionRecord[]> {
  const res = await q.query<SessionRow>(`${SELECT_SESSION} WHERE ($1::text IS NULL OR s.status = $1) GROUP BY s.id ORDER BY s.created_at, s.id`, [
    filter.status ?? null,
  ]);
  return res.rows.map(toRecord);
}

/**
 * Takes the lock that serialises the opening of sessions by the registry across replicas, for the
 * rest of the transaction, if no one holds it; false (and nothing held) when someone does.
 */
export async function tryLockAssignment(q: Queryable): Promise<boolean> {
  const res = await q.query<{ locked: boolean }>({ name: 'sessions.try-lock-assignment', text: "SELECT pg_try_advisory_xact_lock(hashtext('dungeon.session-assignment')) AS locked" });
  return res.rows[0]?.locked === true;
}

/**
 * Waits until whoever holds the assignment lock has committed (the session it opened is then
 * there to be seen), holding nothing afterwards: the waiters of a session that just filled wait
 * for one opener together, and do not queue behind each other's transactions for the lock.
 */
export async function awaitAssignment(q: Queryable): Promise<void> {
  await q.query({
    name: 'sessions.await-assignment',
    // Materialised, so the wait runs before the release (a subquery may be planned either way).
    text: "WITH waited AS MATERIALIZED (SELECT pg_advisory_lock_shared(hashtext('dungeon.session-assignment'))) SELECT pg_advisory_unlock_shared(hashtext('dungeon.session-assignment')) FROM waited",
  });
}

export async function countActiveSessions(q: Queryable): Promise<number> {
  const res = await q.query<{ n: string }>("SELECT count(DISTINCT session_id) AS n FROM characters WHERE status = 'registered' AND session_id IS NOT NULL");
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * Closes an open session for good (no one joins it any more); false when it was closed already
 * or does not exist. The one writer of `sessions.status`: the game's own end and the game
 * master's close both come through here.
 */
export async function closeSession(q: Queryable, id: string): Promise<boolean> {
  const res = await q.query("UPDATE sessions SET status = 'closed' WHERE id = $1 AND status = 'open'", [id]);
  return res.rowCount === 1;
}
