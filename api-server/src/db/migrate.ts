import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

/**
 * The one migrations folder, shared by every module of the api-server (registry, sessions,
 * actions, item containers, ...): timestamp-prefixed `.sql` files with `-- Up Migration` and
 * `-- Down Migration` sections, applied in name order.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Brings the schema up to date. node-pg-migrate takes a PostgreSQL advisory lock; with
 * `advisoryLockMode: 'wait'` a second replica starting at the same moment waits for the first
 * to finish, then finds nothing left to do, instead of failing.
 */
export async function migrate(databaseUrl: string, logger: Logger): Promise<string[]> {
  const log = logger.child({ component: 'migrations' });
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    advisoryLockMode: 'wait',
    singleTransaction: true,
    checkOrder: true,
    logger: {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    },
  });
  const names = ran.map((m) => m.name);
  if (names.length) log.info({ migrations: names }, 'migrations applied');
  return names;
}
