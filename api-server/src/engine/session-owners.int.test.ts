import { createDatabase } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withTransaction } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { uniqueId } from '../../test/harness.ts';
import { writeCommand } from './command-sql.ts';
import { NotOwnerError, SessionOwners } from './session-owners.ts';

// The session lease on a real PostgreSQL: one owner at a time, and a replica that lost its lease
// (paused past its expiry, as a SIGSTOPped or partitioned process would be) can write nothing.

let db: pg.Pool;
beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'owners');
  await migrate(url, pino({ level: 'silent' }));
  db = new pg.Pool({ connectionString: url, max: 4 });
});
afterAll(async () => {
  await db?.end();
});

describe('SessionOwners', () => {
  it("sets the writer's idle-in-transaction timeout with the fence, for its transaction only", async () => {
    const sessionId = uniqueId('idle');
    const a = new SessionOwners({ db, url: () => 'http://a', ttlMs: 60_000, replicaId: 'a' });
    expect(await a.claim(sessionId)).toMatchObject({ mine: true });
    const client = await db.connect();
    try {
      const before = (await client.query<{ v: string }>(`SELECT current_setting('idle_in_transaction_session_timeout') AS v`)).rows[0]!.v;
      expect(before).not.toBe('3s');
      await client.query('BEGIN');
      await a.fence(client, sessionId, { idleTimeout: '3s' });
      expect((await client.query<{ v: string }>(`SELECT current_setting('idle_in_transaction_session_timeout') AS v`)).rows[0]!.v).toBe('3s');
      await client.query('COMMIT');
      expect((await client.query<{ v: string }>(`SELECT current_setting('idle_in_transaction_session_timeout') AS v`)).rows[0]!.v).toBe(before);
    } finally {
      client.release();
    }
  });

  it('gives a session one owner; a stale owner is fenced off once another took over, and learns it lost the lease', async () => {
    const sessionId = uniqueId('lease');
    const a = new SessionOwners({ db, url: () => 'http://a', ttlMs: 60_000, replicaId: 'a' });
    const b = new SessionOwners({ db, url: () => 'http://b', ttlMs: 60_000, replicaId: 'b' });
    const first = await a.claim(sessionId);
    expect(first).toMatchObject({ mine: true, token: 1 });
    expect(await b.claim(sessionId)).toEqual({ mine: false, ownerUrl: 'http://a' });
    await withTransaction(db, (tx) => a.fence(tx, sessionId));

    // a stops renewing (paused); its lease runs out by the database's clock and b takes over.
    await db.query(`UPDATE session_owners SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [sessionId]);
    expect(await b.claim(sessionId)).toMatchObject({ mine: true, token: 2, changedHands: true });
    // a wakes up believing it still owns the session: its write is refused, whatever it thinks.
    expect(a.holds(sessionId)).toBe(true);
    await expect(withTransaction(db, (tx) => a.fence(tx, sessionId))).rejects.toThrow(NotOwnerError);
    expect(a.holds(sessionId)).toBe(false);
    await withTransaction(db, (tx) => b.fence(tx, sessionId));
    expect(await b.renew()).toEqual([]);

    // The one-statement write of a command fences itself the same way: a's token writes nothing.
    await db.query(`INSERT INTO game_session_runs (session_id, world_id, seed) VALUES ($1, 'crypt-of-dawn', 1)`, [sessionId]);
    const command = (fence: { ownerId: string; token: number }) =>
      writeCommand(db, { sessionId, fence, action: null, entry: { seq: 0, command: { kind: 'leave', characterId: 'x' }, version: 1, accepted: true, events: [] }, events: [{ type: 'system.note', data: {} }] });
    expect(await command({ ownerId: 'a', token: first.mine ? first.token : 0 })).toEqual({ fenced: false, lastId: null });
    const written = await command(b.fenceArgs(sessionId));
    expect(written.fenced).toBe(true);
    const { rows } = await db.query('SELECT 1 FROM event_outbox WHERE session_id = $1', [sessionId]);
    expect(rows).toHaveLength(1);

    // A renewal by a replica whose token is stale reports the loss instead of extending.
    const c = new SessionOwners({ db, url: () => 'http://c', ttlMs: 60_000, replicaId: 'c' });
    const other = uniqueId('lease');
    await c.claim(other);
    await db.query(`UPDATE session_owners SET owner_id = 'd', token = token + 1 WHERE session_id = $1`, [other]);
    expect(await c.renew()).toEqual([other]);
    expect(c.holds(other)).toBe(false);

    // Released on shutdown: the next replica owns it at once, with a new token.
    await b.release();
    expect(await a.claim(sessionId)).toMatchObject({ mine: true, token: 3 });
  });
});
