import { execFile } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findBinary, postgresBinDirs, systemUser } from './binaries.ts';
import { createDatabase } from './database.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type ManagedProcess } from './process.ts';
import { makeWorkdir, removeWorkdir } from './workdir.ts';

const run = promisify(execFile);
const HINT = 'install PostgreSQL (apt-get install postgresql) or run `make deps`';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** URL of the `postgres` maintenance database as the superuser. */
  readonly adminUrl: string;
  /** Creates a fresh, empty database (named from `prefix`) and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (fast shutdown), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and leaves nothing running. */
  destroy(): Promise<void>;
}

/** Starts a real PostgreSQL on a free loopback port with a throw-away data directory. */
export async function startPostgres(opts: { port?: number } = {}): Promise<PostgresServer> {
  const dirs = postgresBinDirs();
  const initdb = findBinary('initdb', dirs, HINT);
  const postgresBin = findBinary('postgres', dirs, HINT);
  const workdir = makeWorkdir('pg');
  const dataDir = join(workdir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  // PostgreSQL refuses to run as root; drop to the `postgres` user Debian's package creates.
  const asUser = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (process.getuid?.() === 0 && !asUser) throw new Error(`running as root needs the 'postgres' system user: ${HINT}`);
  if (asUser) chownSync(dataDir, asUser.uid, asUser.gid);
  if (asUser) chownSync(workdir, asUser.uid, asUser.gid);
  await run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'], {
    uid: asUser?.uid,
    gid: asUser?.gid,
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
  });

  const port = opts.port ?? (await freePort());
  const host = '127.0.0.1';
  const adminUrl = `postgres://postgres@${host}:${port}/postgres`;
  let proc: ManagedProcess | undefined;

  const server: PostgresServer = {
    host,
    port,
    dataDir,
    adminUrl,
    createDatabase(prefix) {
      return createDatabase(adminUrl, prefix);
    },
    async start() {
      proc = startProcess(
        'postgres',
        postgresBin,
        // fsync off: a test database need not survive a machine crash, only a process kill.
        ['-D', dataDir, '-p', String(port), '-k', workdir, '-c', `listen_addresses=${host}`, '-c', 'fsync=off', '-c', 'max_connections=300'],
        { logFile: join(workdir, 'postgres.log'), uid: asUser?.uid, gid: asUser?.gid },
      );
      await waitUntil(
        `PostgreSQL on ${host}:${port}`,
        async () => {
          const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
          client.on('error', () => undefined);
          try {
            await client.connect();
            await client.query('SELECT 1');
            return true;
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        { process: proc, timeoutMs: 30_000, intervalMs: 200 },
      );
    },
    async stop() {
      // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions and exit cleanly.
      await proc?.stop('SIGINT', 15_000);
      proc = undefined;
    },
    async destroy() {
      await server.stop();
      removeWorkdir(workdir);
    },
  };
  await server.start();
  return server;
}
