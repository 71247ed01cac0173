// Abilities through the API with real PostgreSQL and Redis: the registry refuses a registration
// (and a key) whose abilities break the class and level rules, naming the ability; a valid choice
// reaches the Dungeon Master, which refuses a spell the character did not pick.
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, keySpecFor, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

let api: RunningServer;

beforeAll(async () => {
  const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'abilities');
  api = await startApi({ databaseUrl, redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '1000' });
});

afterAll(async () => {
  await api?.stop();
});

const register = (apiKey: string, body: Record<string, unknown>) => http<{ code?: string; detail?: string; errors?: { path: string; message: string }[]; characterToken?: string; gameState?: Record<string, unknown> }>(api.url, 'POST', '/api/registry/character', { apiKey, body });

describe('abilities at registration', () => {
  it('refuses abilities that break the rules with 400 naming the ability', async () => {
    const id = uniqueId('thorin');
    const body = registrationBody(id);
    const apiKey = await mintKey(api.url, id, keySpecFor(body));
    const res = await register(apiKey, { ...body, abilities: ['lock-picking', 'magic-missile'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.invalid');
    expect(res.body.errors).toEqual([
      { path: 'abilities.0', message: 'ability "lock-picking" is not for a fighter (rogue from level 1)' },
      { path: 'abilities.1', message: 'spell "magic-missile" is not for a fighter (wizard from level 1)' },
    ]);
    expect(res.body.detail).toContain('magic-missile');
  });

  it('refuses a key minted with abilities that break the rules', async () => {
    const id = uniqueId('elara');
    const spec = { ...keySpecFor(registrationBody(id, { class: 'wizard', level: 1 })), abilities: ['fire-bolt', 'magic-missile'] };
    const res = await http<{ code: string; errors: unknown[] }>(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: id, spec } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'spec.abilities', message: 'a level 1 wizard picks at most 1 spell, not 2' }]);
  });

  it("refuses a registration that picks other abilities than the Character's", async () => {
    const id = uniqueId('elara');
    const body = registrationBody(id, { name: 'Elara', class: 'wizard' });
    const apiKey = await mintKey(api.url, id, { ...keySpecFor(body), abilities: ['fire-bolt'] } as ReturnType<typeof keySpecFor>);
    const res = await register(apiKey, { ...body, abilities: ['magic-missile'] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('registry.spec_mismatch');
    expect(res.body.detail).toBe("abilities: must be the Character's abilities [fire-bolt]");
  });

  it('a valid choice reaches the game: the character knows only what it picked, and the Dungeon Master refuses the rest', async () => {
    const id = uniqueId('elara');
    const body = { ...registrationBody(id, { name: 'Elara', class: 'wizard' }), abilities: ['fire-bolt'] };
    const apiKey = await mintKey(api.url, id, { ...keySpecFor(body), abilities: ['fire-bolt'] } as ReturnType<typeof keySpecFor>);
    const reg = await register(apiKey, body);
    expect(reg.status).toBe(200);
    expect(JSON.stringify(reg.body.gameState)).toContain('"spells":["fire-bolt"]');

    const cast = await http<{ accepted: boolean; reason?: string; message?: string }>(api.url, 'POST', '/api/actions', {
      token: reg.body.characterToken!,
      body: { type: 'combat.cast', characterId: id, spell: 'magic-missile' },
    });
    expect(cast.body).toMatchObject({ accepted: false, reason: 'unknown_spell: Elara did not pick the spell "magic-missile" (picked: fire-bolt)' });
  });
});
