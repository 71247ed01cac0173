import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, keySpecFor, mintAndRegister, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

// Issue 11, item 10: character names and said text used to be stored and broadcast unchecked.

let api: RunningServer;
let sub: Redis;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'personal'), redisUrl: inject('redisUrl') });
  sub = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  sub?.disconnect();
  await api?.stop();
});

describe('personal data in names and said text', () => {
  it('refuses a registration whose name is personal data, naming the field, and stores nothing', async () => {
    const id = uniqueId('kid');
    const body = registrationBody(id, { name: 'Pip, 11 years old' });
    // The key is minted for a clean display name; the registration then claims another.
    const apiKey = await mintKey(api.url, id, keySpecFor(registrationBody(id)));
    const res = await http(api.url, 'POST', '/api/registry/character', { apiKey, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'request.personal_data', errors: [{ path: 'name', message: expect.stringContaining('COPPA rule age') }] });
    expect((await http(api.url, 'GET', `/api/registry/characters/${id}`, { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it('refuses to mint a key for a display name or character id that is personal data', async () => {
    const spec = { ...keySpecFor(registrationBody('x')), displayName: 'write to pip@example.com' };
    const named = await http(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: uniqueId('mint'), spec } });
    expect(named.status).toBe(400);
    expect(named.body).toMatchObject({ code: 'request.personal_data', errors: [{ path: 'spec.displayName' }] });
    const phone = await http(api.url, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: '555-123-4567', spec: keySpecFor(registrationBody('x')) } });
    expect(phone.status).toBe(400);
    expect(phone.body).toMatchObject({ code: 'request.personal_data', errors: [{ path: 'characterId' }] });
  });

  it('refuses social.say text that is personal data before the room hears it', async () => {
    const id = uniqueId('talker');
    const reg = await mintAndRegister(api.url, id);
    const heard: string[] = [];
    await sub.subscribe(`session:${reg.sessionId}:social`);
    sub.on('message', (_channel: string, message: string) => heard.push(message));

    const bad = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'social.say', characterId: id, message: 'call me on 555-123-4567' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'request.personal_data', errors: [{ path: 'message', message: expect.stringContaining('phone_number') }] });
    const topic = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'social.talk', characterId: id, npc: 'innkeeper', topic: 'kid@example.com' } });
    expect(topic.status).toBe(400);
    expect(topic.body).toMatchObject({ errors: [{ path: 'topic' }] });

    const good = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'social.say', characterId: id, message: 'For the crypt!' } });
    expect(good.status).toBe(200);
    await eventually('the allowed line to reach the room', () => heard.length > 0, 10_000);
    // The first thing the room heard is the allowed line: the refused ones never reached it.
    expect(JSON.parse(heard[0]!)).toMatchObject({ type: 'social.say', data: { message: 'For the crypt!' } });
    expect(heard.join('\n')).not.toContain('555-123-4567');
    expect(heard.join('\n')).not.toContain('kid@example.com');
  });
});
