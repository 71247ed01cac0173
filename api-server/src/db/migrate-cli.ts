// `npm -w api-server run migrate`: apply pending migrations with DATABASE_URL and exit.
import { pino } from 'pino';
import { migrate } from './migrate.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const url = process.env.DATABASE_URL;
if (!url) {
  logger.fatal('DATABASE_URL: is required');
  process.exit(2);
}
try {
  const ran = await migrate(url, logger);
  logger.info({ count: ran.length }, ran.length ? 'schema migrated' : 'schema already up to date');
} catch (err) {
  logger.fatal({ err }, 'migration failed');
  process.exitCode = 1;
}
