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

/** Runs `fn` in a transaction, rolling back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = true;
      void rollbackErr;
    });
    throw err;
  } finally {
    // A client whose rollback failed has a dead connection: destroy it instead of pooling it.
    client.release(broken);
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
