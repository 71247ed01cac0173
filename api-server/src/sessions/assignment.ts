// Which session a registering character joins: a pure decision on member counts; the caller
// claims the seat with a conditional statement and decides again when it lost the race.

export interface SessionCandidate {
  id: string;
  capacity: number;
  /** Registered members, not counting the character being registered. */
  members: number;
  status: 'open' | 'closed';
  createdAt: Date;
}

type Assignment =
  | { kind: 'join'; sessionId: string; reason: 'requested' | 'current' | 'has-room' }
  | { kind: 'create'; reason: 'all-full' }
  | { kind: 'refuse'; reason: 'requested-missing' | 'auto-create-limit' };

interface AssignmentInput {
  /** The session the character asked for, if any. */
  requested?: string;
  /** The session it was in before (re-registration after a restart). */
  current?: string | null;
  sessions: SessionCandidate[];
  /** Open sessions beyond which the registry opens no more on its own (SESSIONS_AUTO_CREATE_MAX). */
  maxOpen: number;
}

const hasRoom = (s: SessionCandidate) => s.status === 'open' && s.members < s.capacity;

/**
 * The requested session if it has room; else the one the character was already in, if it has
 * room; else the fullest open session with room (so parties fill up rather than spread thin;
 * oldest first on a tie); else a new session, while fewer than `maxOpen` are open.
 *
 * A requested session that does not exist is refused rather than created: only the game master
 * names sessions (POST /api/sessions), so player code cannot conjure worlds or private rooms, and
 * what the registry opens by itself is bounded.
 */
export function decideSession(input: AssignmentInput): Assignment {
  const byId = new Map(input.sessions.map((s) => [s.id, s]));
  if (input.requested) {
    const requested = byId.get(input.requested);
    if (!requested) return { kind: 'refuse', reason: 'requested-missing' };
    if (hasRoom(requested)) return { kind: 'join', sessionId: requested.id, reason: 'requested' };
  }
  if (input.current) {
    const current = byId.get(input.current);
    if (current && hasRoom(current)) return { kind: 'join', sessionId: current.id, reason: 'current' };
  }
  const best = input.sessions
    .filter(hasRoom)
    .sort((a, b) => b.members - a.members || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))[0];
  if (best) return { kind: 'join', sessionId: best.id, reason: 'has-room' };
  const open = input.sessions.filter((s) => s.status === 'open').length;
  if (open >= input.maxOpen) return { kind: 'refuse', reason: 'auto-create-limit' };
  return { kind: 'create', reason: 'all-full' };
}
