import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The command connection: no offline queue and one retry, so while Redis is away a request fails
 * at once (→ 503) instead of hanging; ioredis keeps reconnecting in the background. Commands
 * issued in the same tick (the budget and flag checks of concurrent requests) leave in one write.
 */
export function createCommandClient(url: string, logger: Logger, name = 'commands'): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    connectionName: `dungeon-api:${name}`,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  watch(client, logger, name);
  return client;
}

/**
 * The subscriber connection of the WebSocket gateway: its offline queue stays on so SUBSCRIBEs
 * issued during an outage are sent on reconnect, and ioredis re-subscribes what it had.
 */
export function createSubscriberClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    connectionName: 'dungeon-api:subscriber',
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  watch(client, logger, 'subscriber');
  return client;
}

function watch(client: Redis, logger: Logger, name: string): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ redis: name, err: err.message }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
}

export async function pingRedis(client: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
