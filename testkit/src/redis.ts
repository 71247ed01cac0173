import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type ManagedProcess } from './process.ts';
import { makeWorkdir, removeWorkdir } from './workdir.ts';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** Password of the `default` user, which has every permission; made up at start. */
  readonly password: string;
  /** URL for the `default` (admin) user. */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Starts a real redis-server on a free loopback port. ACLs are always on in Redis 6+; the
 * `default` user gets a generated password, so an unauthenticated client is refused and later
 * code can add per-character users with `ACL SETUSER`.
 */
export async function startRedis(opts: { port?: number } = {}): Promise<RedisServer> {
  const bin = findBinary('redis-server', ['/usr/bin', '/usr/local/bin'], 'install it (apt-get install redis-server) or run `make deps`');
  const workdir = makeWorkdir('redis');
  const port = opts.port ?? (await freePort());
  const host = '127.0.0.1';
  const password = randomBytes(18).toString('base64url');
  let proc: ManagedProcess | undefined;
  const server: RedisServer = {
    host,
    port,
    password,
    url: `redis://default:${password}@${host}:${port}`,
    async start() {
      proc = startProcess(
        'redis',
        bin,
        [
          '--port', String(port),
          '--bind', host,
          '--dir', workdir,
          '--save', '',
          '--appendonly', 'no',
          '--requirepass', password,
          '--maxclients', '4096',
        ],
        { logFile: join(workdir, 'redis.log') },
      );
      await waitUntil(
        `Redis on ${host}:${port}`,
        async () => {
          const client = new Redis({ host, port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          client.on('error', () => undefined);
          try {
            await client.connect();
            return (await client.ping()) === 'PONG';
          } finally {
            client.disconnect();
          }
        },
        { process: proc, timeoutMs: 20_000 },
      );
    },
    async stop() {
      await proc?.stop('SIGTERM', 10_000);
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
