// Transactions for the container system. Every change runs in one transaction that row-locks
// what it touches; a deadlock or serialization failure (two replicas locking in opposite order
// through the overflow/floor path) is retried from scratch with a short jittered backoff.
import type pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 6;

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has((err as { code?: string }).code ?? '');
}

export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let released = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable; drop it from the pool instead of returning it.
        client.release(rollbackErr as Error);
        released = true;
      }
      if (attempt < MAX_ATTEMPTS && isRetryable(err)) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      throw err;
    } finally {
      if (!released) client.release();
    }
  }
}
