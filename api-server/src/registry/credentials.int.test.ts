import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, createSession, http, keySpecFor, mintAndRegister, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

// Issue 11 items 2, 3 and 9, from outside: a real api-server, real PostgreSQL and Redis, real
// WebSockets. A token must stop working the moment what it was issued for is gone.

let api: RunningServer;
let base: string;
const sockets: WebSocket[] = [];
const redisClients: Redis[] = [];

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'credentials'), redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '1000', AUTH_FAILURES_PER_IP: '1000', AUTH_FAILURES_PER_ID: '1000' });
  base = api.url;
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  for (const r of redisClients) r.disconnect();
  await api?.stop();
});

const act = (token: string, characterId: string) => http(base, 'POST', '/api/actions', { token, body: { type: 'exploration.look', characterId } });
const readState = (token: string, sessionId: string) => http(base, 'GET', `/api/sessions/${sessionId}/state`, { token });

/** A WebSocket that has received gateway.ready, with every message it gets after and its close code. */
async function openSocket(token: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, ['bearer', token]);
  sockets.push(ws);
  const messages: { type: string; data?: Record<string, unknown> }[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      messages.push(m);
      if (m.type === 'gateway.ready') resolve();
    });
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

describe('revoking a key (item 2)', () => {
  it('refuses the key, token refresh, actions and reads with every token issued under it, and frees the seat', async () => {
    const id = uniqueId('revoked');
    const reg = await mintAndRegister(base, id);
    const refreshed = await http<{ characterToken: string }>(base, 'POST', '/api/registry/token', { token: reg.characterToken });
    expect(refreshed.status).toBe(200);
    expect((await act(refreshed.body.characterToken, id)).status).toBe(200);

    expect((await http(base, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);

    for (const token of [reg.characterToken, refreshed.body.characterToken]) {
      const refresh = await http(base, 'POST', '/api/registry/token', { token });
      expect(refresh.status).toBe(401);
      expect(refresh.body.code).toBe('registry.key_revoked');
      const action = await act(token, id);
      expect(action.status).toBe(401);
      expect(action.body.code).toBe('registry.key_revoked');
      expect((await readState(token, reg.sessionId)).status).toBe(401);
      expect((await http(base, 'POST', `/api/registry/character/${id}/heartbeat`, { token })).status).toBe(401);
    }
    const again = await http(base, 'POST', '/api/registry/character', { apiKey: reg.apiKey, body: registrationBody(id) });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('registry.key_revoked');

    const record = await http(base, 'GET', `/api/registry/character/${id}`, { token: ADMIN_TOKEN });
    expect(record.body).toMatchObject({ status: 'deregistered' });
    const session = await http<{ members: string[] }>(base, 'GET', `/api/sessions/${reg.sessionId}`, { token: ADMIN_TOKEN });
    expect(session.body.members).not.toContain(id);
  });

  it('closes the open WebSocket of a revoked character', async () => {
    const id = uniqueId('revws');
    const reg = await mintAndRegister(base, id);
    const socket = await openSocket(reg.characterToken);
    expect((await http(base, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect(await socket.closed).toBe(4003);
  });
});

describe('tokens end with their grounds (item 3)', () => {
  it('a deregistered character can no longer read its old session’s state', async () => {
    const id = uniqueId('gone');
    const reg = await mintAndRegister(base, id);
    expect((await readState(reg.characterToken, reg.sessionId)).status).toBe(200);
    expect((await http(base, 'DELETE', `/api/registry/character/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const after = await readState(reg.characterToken, reg.sessionId);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('auth.not_registered');
  });

  it('a character moved to another session can no longer read the old one with its old token; its new token reads only the new one', async () => {
    const id = uniqueId('mover');
    const first = await createSession(base, uniqueId('first'));
    const second = await createSession(base, uniqueId('second'));
    const body = registrationBody(id, { sessionId: first });
    const key = await mintKey(base, id, keySpecFor(body));
    const inFirst = await http<{ characterToken: string; sessionId: string }>(base, 'POST', '/api/registry/character', { apiKey: key, body });
    expect(inFirst.body.sessionId).toBe(first);
    const socket = await openSocket(inFirst.body.characterToken);

    const inSecond = await http<{ characterToken: string; sessionId: string }>(base, 'POST', '/api/registry/character', { apiKey: key, body: { ...body, sessionId: second } });
    expect(inSecond.status).toBe(200);
    expect(inSecond.body.sessionId).toBe(second);

    const old = await readState(inFirst.body.characterToken, first);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('auth.token_superseded');
    expect((await act(inFirst.body.characterToken, id)).status).toBe(401);
    expect((await readState(inSecond.body.characterToken, second)).status).toBe(200);
    expect((await readState(inSecond.body.characterToken, first)).status).toBe(403);
    // The socket subscribed to the first session's channels is closed.
    expect(await socket.closed).toBe(4003);
  });

  it('an open WebSocket is closed at deregistration and receives none of the session’s later events', async () => {
    const id = uniqueId('wsgone');
    const reg = await mintAndRegister(base, id);
    const watcher = await mintAndRegister(base, uniqueId('watcher'), { sessionId: reg.sessionId });
    const socket = await openSocket(reg.characterToken);
    const watching = await openSocket(watcher.characterToken);

    expect((await http(base, 'DELETE', `/api/registry/character/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect(await socket.closed).toBe(4003);
    const seenBefore = socket.messages.length;
    const watcherId = watcher.eventBus.username.slice('char:'.length);
    expect((await http(base, 'POST', '/api/actions', { token: watcher.characterToken, body: { type: 'social.say', characterId: watcherId, message: 'after you left' } })).status).toBe(200);
    // The session's event reached the member still in it, and nothing more reached the closed socket.
    await eventually('the watcher hears the message', () => watching.messages.some((m) => m.type === 'social.say'), 10_000);
    expect(socket.messages).toHaveLength(seenBefore);
    expect(socket.ws.readyState).toBe(WebSocket.CLOSED);

    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, ['bearer', reg.characterToken]);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
  });
});

describe('registration matches the spec recorded with the key (item 9)', () => {
  it('refuses another name, class, level or capabilities than the Character’s, naming each field', async () => {
    const id = uniqueId('liar');
    const key = await mintKey(base, id, keySpecFor(registrationBody(id, { capabilities: ['exploration'] })));
    const res = await http<{ code: string; errors: { path: string }[] }>(base, 'POST', '/api/registry/character', {
      apiKey: key,
      body: registrationBody(id, { name: 'Someone Grander', class: 'wizard', level: 20, capabilities: ['combat', 'exploration', 'social'] }),
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('registry.spec_mismatch');
    expect(res.body.errors.map((e) => e.path)).toEqual(['name', 'class', 'level', 'capabilities']);
    expect((await http(base, 'GET', `/api/registry/character/${id}`, { token: ADMIN_TOKEN })).status).toBe(404);
    // The honest registration goes through.
    expect((await http(base, 'POST', '/api/registry/character', { apiKey: key, body: registrationBody(id, { capabilities: ['exploration'] }) })).status).toBe(200);
  });

  it('refuses to mint a key without the spec, naming it', async () => {
    const res = await http<{ errors: { path: string }[] }>(base, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: uniqueId('nospec') } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toContain('spec');
  });

  it('does not create a session the character names: only the game master does', async () => {
    const id = uniqueId('conjurer');
    const wanted = uniqueId('my-own-world');
    const body = registrationBody(id, { sessionId: wanted });
    const key = await mintKey(base, id, keySpecFor(body));
    const res = await http(base, 'POST', '/api/registry/character', { apiKey: key, body });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('sessions.not_found');
    expect(String(res.body.detail)).toContain('only the game master creates sessions');
    expect((await http(base, 'GET', `/api/sessions/${wanted}`, { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it('holds a character with a spec.session to it, and follows a spec the operator updated', async () => {
    const id = uniqueId('bound');
    const crypt = await createSession(base, uniqueId('crypt'));
    const elsewhere = await createSession(base, uniqueId('elsewhere'));
    const body = registrationBody(id);
    const key = await mintKey(base, id, keySpecFor(body, crypt));
    const wrong = await http<{ errors: { path: string }[] }>(base, 'POST', '/api/registry/character', { apiKey: key, body: { ...body, sessionId: elsewhere } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors.map((e) => e.path)).toEqual(['sessionId']);
    const joined = await http<{ sessionId: string }>(base, 'POST', '/api/registry/character', { apiKey: key, body });
    expect(joined.body.sessionId).toBe(crypt);

    // A level up: the operator records the new spec; the old level is refused, the new one registers.
    const levelled = { ...keySpecFor(body, crypt), level: 6 };
    expect((await http(base, 'PUT', `/api/registry/keys/${id}/spec`, { token: ADMIN_TOKEN, body: { spec: levelled } })).status).toBe(204);
    expect((await http(base, 'POST', '/api/registry/character', { apiKey: key, body })).status).toBe(403);
    expect((await http(base, 'POST', '/api/registry/character', { apiKey: key, body: { ...body, level: 6 } })).status).toBe(200);
    expect((await http(base, 'PUT', `/api/registry/keys/${uniqueId('nobody')}/spec`, { token: ADMIN_TOKEN, body: { spec: levelled } })).status).toBe(404);
  });
});
