// The container system's transactions: every change runs in one transaction that row-locks what
// it touches, and a deadlock or serialization failure (two replicas locking in opposite order
// through the overflow/floor path) is retried from scratch, since these touch only the database.
import type pg from 'pg';
import { withTransaction as runInTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';

export type { Queryable };

export function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return runInTransaction(pool, fn, { retryConflicts: true });
}
