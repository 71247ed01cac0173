import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueId } from '../../test/harness.ts';
import { EventPublisher, versionKey } from './publisher.ts';

// The envelope publisher on a real Redis: engine events keep the engine's version; private and
// platform events carry none; the session's high-water mark only ever rises.

describe('EventPublisher', () => {
  let redis: Redis;
  let sub: Redis;
  const received: { channel: string; envelope: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    sub = new Redis(inject('redisUrl'));
    sub.on('pmessage', (_p: string, channel: string, message: string) => received.push({ channel, envelope: JSON.parse(message) as Record<string, unknown> }));
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), sub.quit()]);
  });

  it('publishes engine events with the engine’s version, others without one', async () => {
    const sid = uniqueId('pub');
    await sub.psubscribe(`session:${sid}:*`, `character:${sid}-*`);
    const published: string[] = [];
    const pub = new EventPublisher(redis, (topic) => published.push(topic));

    const moved = await pub.publish(sid, { type: 'exploration.moved', version: 7, data: { characterId: 'a' } });
    expect(moved).toMatchObject({ type: 'exploration.moved', sessionId: sid, version: 7 });
    expect(await pub.currentVersion(sid)).toBe(7);
    // A late, older event keeps its own number and does not lower the mark.
    expect((await pub.publish(sid, { type: 'combat.turn', version: 5, data: {} })).version).toBe(5);
    expect(await pub.currentVersion(sid)).toBe(7);
    // A platform notice and a private event: no version, the mark untouched.
    const notice = await pub.publish(sid, { type: 'system.character_joined', data: { characterId: 'a' } });
    expect(notice).not.toHaveProperty('version');
    const prompt = await pub.publish(sid, { type: 'combat.your_turn', characterId: `${sid}-a`, version: 9, data: { version: 9 } });
    expect(prompt).not.toHaveProperty('version');
    expect(await pub.currentVersion(sid)).toBe(7);
    await expect(pub.publish(sid, { type: 'combat.turn', version: -1, data: {} })).rejects.toThrow(TypeError);

    await expect.poll(() => received.length).toBe(4);
    expect(received.map((r) => [r.channel, r.envelope.type, r.envelope.version])).toEqual([
      [`session:${sid}:exploration`, 'exploration.moved', 7],
      [`session:${sid}:combat`, 'combat.turn', 5],
      [`session:${sid}:system`, 'system.character_joined', undefined],
      [`character:${sid}-a`, 'combat.your_turn', undefined],
    ]);
    expect(received[0]!.envelope).toMatchObject({ id: moved.id, timestamp: moved.timestamp, data: { characterId: 'a' } });
    expect(published).toEqual(['exploration', 'combat', 'system', 'character']);
    expect(await redis.get(versionKey(sid))).toBe('7');
  });

  it('sends the script by its SHA, and still publishes when Redis has forgotten it (NOSCRIPT falls back to EVAL)', async () => {
    const sid = uniqueId('sha');
    await sub.psubscribe(`session:${sid}:*`);
    const pub = new EventPublisher(redis, () => undefined);
    await pub.publish(sid, { type: 'exploration.moved', version: 1, data: {} });
    const monitor = await redis.monitor();
    const commands: string[] = [];
    // Only this session's commands: other suites share the Redis.
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(versionKey(sid))) commands.push(String(args[0]).toLowerCase());
    });
    await pub.publish(sid, { type: 'exploration.moved', version: 2, data: {} });
    await redis.script('FLUSH');
    await pub.publishMany(sid, [{ type: 'exploration.moved', version: 3, data: {} }]);
    await expect.poll(() => received.filter((r) => r.envelope.sessionId === sid).map((r) => r.envelope.version)).toEqual([1, 2, 3]);
    monitor.disconnect();
    expect(commands).toContain('evalsha');
    expect(commands.filter((c) => c === 'eval')).toHaveLength(1);
    expect(await pub.currentVersion(sid)).toBe(3);
  });
});
