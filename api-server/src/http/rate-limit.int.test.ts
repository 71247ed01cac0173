import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { http, mintAndRegister, startApi, uniqueId } from '../test-support/harness.ts';

const LIMIT = 6;
let one: RunningServer;
let two: RunningServer;

beforeAll(async () => {
  const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'ratelimit');
  const env = { databaseUrl, redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60' };
  one = await startApi(env);
  two = await startApi({ ...env, MIGRATE_ON_START: 'false' });
});

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('per-character rate limit', () => {
  it('is one budget across two instances sharing Redis: the request over it gets 429 with Retry-After', async () => {
    const id = uniqueId('spam');
    // Registration spends one unit too.
    const reg = await mintAndRegister(one.url, id);
    const action = { type: 'exploration.look', characterId: id };
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT - 1; i++) {
      const server = i % 2 === 0 ? two : one;
      statuses.push((await http(server.url, 'POST', '/api/actions', { token: reg.characterToken, body: action })).status);
    }
    expect(statuses).toEqual(Array(LIMIT - 1).fill(200));
    const over = await http(two.url, 'POST', '/api/actions', { token: reg.characterToken, body: action });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await http(one.url, 'POST', '/api/actions', { token: reg.characterToken, body: action })).status).toBe(429);

    // Another character still has its own budget.
    const other = uniqueId('calm');
    const otherReg = await mintAndRegister(two.url, other);
    expect((await http(one.url, 'POST', '/api/actions', { token: otherReg.characterToken, body: { ...action, characterId: other } })).status).toBe(200);
    const metrics = await (await fetch(two.url + '/metrics')).text();
    expect(metrics).toMatch(/dungeon_rate_limited_requests_total [1-9]/);
  });
});
