import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, keySpecFor, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

// Registrations claim seats without a global lock (one conditional statement on the session's
// row): many at once must still never seat more than a session's capacity, open no more sessions
// than SESSIONS_AUTO_CREATE_MAX, and leave each session's member count equal to its members.

let api: RunningServer;
beforeAll(async () => {
  api = await startApi({
    databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'seats'),
    redisUrl: inject('redisUrl'),
    RATE_LIMIT_POINTS: '100000', AUTH_FAILURES_PER_IP: '1000', AUTH_FAILURES_PER_ID: '1000',
    SESSION_CAPACITY: '3',
    SESSIONS_AUTO_CREATE_MAX: '4',
  });
});
afterAll(() => api?.stop());

describe('seat claims under concurrency', () => {
  it('fills sessions to capacity, opens at most the bound, refuses the rest and keeps member counts exact', async () => {
    const ids = Array.from({ length: 16 }, () => uniqueId('seat'));
    const keys = await Promise.all(ids.map((id) => mintKey(api.url, id, keySpecFor(registrationBody(id)))));
    const results = await Promise.all(
      ids.map((id, i) => http<{ sessionId?: string; code?: string }>(api.url, 'POST', '/api/registry/character', { apiKey: keys[i], body: registrationBody(id) })),
    );
    const seated = results.filter((r) => r.status === 200);
    // 4 sessions of 3 seats: exactly 12 get in, 4 are told there is no room.
    expect(seated).toHaveLength(12);
    expect(results.filter((r) => r.status !== 200).map((r) => r.body.code)).toEqual(Array(4).fill('sessions.no_room'));
    const perSession = new Map<string, number>();
    for (const r of seated) perSession.set(r.body.sessionId!, (perSession.get(r.body.sessionId!) ?? 0) + 1);
    expect([...perSession.values()]).toEqual([3, 3, 3, 3]);

    const counts = await api.context.db.query<{ id: string; members: number; actual: string }>(
      `SELECT s.id, s.members, (SELECT count(*) FROM characters c WHERE c.session_id = s.id AND c.status = 'registered') AS actual FROM sessions s`,
    );
    expect(counts.rows.length).toBe(4);
    for (const row of counts.rows) expect(row.members).toBe(Number(row.actual));

    // Leaving frees the seat in the count as well: a deregistration, then a newcomer takes it.
    const gone = ids[results.findIndex((r) => r.status === 200)]!;
    expect((await http(api.url, 'DELETE', `/api/registry/character/${gone}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const late = ids[results.findIndex((r) => r.status !== 200)]!;
    const again = await http<{ sessionId: string }>(api.url, 'POST', '/api/registry/character', { apiKey: keys[ids.indexOf(late)], body: registrationBody(late) });
    expect(again.status).toBe(200);
    const after = await api.context.db.query<{ members: number }>('SELECT members FROM sessions WHERE id = $1', [again.body.sessionId]);
    expect(after.rows[0]!.members).toBe(3);
  });
});
