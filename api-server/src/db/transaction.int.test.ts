import { createDatabase } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withTransaction } from './pool.ts';

// `commitWith`: a transaction's last statement and its COMMIT in one round trip, against the
// real PostgreSQL of the harness.

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createDatabase(inject('postgresAdminUrl'), 'transactions'), max: 4 });
  await pool.query('CREATE TABLE seats (id text PRIMARY KEY, taken int NOT NULL)');
  await pool.query("INSERT INTO seats VALUES ('a', 0)");
});
afterAll(() => pool?.end());

describe('withTransaction … commitWith', () => {
  it('commits with the last statement: its row lock is free and its write visible once it answers', async () => {
    const result = await withTransaction(pool, async (tx, end) => {
      await tx.query("SELECT 1 FROM seats WHERE id = 'a' FOR UPDATE");
      const res = await end.commitWith<{ taken: number }>({ text: "UPDATE seats SET taken = taken + 1 WHERE id = 'a' RETURNING taken" });
      // Another connection takes the row at once: NOWAIT fails if the lock were still held.
      const other = await pool.query<{ taken: number }>("SELECT taken FROM seats WHERE id = 'a' FOR UPDATE NOWAIT");
      return { answered: res.rows[0]!.taken, seen: other.rows[0]!.taken };
    });
    expect(result).toEqual({ answered: 1, seen: 1 });
  });

  it("a failed last statement rejects with its own error, and the transaction's earlier writes are gone", async () => {
    const failed = withTransaction(pool, async (tx, end) => {
      await tx.query("UPDATE seats SET taken = 100 WHERE id = 'a'");
      await end.commitWith({ text: "INSERT INTO seats VALUES ('a', 0)" });
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    const { rows } = await pool.query<{ taken: number }>("SELECT taken FROM seats WHERE id = 'a'");
    expect(rows[0]!.taken).toBe(1);
    // The connection went back to the pool in a clean state: every one of them still works.
    const all = await Promise.all(Array.from({ length: 4 }, () => withTransaction(pool, (tx) => tx.query('SELECT 1 AS one'))));
    expect(all.map((r) => r.rows[0].one)).toEqual([1, 1, 1, 1]);
  });

  it('a transaction that does not end with commitWith commits on return, as before', async () => {
    await withTransaction(pool, (tx) => tx.query("UPDATE seats SET taken = taken + 1 WHERE id = 'a'"));
    const { rows } = await pool.query<{ taken: number }>("SELECT taken FROM seats WHERE id = 'a'");
    expect(rows[0]!.taken).toBe(2);
  });
});
