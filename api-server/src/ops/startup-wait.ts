// Start-up waits for its dependencies instead of crashing: in a fresh install PostgreSQL and Redis
// start beside the api-server, and a process that exits at once only earns a CrashLoopBackOff and
// a log that hides the cause. It keeps trying with the shared backoff until a deadline, saying what
// it waits for, then fails with an error naming the dependency and its last refusal.
import { backoffDelay, sleep } from '@distributed-dungeon/contracts';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';

interface Dependency {
  /** What it is, for the log and the error ("PostgreSQL at db:5432"). */
  name: string;
  /** Resolves once the dependency accepts a connection; rejects with why not. */
  probe: () => Promise<void>;
}

export async function waitForDependencies(deps: Dependency[], opts: { deadlineMs: number; logger: Logger }): Promise<void> {
  await Promise.all(deps.map((d) => waitFor(d, opts)));
}

async function waitFor(dep: Dependency, opts: { deadlineMs: number; logger: Logger }): Promise<void> {
  const deadline = performance.now() + opts.deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await dep.probe();
      if (attempt > 0) opts.logger.info({ dependency: dep.name, attempts: attempt + 1 }, `${dep.name} is reachable`);
      return;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const delay = backoffDelay(attempt, { initialMs: 250, maxMs: 5_000, jitter: { proportional: 0.2 } });
      if (performance.now() + delay > deadline) {
        throw new Error(`${dep.name} is not reachable after ${Math.round(opts.deadlineMs / 1000)} s (STARTUP_WAIT_SECONDS): ${why}`, { cause: err });
      }
      opts.logger.warn({ dependency: dep.name, attempt: attempt + 1, retryInMs: Math.round(delay), err: why }, `waiting for ${dep.name}`);
      await sleep(delay);
    }
  }
}

/** Where a URL points, without its credentials. */
function describeUrl(kind: string, url: string): string {
  try {
    const u = new URL(url);
    return `${kind} at ${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return kind;
  }
}

export function postgresDependency(url: string, connectTimeoutMs: number): Dependency {
  return {
    name: describeUrl('PostgreSQL', url),
    probe: async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
      // A refused connection also emits 'error' on the client; without a listener it would be thrown.
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

export function redisDependency(url: string): Dependency {
  return {
    name: describeUrl('Redis', url),
    probe: async () => {
      const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
      } finally {
        client.disconnect();
      }
    },
  };
}
