import { randomUUID } from 'node:crypto';
import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { OutboxEventBus } from './publisher-outbox.ts';
import { OutboxRelay } from './publisher-relay.ts';
import { EventPublisher, type GameEvent } from './publisher.ts';

// Several events in one round trip, on a real PostgreSQL and Redis: a room's copies of one
// container event (one per character in the room, one for the game masters) each arrive exactly
// once, in order, whether sent straight (a Redis pipeline) or through the outbox (one insert).

const logger = pino({ level: 'silent' });
let db: pg.Pool;
let redis: Redis;
let sub: Redis;
const heard: { channel: string; id: string; type: string; version?: number }[] = [];

beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'publish_many');
  await migrate(url, logger);
  db = new pg.Pool({ connectionString: url, max: 3 });
  redis = new Redis(inject('redisUrl'));
  sub = new Redis(inject('redisUrl'));
  sub.on('pmessage', (_p: string, channel: string, message: string) => {
    const e = JSON.parse(message) as { id: string; type: string; version?: number };
    heard.push({ channel, id: e.id, type: e.type, ...(e.version !== undefined ? { version: e.version } : {}) });
  });
  await sub.psubscribe('session:*', 'character:*', 'gm:*');
});

afterAll(async () => {
  sub?.disconnect();
  redis?.disconnect();
  await db?.end();
});

/** One container event as a room of `characters` hears it, and the game masters' copy. */
function roomCopies(sessionId: string, characters: string[]): GameEvent[] {
  const data = { container_id: randomUUID(), room_id: 'hall' };
  return [
    ...characters.map((characterId) => ({ type: 'container.updated', data, topic: 'exploration' as const, characterId })),
    { type: 'container.updated', data, topic: 'exploration' as const, audience: 'game-master' as const },
  ];
}

describe('publishMany', () => {
  it('straight to Redis: one pipeline, each copy once and in order, versions kept', async () => {
    const sid = `pm-${randomUUID().slice(0, 8)}`;
    const chars = [`${sid}-ann`, `${sid}-bob`, `${sid}-cat`];
    const topics: string[] = [];
    const pub = new EventPublisher(redis, (t) => topics.push(t));
    expect(await pub.publishMany(sid, [])).toEqual([]);
    const sent = await pub.publishMany(sid, [...roomCopies(sid, chars), { type: 'exploration.moved', version: 3, data: {} }]);
    expect(sent.map((e) => e.version)).toEqual([undefined, undefined, undefined, undefined, 3]);
    const ids = new Set(sent.map((e) => e.id));
    await eventually('the five envelopes to arrive', () => heard.filter((h) => ids.has(h.id)).length >= 5);
    expect(heard.filter((h) => ids.has(h.id)).map((h) => h.channel)).toEqual([...chars.map((c) => `character:${c}`), `gm:${sid}`, `session:${sid}:exploration`]);
    expect(topics).toEqual(['character', 'character', 'character', 'exploration', 'exploration']);
    expect(await pub.currentVersion(sid)).toBe(3);
    // An invalid event refuses the whole call before anything is sent: a marker sent after it
    // arrives (one subscriber connection hears in publish order), and no copy before it.
    const before = heard.length;
    await expect(pub.publishMany(sid, [...roomCopies(sid, chars), { type: 'combat.turn', version: -1, data: {} }])).rejects.toThrow(TypeError);
    const marker = await pub.publish(sid, { type: 'test.marker', data: {} });
    await eventually('the marker to arrive', () => heard.some((h) => h.id === marker.id));
    expect(heard.slice(before).map((h) => h.type)).toEqual(['test.marker']);
  });

  it('through the outbox: one insert for all copies, each delivered once before the call returns', async () => {
    const relay = new OutboxRelay({ db, redis, logger, pollMs: 50 });
    relay.start();
    try {
      const bus = new OutboxEventBus({ db, relay, direct: new EventPublisher(redis) });
      const sid = `pm-${randomUUID().slice(0, 8)}`;
      const chars = Array.from({ length: 6 }, (_, i) => `${sid}-c${i}`);
      const sent = await bus.publishMany(sid, roomCopies(sid, chars));
      expect(sent).toHaveLength(7);
      // One statement of one transaction wrote every row: they share the writing transaction id.
      const { rows } = await db.query<{ channel: string; xmin: string }>(`SELECT channel, xmin::text FROM event_outbox WHERE session_id = $1 ORDER BY id`, [sid]);
      expect(rows.map((r) => r.channel)).toEqual([...chars.map((c) => `character:${c}`), `gm:${sid}`]);
      expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
      // flush waited for the relay: every copy has been published, exactly once.
      const ids = new Set(sent.map((e) => e.id));
      await eventually('the subscriber to hear the copies', () => heard.filter((h) => ids.has(h.id)).length >= 7);
      expect(heard.filter((h) => ids.has(h.id)).map((h) => h.channel)).toEqual(rows.map((r) => r.channel));
    } finally {
      await relay.stop();
    }
  });
});
