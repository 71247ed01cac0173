import { randomUUID } from 'node:crypto';
import { createDatabase } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { OutboxEventBus } from './publisher-outbox.ts';
import { OutboxRelay } from './publisher-relay.ts';
import { EventPublisher } from './publisher.ts';

// flushWritten(session) is how the registry answers only after the join it did not stage itself
// was published: it waits for that session's pending rows, and for no other session's backlog.

const logger = pino({ level: 'silent' });
let url: string;
let db: pg.Pool;
let relayDb: pg.Pool;
let redis: Redis;

beforeAll(async () => {
  url = await createDatabase(inject('postgresAdminUrl'), 'flush_written');
  await migrate(url, logger);
  // One connection: the bus's queries run in the order they were issued, so a query issued after
  // flushWritten's own returns after it did.
  db = new pg.Pool({ connectionString: url, max: 1 });
  relayDb = new pg.Pool({ connectionString: url, max: 2 });
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  redis?.disconnect();
  await db?.end();
  await relayDb?.end();
});

const pending = async (sessionId: string) =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM event_outbox WHERE session_id = $1 AND published_at IS NULL`, [sessionId])).rows[0]!.n);

describe('flushWritten', () => {
  it("waits for the session's own pending rows until the relay published them, not for another session's backlog", async () => {
    const relay = new OutboxRelay({ db: relayDb, redis, logger, pollMs: 60_000 });
    // Waiting up to an hour: a wait that should not happen shows as the test's timeout.
    const bus = new OutboxEventBus({ db, relay, direct: new EventPublisher(redis), waitMs: 3_600_000 });
    const mine = `fw-${randomUUID().slice(0, 8)}`;
    const other = `fw-${randomUUID().slice(0, 8)}`;
    try {
      // Another session's backlog, which nobody publishes yet (the relay is not running).
      await bus.stage(db, other, Array.from({ length: 50 }, (_, i) => ({ type: 'test.backlog', data: { i } })));
      expect(await pending(other)).toBe(50);
      // Nothing of this session is pending: the answer need not wait for the other's rows.
      await bus.flushWritten(mine);
      expect(await pending(other)).toBe(50);

      // Now rows of this session, committed (as the engine's join commits its own), written after
      // the backlog: the relay publishes in id order, so they wait for it too.
      await bus.stage(db, mine, [{ type: 'system.character_joined', data: { characterId: `${mine}-ann` } }]);
      let settled = false;
      const waiting = bus.flushWritten(mine).then(() => {
        settled = true;
      });
      expect(await pending(mine)).toBe(1);
      expect(settled).toBe(false);
      relay.start();
      await waiting;
      // Answered only once its row was published (and, in id order, the backlog before it).
      expect(await pending(mine)).toBe(0);
      expect(await pending(other)).toBe(0);
    } finally {
      await relay.stop();
    }
  });
});
