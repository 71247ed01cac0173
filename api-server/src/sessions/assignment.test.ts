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
    expect(decideSession({ requested: 'b', sessions: [s('a', 3), s('b', 1)] })).toEqual({ kind: 'join', sessionId: 'b', reason: 'requested' });
  });

  it('creates the requested session when it does not exist', () => {
    expect(decideSession({ requested: 'crypt-of-dawn', sessions: [s('a', 0)] })).toEqual({ kind: 'create', sessionId: 'crypt-of-dawn', reason: 'requested-missing' });
  });

  it('falls back to another session with room when the requested one is full or closed', () => {
    expect(decideSession({ requested: 'a', sessions: [s('a', 4), s('b', 2)] })).toMatchObject({ kind: 'join', sessionId: 'b' });
    expect(decideSession({ requested: 'a', sessions: [s('a', 0, 4, { status: 'closed' }), s('b', 2)] })).toMatchObject({ kind: 'join', sessionId: 'b' });
  });

  it('keeps a re-registering character in its session', () => {
    expect(decideSession({ current: 'a', sessions: [s('a', 1), s('b', 3)] })).toEqual({ kind: 'join', sessionId: 'a', reason: 'current' });
  });

  it('fills the fullest session with room, oldest first on a tie', () => {
    expect(decideSession({ sessions: [s('a', 1), s('b', 3), s('c', 4)] })).toMatchObject({ sessionId: 'b' });
    expect(decideSession({ sessions: [s('late', 2, 4, { createdAt: t(5) }), s('early', 2, 4, { createdAt: t(1) })] })).toMatchObject({ sessionId: 'early' });
  });

  it('creates a new session when all are full or there are none', () => {
    expect(decideSession({ sessions: [s('a', 4), s('b', 4)] })).toEqual({ kind: 'create', reason: 'all-full' });
    expect(decideSession({ sessions: [] })).toEqual({ kind: 'create', reason: 'all-full' });
  });
});
