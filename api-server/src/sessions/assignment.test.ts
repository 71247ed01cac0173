import { describe, expect, it } from 'vitest';
import { decideSession, type SessionCandidate } from './assignment.ts';

const t = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, n));
const s = (id: string, members: number, capacity = 4, extra: Partial<SessionCandidate> = {}): SessionCandidate => ({
  id,
  members,
  capacity,
  status: 'open',
  createdAt: t(0),
  ...extra,
});

describe('decideSession', () => {
  it('joins the requested session when it has room', () => {
    expect(decideSession({ maxOpen: 10, requested: 'b', sessions: [s('a', 3), s('b', 1)] })).toEqual({ kind: 'join', sessionId: 'b', reason: 'requested' });
  });

  it('refuses a requested session that does not exist: only the game master creates named sessions', () => {
    expect(decideSession({ maxOpen: 10, requested: 'crypt-of-dawn', sessions: [s('a', 0)] })).toEqual({ kind: 'refuse', reason: 'requested-missing' });
    expect(decideSession({ maxOpen: 10, requested: 'crypt-of-dawn', sessions: [] })).toEqual({ kind: 'refuse', reason: 'requested-missing' });
  });

  it('falls back to another session with room when the requested one is full or closed', () => {
    expect(decideSession({ maxOpen: 10, requested: 'a', sessions: [s('a', 4), s('b', 2)] })).toMatchObject({ kind: 'join', sessionId: 'b' });
    expect(decideSession({ maxOpen: 10, requested: 'a', sessions: [s('a', 0, 4, { status: 'closed' }), s('b', 2)] })).toMatchObject({ kind: 'join', sessionId: 'b' });
  });

  it('keeps a re-registering character in its session', () => {
    expect(decideSession({ maxOpen: 10, current: 'a', sessions: [s('a', 1), s('b', 3)] })).toEqual({ kind: 'join', sessionId: 'a', reason: 'current' });
  });

  it('fills the fullest session with room, oldest first on a tie', () => {
    expect(decideSession({ maxOpen: 10, sessions: [s('a', 1), s('b', 3), s('c', 4)] })).toMatchObject({ sessionId: 'b' });
    expect(decideSession({ maxOpen: 10, sessions: [s('late', 2, 4, { createdAt: t(5) }), s('early', 2, 4, { createdAt: t(1) })] })).toMatchObject({ sessionId: 'early' });
  });

  it('opens no more sessions by itself once maxOpen sessions are open; closed ones do not count', () => {
    expect(decideSession({ maxOpen: 2, sessions: [s('a', 4), s('b', 4)] })).toEqual({ kind: 'refuse', reason: 'auto-create-limit' });
    expect(decideSession({ maxOpen: 2, sessions: [s('a', 4), s('b', 0, 4, { status: 'closed' })] })).toEqual({ kind: 'create', reason: 'all-full' });
    expect(decideSession({ maxOpen: 0, sessions: [] })).toEqual({ kind: 'refuse', reason: 'auto-create-limit' });
    // A full requested session still falls back to a new one while the bound allows.
    expect(decideSession({ maxOpen: 2, requested: 'a', sessions: [s('a', 4)] })).toEqual({ kind: 'create', reason: 'all-full' });
  });

  it('creates a new session when all are full or there are none', () => {
    expect(decideSession({ maxOpen: 10, sessions: [s('a', 4), s('b', 4)] })).toEqual({ kind: 'create', reason: 'all-full' });
    expect(decideSession({ maxOpen: 10, sessions: [] })).toEqual({ kind: 'create', reason: 'all-full' });
  });
});
