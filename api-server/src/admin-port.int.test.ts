// Issue 11 item 8: with ADMIN_PORT the admin API answers there only; the public port (the one
// character pods reach) refuses the admin token and game-master sign-in, and serves characters.
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { ADMIN_TOKEN, http, keySpecFor, registrationBody, startApi, uniqueId } from '../test/harness.ts';

let api: RunningServer;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'adminport'), redisUrl: inject('redisUrl'), ADMIN_PORT: '0', RATE_LIMIT_POINTS: '1000' });
});

afterAll(async () => {
  await api?.stop();
});

describe('the admin port', () => {
  it('serves the admin API; the public port refuses the admin token with a problem naming the admin port', async () => {
    expect(api.adminUrl).toBeDefined();
    expect(api.adminUrl).not.toBe(api.url);
    const id = uniqueId('port');
    const body = { characterId: id, spec: keySpecFor(registrationBody(id)) };
    const refused = await http<{ code: string; detail: string }>(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.admin_port_only');
    expect(refused.body.detail).toContain('port');
    expect((await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: uniqueId('s') } })).status).toBe(403);
    expect((await http(api.url, 'POST', '/api/humans/game-master', { body: { token: ADMIN_TOKEN } })).status).toBe(403);

    const minted = await http<{ apiKey: string }>(api.adminUrl!, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body });
    expect(minted.status).toBe(201);
    // Characters still register (and everything else they do) on the public port.
    const registered = await http(api.url, 'POST', '/api/registry/character', { apiKey: minted.body.apiKey, body: registrationBody(id) });
    expect(registered.status).toBe(200);
    expect((await http(api.url, 'GET', '/healthz')).status).toBe(200);
  });
});
