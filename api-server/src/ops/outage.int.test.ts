import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

// Own servers: this suite stops and restarts them.
let postgres: PostgresServer;
let redis: RedisServer;
let api: RunningServer;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  api = await startApi({ databaseUrl: await postgres.createDatabase(), redisUrl: redis.url, RATE_LIMIT_POINTS: '1000' });
});

afterAll(async () => {
  await api?.stop();
  await Promise.all([postgres?.destroy(), redis?.destroy()]);
});

async function readyStatus(): Promise<number> {
  return (await http(api.url, 'GET', '/readyz')).status;
}

describe('a backing service goes away and comes back', () => {
  it('PostgreSQL: /readyz fails, requests get 503, then both recover without a restart', async () => {
    const id = uniqueId('pg');
    const reg = await mintAndRegister(api.url, id);
    await postgres.stop();
    expect(await readyStatus()).toBe(503);
    const listing = await http(api.url, 'GET', '/api/sessions', { token: ADMIN_TOKEN });
    expect(listing.status).toBe(503);
    expect(listing.body.code).toBe('service_unavailable');
    expect(listing.headers.get('content-type')).toContain('application/problem+json');
    const act = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } });
    expect(act.status).toBe(503);

    await postgres.start();
    await expect.poll(readyStatus, { timeout: 20_000, interval: 200 }).toBe(200);
    expect((await http(api.url, 'GET', '/api/sessions', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } })).status).toBe(200);
  });

  it('Redis: /readyz fails, requests get 503, then both recover — bus users included', async () => {
    const id = uniqueId('rd');
    const reg = await mintAndRegister(api.url, id);
    await redis.stop();
    expect(await readyStatus()).toBe(503);
    const act = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } });
    expect(act.status).toBe(503);
    expect(act.body.code).toBe('service_unavailable');
    const other = uniqueId('late');
    const minted = await http<{ apiKey: string }>(api.url, 'POST', '/api/registry/keys', {
      token: ADMIN_TOKEN,
      body: { characterId: other, spec: { displayName: 'Late', class: 'bard', level: 1, capabilities: ['social'] } },
    });
    expect(minted.status).toBe(201); // PostgreSQL only
    const reg2 = await http(api.url, 'POST', '/api/registry/character', {
      apiKey: minted.body.apiKey,
      body: { characterId: other, name: 'Late', class: 'bard', level: 1, containerEndpoint: 'http://late:3000', capabilities: ['social'], version: '1.0.0' },
    });
    expect(reg2.status).toBe(503);

    await redis.start();
    await expect.poll(readyStatus, { timeout: 20_000, interval: 200 }).toBe(200);
    await expect
      .poll(async () => (await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } })).status, { timeout: 10_000 })
      .toBe(200);
    // Redis forgot its ACL users; the server re-applied them from the stored hashes.
    const { Redis } = await import('ioredis');
    const bus = new Redis({ host: redis.host, port: redis.port, username: reg.eventBus.username, password: reg.eventBus.password, enableReadyCheck: false, lazyConnect: true, retryStrategy: () => null });
    bus.on('error', () => undefined);
    try {
      await expect.poll(async () => bus.connect().then(() => 'ok', (e: Error) => e.message), { timeout: 10_000 }).toBe('ok');
      expect(await bus.subscribe(...reg.eventChannels)).toBe(5);
    } finally {
      bus.disconnect();
    }
  });
});
