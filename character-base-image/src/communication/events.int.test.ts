import { randomBytes } from 'node:crypto';
import { eventually } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { GameEvent } from '../types.ts';
import { RedisEventSource } from './events.ts';

// The platform delivers at least once (its outbox relay may publish a batch again); the SDK's
// event source hands each envelope id to the character once.

const publisher = new Redis(inject('redisUrl'));
afterAll(async () => {
  await publisher.quit();
});

describe('RedisEventSource', () => {
  it('hands an event published twice (same envelope id) to the character once', async () => {
    const channel = `character:dedupe-${randomBytes(4).toString('hex')}`;
    const got: GameEvent[] = [];
    const source = new RedisEventSource({ url: inject('redisUrl'), username: 'default', password: '', channels: [channel], onEvent: (e) => got.push(e) });
    await source.start();
    try {
      const envelope = (id: string, n: number) => JSON.stringify({ id, type: 'combat.your_turn', sessionId: 's', timestamp: new Date().toISOString(), data: { n } });
      await publisher.publish(channel, envelope('e-1', 1));
      await publisher.publish(channel, envelope('e-1', 1));
      await publisher.publish(channel, envelope('e-2', 2));
      await publisher.publish(channel, envelope('e-1', 1));
      await eventually('the second event', () => got.some((e) => e.id === 'e-2'));
      // Published after the repeats: once it is heard, the repeats would have been too.
      await publisher.publish(channel, envelope('e-3', 3));
      await eventually('the third event', () => got.some((e) => e.id === 'e-3'));
      expect(got.map((e) => e.id)).toEqual(['e-1', 'e-2', 'e-3']);
    } finally {
      await source.stop();
    }
  });
});
