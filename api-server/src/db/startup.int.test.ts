import { createDatabase } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

const started: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('start-up', () => {
  it('brings two instances up at the same moment on one empty database', async () => {
    const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'twins');
    const env = { databaseUrl, redisUrl: inject('redisUrl') };
    const results = await Promise.allSettled([startApi(env), startApi(env)]);
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'up'))).toEqual(['up', 'up']);

    for (const s of started) expect((await http(s.url, 'GET', '/readyz')).status).toBe(200);
    // Each migration ran exactly once.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM pgmigrations GROUP BY name');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.n === '1')).toBe(true);
    } finally {
      await client.end();
    }
    // And both serve the same data.
    const id = uniqueId('twin');
    await mintAndRegister(started[0]!.url, id);
    expect((await http(started[1]!.url, 'GET', `/api/registry/character/${id}`, { token: 'test-admin-token-0123456789' })).status).toBe(200);
  });
});
