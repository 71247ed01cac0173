import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, createSession, http, keySpecFor, mintAndRegister, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

// Item 12: a character whose heartbeats stop is expired (its seat freed, the session told); one
// that keeps beating stays. Item 9's bound on automatic sessions needs a server of its own too.

const servers: RunningServer[] = [];
const redisClients: Redis[] = [];
const redisUrl = inject('redisUrl');

afterAll(async () => {
  for (const r of redisClients) r.disconnect();
  await Promise.all(servers.map((s) => s.stop()));
});

describe('heartbeat expiry', () => {
  let base: string;
  beforeAll(async () => {
    const api = await startApi({
      databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'expiry'),
      redisUrl,
      RATE_LIMIT_POINTS: '1000', AUTH_FAILURES_PER_IP: '1000', AUTH_FAILURES_PER_ID: '1000',
      CHARACTER_HEARTBEAT_TIMEOUT_MS: '1500',
      CHARACTER_EXPIRY_SWEEP_MS: '200',
    });
    servers.push(api);
    base = api.url;
  });

  it('expires a silent character with a system.character_left, frees its seat and ends its credentials; a beating one stays', async () => {
    const sessionId = await createSession(base, uniqueId('vigil'), { capacity: 2 });
    const listener = new Redis(redisUrl);
    redisClients.push(listener);
    const left: Record<string, unknown>[] = [];
    listener.on('message', (_channel: string, message: string) => {
      const e = JSON.parse(message);
      if (e.type === 'system.character_left') left.push(e.data);
    });
    await listener.subscribe(`session:${sessionId}:system`);

    const silentId = uniqueId('silent');
    const beatingId = uniqueId('beating');
    const silent = await mintAndRegister(base, silentId, { sessionId });
    const beating = await mintAndRegister(base, beatingId, { sessionId });
    let beats = 0;
    const beater = setInterval(() => {
      void http(base, 'POST', `/api/registry/character/${beatingId}/heartbeat`, { token: beating.characterToken }).then((r) => {
        if (r.status === 200) beats++;
      });
    }, 250);
    try {
      // One departure, the game's: where the character was, and why it left.
      const gone = await eventually('the silent character expires', () => left.find((d) => d.characterId === silentId), 20_000);
      expect(gone).toMatchObject({ characterId: silentId, reason: 'heartbeat-expired', roomId: expect.any(String) });

      const record = await http(base, 'GET', `/api/registry/character/${silentId}`, { token: ADMIN_TOKEN });
      expect(record.body).toMatchObject({ status: 'deregistered' });
      const action = await http(base, 'POST', '/api/actions', { token: silent.characterToken, body: { type: 'exploration.look', characterId: silentId } });
      expect(action.status).toBe(401);
      expect(String(action.body.detail)).toContain('heartbeat-expired');
      const admin = new Redis(redisUrl);
      redisClients.push(admin);
      expect(await admin.call('ACL', 'GETUSER', `char:${silentId}`)).toBeNull();

      // The one that kept beating is still in, and the freed seat takes a newcomer.
      expect(beats).toBeGreaterThan(0);
      expect(left.map((d) => d.characterId)).not.toContain(beatingId);
      expect((await http(base, 'GET', `/api/registry/character/${beatingId}`, { token: ADMIN_TOKEN })).body).toMatchObject({ status: 'registered', sessionId });
      const newcomer = await mintAndRegister(base, uniqueId('newcomer'), { sessionId });
      expect(newcomer.sessionId).toBe(sessionId);
      const session = await http<{ members: string[] }>(base, 'GET', `/api/sessions/${sessionId}`, { token: ADMIN_TOKEN });
      expect(session.body.members).not.toContain(silentId);
      expect(session.body.members).toContain(beatingId);

      // It may come back: a registration with its key starts over.
      const back = await http<{ sessionId: string }>(base, 'POST', '/api/registry/character', { apiKey: silent.apiKey, body: registrationBody(silentId) });
      expect(back.status).toBe(200);
    } finally {
      clearInterval(beater);
    }
  });
});

describe('sessions the registry opens by itself are bounded (SESSIONS_AUTO_CREATE_MAX)', () => {
  it('opens one when all are full, then refuses with sessions.no_room', async () => {
    const api = await startApi({
      databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'autosessions'),
      redisUrl,
      RATE_LIMIT_POINTS: '1000', AUTH_FAILURES_PER_IP: '1000', AUTH_FAILURES_PER_ID: '1000',
      SESSION_CAPACITY: '1',
      SESSIONS_AUTO_CREATE_MAX: '1',
    });
    servers.push(api);
    const first = await mintAndRegister(api.url, uniqueId('first'));
    expect(first.sessionId).toMatch(/^s-/);
    const id = uniqueId('second');
    const key = await mintKey(api.url, id, keySpecFor(registrationBody(id)));
    const refused = await http(api.url, 'POST', '/api/registry/character', { apiKey: key, body: registrationBody(id) });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('sessions.no_room');
    expect(String(refused.body.detail)).toContain('SESSIONS_AUTO_CREATE_MAX');
    const sessions = await http<{ items: unknown[] }>(api.url, 'GET', '/api/sessions', { token: ADMIN_TOKEN });
    expect(sessions.body.items).toHaveLength(1);
  });
});
