import { backoffDelay, sleep } from '@distributed-dungeon/contracts';
import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A pool that fails fast while PostgreSQL is away (short connect timeout → 503) and heals on
 * its own: pg opens new connections on demand, so nothing needs restarting when it returns.
 */
export function createPool(opts: { url: string; max: number; connectTimeoutMs: number; logger: Logger }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // A query must not hang forever when the server vanishes mid-statement.
    query_timeout: 15_000,
  });
  // Idle clients whose server went away emit here; without a listener the process would crash.
  pool.on('error', (err) => opts.logger.warn({ err: err.message }, 'postgres idle client error'));
  return pool;
}


// Deadlock and serialization failure: the transaction lost a race and may simply be run again.
const CONFLICT_CODES = new Set(['40001', '40P01']);

function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && CONFLICT_CODES.has((err as { code?: string }).code ?? '');
}

/** How a transaction may end other than by returning (then it commits). */
export interface TransactionEnd {
  /**
   * Runs the transaction's last statement and commits it in the same round trip: the row locks
   * that statement takes are held for PostgreSQL's time only, not until this process, busy with
   * other requests, gets round to sending the COMMIT. Nothing may be queried after it.
   */
  commitWith<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

/**
 * Runs `fn` in a transaction, rolling back on any error. With `retryConflicts`, a transaction
 * that loses a deadlock or serialization race is run again from scratch after a short jittered
 * pause; only callers whose `fn` touches nothing but the database may ask for that.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, end: TransactionEnd) => Promise<T>,
  opts: { retryConflicts?: boolean } = {},
): Promise<T> {
  const attempts = opts.retryConflicts ? 6 : 1;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    let committed = false;
    const end: TransactionEnd = {
      async commitWith<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
        // Both are queued on the connection at once: pg sends the COMMIT as soon as the
        // statement's answer arrives. Settled both, so neither failure goes unobserved.
        const [last, commit] = await Promise.allSettled([client.query<R>(query), client.query('COMMIT')]);
        // A failed statement aborted the transaction, and PostgreSQL answered the COMMIT by rolling back.
        if (last.status === 'rejected') throw last.reason;
        if (commit.status === 'rejected') throw commit.reason;
        committed = true;
        return last.value;
      },
    };
    try {
      await client.query('BEGIN');
      const result = await fn(client, end);
      if (!committed) await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true; // the connection is dead; it must not go back to the pool
      });
      if (attempt < attempts && isConflict(err)) {
        await sleep(backoffDelay(attempt - 1, { initialMs: 10, maxMs: 200, jitter: 'full' }));
        continue;
      }
      throw err;
    } finally {
      // A client whose rollback failed has a dead connection: destroy it instead of pooling it.
      client.release(broken);
    }
  }
}

/** One query with a deadline, for readiness probes. */
export async function pingPostgres(pool: pg.Pool, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('postgres ping timed out')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
