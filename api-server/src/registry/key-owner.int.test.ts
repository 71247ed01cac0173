// Issue 11 item 6: a key belongs to the Character (Kubernetes UID) it was minted for. A mint of
// the same character id for another UID must not replace it while it is live.
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, keySpecFor, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

let api: RunningServer;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'keyowner'), redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '1000' });
});

afterAll(async () => {
  await api?.stop();
});

const mint = (characterId: string, uid: string | undefined) =>
  http<{ apiKey: string; code?: string }>(api.url, 'POST', '/api/registry/keys', {
    token: ADMIN_TOKEN,
    body: { characterId, spec: keySpecFor(registrationBody(characterId)), ...(uid ? { owner: { uid, namespace: `ns-${uid}`, name: 'thorin' } } : {}) },
  });
const register = (characterId: string, apiKey: string) => http(api.url, 'POST', '/api/registry/character', { apiKey, body: registrationBody(characterId) });

describe('API keys have an owner', () => {
  it('refuses to mint an id held by another Character UID, and the holder’s key keeps working', async () => {
    const id = uniqueId('owned');
    const victim = await mint(id, 'uid-victim');
    expect(victim.status).toBe(201);
    const attacker = await mint(id, 'uid-attacker');
    expect(attacker.status).toBe(409);
    expect(attacker.body.code).toBe('registry.character_id_taken');
    expect(attacker.body).not.toHaveProperty('apiKey');
    // Nor can a mint that names no owner replace an owned key.
    expect((await mint(id, undefined)).status).toBe(409);
    expect((await register(id, victim.body.apiKey)).status).toBe(200);
  });

  it('revokes with an owner only that owner’s key: another Character’s deletion leaves the holder registered', async () => {
    const id = uniqueId('revoke');
    const holder = await mint(id, 'uid-holder');
    expect((await register(id, holder.body.apiKey)).status).toBe(200);
    const foreign = await http<{ code: string }>(api.url, 'DELETE', `/api/registry/keys/${id}?ownerUid=uid-other`, { token: ADMIN_TOKEN });
    expect(foreign.status).toBe(409);
    expect(foreign.body.code).toBe('registry.character_id_taken');
    expect((await http(api.url, 'GET', `/api/registry/character/${id}`, { token: ADMIN_TOKEN })).body).toMatchObject({ status: 'registered' });
    expect((await http(api.url, 'DELETE', `/api/registry/keys/${id}?ownerUid=uid-holder`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect((await register(id, holder.body.apiKey)).status).toBe(401);
  });

  it('lets the same Character re-mint (replacing its own key), and another UID once the key is revoked', async () => {
    const id = uniqueId('remint');
    const first = await mint(id, 'uid-a');
    const again = await mint(id, 'uid-a');
    expect(again.status).toBe(201);
    expect((await register(id, first.body.apiKey)).status).toBe(401);
    expect((await http(api.url, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    // The Character was deleted (its finalizer revoked the key); a new one of that name gets the id.
    const successor = await mint(id, 'uid-b');
    expect(successor.status).toBe(201);
    expect((await register(id, successor.body.apiKey)).status).toBe(200);
  });
});
