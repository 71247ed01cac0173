import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { OutboxEventBus } from './publisher-outbox.ts';
import { OutboxRelay } from './publisher-relay.ts';
import { EventPublisher } from './publisher.ts';

/** The api-server's event bus: the outbox, and its relay running (it publishes again when Redis is back). */
export function createOutboxBus(opts: { db: Pool; redis: Redis; logger: Logger; onPublished?: (topic: string) => void }): { bus: OutboxEventBus; relay: OutboxRelay } {
  const relay = new OutboxRelay({ db: opts.db, redis: opts.redis, logger: opts.logger.child({ component: 'outbox-relay' }), ...(opts.onPublished ? { onPublished: opts.onPublished } : {}) });
  opts.redis.on('ready', () => relay.kick());
  relay.start();
  return { bus: new OutboxEventBus({ db: opts.db, relay, direct: new EventPublisher(opts.redis) }), relay };
}
