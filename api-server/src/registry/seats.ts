import type { RegistrationRequest } from '@distributed-dungeon/contracts';
import type { TransactionEnd } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import type { SessionCandidate } from '../sessions/assignment.ts';

// The registration's session SQL without a global lock: candidates are read from each session's
// member count (kept by a trigger, migration session-seat-count), and a seat is claimed by the
// one statement that writes the registration, conditional on the chosen session's row.

/**
 * Open sessions (plus the requested and current ones, whatever their status) with their member
 * counts, not counting the character itself in `current` (the session it is registered in).
 */
export async function seatCandidates(q: Queryable, current: string | null, requested: string | undefined): Promise<SessionCandidate[]> {
  const res = await q.query<{ id: string; capacity: number; status: 'open' | 'closed'; created_at: Date; members: number }>({
    name: 'registry.seat-candidates',
    text: `SELECT id, capacity, status, created_at, members - CASE WHEN id = $1 THEN 1 ELSE 0 END AS members
             FROM sessions WHERE status = 'open' OR id = $1 OR id = $2`,
    values: [current, requested ?? null],
  });
  return res.rows.map((r) => ({ id: r.id, capacity: r.capacity, status: r.status, createdAt: r.created_at, members: r.members }));
}

interface ClaimedSeat {
  generation: number;
}

/**
 * Records the registration in `sessionId` if that session is open and has a seat (or already
 * seats this character, `current`), and commits; undefined, and nothing written by it, when it
 * has none (the transaction is over either way). Both
 * sessions' rows are locked in id order so two characters moving past each other cannot deadlock;
 * the row lock re-reads the member count a concurrent claim just raised.
 */
export async function claimSeat(
  end: TransactionEnd,
  req: RegistrationRequest,
  sessionId: string,
  current: string | null,
  busPasswordHash: string,
): Promise<ClaimedSeat | undefined> {
  // The last statement of the registration's transaction, committed with it: the session's row
  // is locked for PostgreSQL's time only, and the registrations filling one session pass it in turn.
  const res = await end.commitWith<{ credential_generation: number }>({
    name: 'registry.claim-seat',
    text: `WITH locked AS (SELECT id, status, members, capacity FROM sessions WHERE id = $8 OR id = $10 ORDER BY id FOR UPDATE),
                seat AS (SELECT id FROM locked WHERE id = $8 AND status = 'open' AND (members < capacity OR id = $10))
           INSERT INTO characters (character_id, name, class, level, container_endpoint, capabilities, version, session_id, status, bus_password_hash, registered_at, last_heartbeat_at, credential_generation)
           SELECT $1, $2, $3, $4, $5, $6, $7, seat.id, 'registered', $9, now(), now(), 1 FROM seat
           ON CONFLICT (character_id) DO UPDATE SET
             name = EXCLUDED.name, class = EXCLUDED.class, level = EXCLUDED.level, container_endpoint = EXCLUDED.container_endpoint,
             capabilities = EXCLUDED.capabilities, version = EXCLUDED.version, session_id = EXCLUDED.session_id, status = 'registered',
             bus_password_hash = EXCLUDED.bus_password_hash, registered_at = now(), last_heartbeat_at = now(), updated_at = now(),
             credential_generation = characters.credential_generation + 1, left_reason = NULL
           RETURNING credential_generation`,
    values: [req.characterId, req.name, req.class, req.level, req.containerEndpoint, req.capabilities, req.version, sessionId, busPasswordHash, current],
  });
  const row = res.rows[0];
  return row ? { generation: row.credential_generation } : undefined;
}

interface BusUserState {
  registered: boolean;
  sessionId: string | null;
  generation: number;
  passwordHash: string | null;
}

/** What the event-bus user of a character should be, from its row (`lock`: hold the row). */
export async function busUserState(q: Queryable, characterId: string, opts: { lock?: boolean } = {}): Promise<BusUserState | undefined> {
  const res = await q.query<{ status: string; session_id: string | null; credential_generation: number; bus_password_hash: string | null }>(
    `SELECT status, session_id, credential_generation, bus_password_hash FROM characters WHERE character_id = $1${opts.lock ? ' FOR UPDATE' : ''}`,
    [characterId],
  );
  const r = res.rows[0];
  return r ? { registered: r.status === 'registered', sessionId: r.session_id, generation: r.credential_generation, passwordHash: r.bus_password_hash } : undefined;
}
