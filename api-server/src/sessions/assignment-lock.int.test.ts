import { createDatabase } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awaitAssignment, tryLockAssignment } from './repository.ts';

// The lock that serialises the opening of sessions: one registration takes it, the others wait
// for that one to commit without taking it themselves (so they do not queue behind each other).

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createDatabase(inject('postgresAdminUrl'), 'assignment-lock'), max: 6 });
});
afterAll(() => pool?.end());

async function begun(): Promise<pg.PoolClient> {
  const c = await pool.connect();
  await c.query('BEGIN');
  return c;
}

describe('the session-assignment lock', () => {
  it('is taken by one transaction; the others are told so, wait for its commit, and hold nothing afterwards', async () => {
    const [opener, waiter, later] = await Promise.all([begun(), begun(), begun()]);
    try {
      expect(await tryLockAssignment(opener)).toBe(true);
      expect(await tryLockAssignment(waiter)).toBe(false);
      let waited = false;
      const waiting = awaitAssignment(waiter).then(() => (waited = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(waited).toBe(false);
      await opener.query('COMMIT');
      await waiting;
      // The waiter's transaction is still open and holds nothing: a third takes the lock.
      expect(await tryLockAssignment(later)).toBe(true);
    } finally {
      for (const c of [opener, waiter, later]) {
        await c.query('ROLLBACK');
        c.release();
      }
    }
  });

  it('lets a waiter through at once when no one holds it', async () => {
    const c = await begun();
    try {
      await awaitAssignment(c);
      expect(await tryLockAssignment(c)).toBe(true);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});
