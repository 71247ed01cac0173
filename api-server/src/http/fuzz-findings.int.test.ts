import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, startApi, uniqueId } from '../../test/harness.ts';

// One regression test per 5xx that `make fuzz` (scripts/fuzz-api.ts, schemathesis) found.

let api: RunningServer;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'fuzzfound'), redisUrl: inject('redisUrl') });
});
afterAll(async () => {
  await api?.stop();
});

describe('found by the fuzz', () => {
  it('POST /api/sessions with a world nobody has: 400 naming worldId, and no half-made session left', async () => {
    const id = uniqueId('nowhere');
    const res = await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id, name: '0', worldId: '0', capacity: 1 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'sessions.unknown_world', errors: [{ path: 'worldId' }] });
    expect((await http(api.url, 'GET', `/api/sessions/${id}`, { token: ADMIN_TOKEN })).status).toBe(404);
    // The id is still free for a session of a world that exists.
    expect((await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id } })).status).toBe(201);
  });

  it('a NUL character anywhere in a request: 400 naming where, before it reaches PostgreSQL (was a 500 on POST /api/registry/keys)', async () => {
    const characterId = uniqueId('nul');
    const spec = { displayName: 'Nul', class: 'ranger', level: 3, capabilities: ['social'] };
    const minted = await http(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId, spec, owner: { namespace: 'p', name: 'n', uid: 'Y\u0000' } } });
    expect(minted.status).toBe(400);
    expect(minted.body).toMatchObject({ code: 'request.invalid', errors: [{ path: 'owner.uid' }] });
    const query = await http(api.url, 'GET', '/api/registry/characters?sessionId=a%00b', { token: ADMIN_TOKEN });
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({ code: 'request.invalid', errors: [{ path: 'query.sessionId' }] });
    const inPath = await http(api.url, 'GET', '/api/registry/characters/a%00b', { token: ADMIN_TOKEN });
    expect(inPath.status).toBe(400);
    // Nothing was written: the same id mints cleanly.
    expect((await http(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId, spec } })).status).toBe(201);
  });
});
