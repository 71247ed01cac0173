import { createDatabase } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, createSession, http, keySpecFor, mintAndRegister, mintKey, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

let api: RunningServer;
let base: string;
const redisUrl = inject('redisUrl');
const opened: Redis[] = [];

beforeAll(async () => {
  const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'registry');
  api = await startApi({ databaseUrl, redisUrl, RATE_LIMIT_POINTS: '1000' });
  base = api.url;
});

afterAll(async () => {
  for (const r of opened) r.disconnect();
  await api?.stop();
});

function busClient(bus: { url: string; username: string; password: string }): Redis {
  const u = new URL(bus.url);
  const r = new Redis({ host: u.hostname, port: Number(u.port), username: bus.username, password: bus.password, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  r.on('error', () => undefined);
  opened.push(r);
  return r;
}

describe('API keys and registration', () => {
  it('refuses key minting without the admin token', async () => {
    expect((await http(base, 'POST', '/api/registry/keys', { body: { characterId: 'x' } })).status).toBe(401);
    expect((await http(base, 'POST', '/api/registry/keys', { token: 'wrong-token-wrong-token', body: { characterId: 'x' } })).body.code).toBe('auth.invalid_admin_token');
  });

  it('refuses registration with no key, an unknown key, a revoked key or another character’s key', async () => {
    const a = uniqueId('ann');
    const b = uniqueId('bob');
    const keyA = await mintKey(base, a, keySpecFor(registrationBody(a)));
    const keyB = await mintKey(base, b, keySpecFor(registrationBody(b)));

    const none = await http(base, 'POST', '/api/registry/character', { body: registrationBody(a) });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body.code).toBe('auth.missing_credentials');

    const unknown = await http(base, 'POST', '/api/registry/character', { apiKey: 'ddk_' + 'x'.repeat(43), body: registrationBody(a) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('registry.key_invalid');

    const other = await http(base, 'POST', '/api/registry/character', { apiKey: keyB, body: registrationBody(a) });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('registry.key_mismatch');

    expect((await http(base, 'DELETE', `/api/registry/keys/${b}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const revoked = await http(base, 'POST', '/api/registry/character', { apiKey: keyB, body: registrationBody(b) });
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('registry.key_revoked');

    // Bearer works as well as X-API-Key.
    const ok = await http(base, 'POST', '/api/registry/character', { token: keyA, body: registrationBody(a) });
    expect(ok.status).toBe(200);
  });

  it('registers with its own key and answers with the seed’s fields and bus credentials', async () => {
    const id = uniqueId('thorin');
    const reg = await mintAndRegister(base, id);
    expect(reg.sessionId).toMatch(/^[a-z0-9-]+$/);
    expect(reg.characterToken.split('.')).toHaveLength(3);
    expect(reg).toMatchObject({ gameState: expect.any(Object), websocketUrl: '/ws' });
    expect(reg.eventChannels).toEqual([
      `session:${reg.sessionId}:combat`,
      `session:${reg.sessionId}:exploration`,
      `session:${reg.sessionId}:social`,
      `session:${reg.sessionId}:system`,
      `character:${id}`,
    ]);
    expect(reg.eventBus.username).toBe(`char:${id}`);
    expect(reg.eventBus.url).not.toContain('@');

    const got = await http(base, 'GET', `/api/registry/character/${id}`, { token: ADMIN_TOKEN });
    expect(got.body).toMatchObject({ characterId: id, status: 'registered', sessionId: reg.sessionId });
    const listed = await http<{ items: { characterId: string }[] }>(base, 'GET', `/api/registry/characters?sessionId=${reg.sessionId}`, { token: ADMIN_TOKEN });
    expect(listed.body.items.map((c) => c.characterId)).toContain(id);
  });

  it('answers only once its own system.character_joined was published, behind another session’s relay backlog', async () => {
    const db = api.context.db;
    const other = uniqueId('backlog');
    // Another session's events, pending in the outbox ahead of the registration's own.
    const backlog = await db.query<{ id: string }>(
      `INSERT INTO event_outbox (event_id, session_id, channel, envelope)
       SELECT gen_random_uuid(), $1, 'session:' || $1 || ':system', jsonb_build_object('type', 'test.backlog', 'n', n) FROM generate_series(1, 2000) n
       RETURNING id`,
      [other],
    );
    const id = uniqueId('after-backlog');
    const reg = await mintAndRegister(base, id);
    // Read the moment the answer came: the arrival's row is published already.
    const { rows } = await db.query<{ id: string; published: boolean }>(
      `SELECT id, published_at IS NOT NULL AS published FROM event_outbox
        WHERE session_id = $1 AND envelope->>'type' = 'system.character_joined' AND envelope->'data'->>'characterId' = $2`,
      [reg.sessionId, id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.published).toBe(true);
    expect(Number(rows[0]!.id)).toBeGreaterThan(Math.max(...backlog.rows.map((r) => Number(r.id))));
  });

  it('answers 400 naming the field for a bad registration body', async () => {
    const id = uniqueId('bad');
    const key = await mintKey(base, id, keySpecFor(registrationBody(id)));
    const res = await http<{ errors: { path: string }[]; code: string }>(base, 'POST', '/api/registry/character', {
      apiKey: key,
      body: registrationBody(id, { level: 21, class: 'necromancer' }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.invalid');
    expect(res.body.errors.map((e) => e.path).sort()).toEqual(['class', 'level']);
    const malformed = await http(base, 'POST', '/api/registry/character', { apiKey: key, raw: '{"characterId":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('request.malformed_json');
  });

  it('assigns the requested session, fills sessions to capacity, then opens a new one', async () => {
    const sid = uniqueId('party');
    const created = await http(base, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sid, capacity: 2 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: sid, capacity: 2, worldId: 'crypt-of-dawn', members: [] });
    const r1 = await mintAndRegister(base, uniqueId('p1'), { sessionId: sid });
    const r2 = await mintAndRegister(base, uniqueId('p2'), { sessionId: sid });
    const r3 = await mintAndRegister(base, uniqueId('p3'), { sessionId: sid });
    expect([r1.sessionId, r2.sessionId]).toEqual([sid, sid]);
    expect(r3.sessionId).not.toBe(sid);
    const session = await http<{ members: string[] }>(base, 'GET', `/api/sessions/${sid}`, { token: ADMIN_TOKEN });
    expect(session.body.members).toHaveLength(2);
  });
});

describe('character tokens', () => {
  it('work on /api/actions and fail when expired, wrongly signed, alg none or for another audience', async () => {
    const id = uniqueId('tok');
    const reg = await mintAndRegister(base, id);
    const action = { type: 'exploration.look', characterId: id };
    const ok = await http(base, 'POST', '/api/actions', { token: reg.characterToken, body: action });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true, status: 'accepted', actionId: expect.any(String) });

    const { kid } = jwt.decode(reg.characterToken, { complete: true })!.header;
    const claims = { sub: id, sid: reg.sessionId, gen: (jwt.decode(reg.characterToken) as { gen: number }).gen };
    const good = { keyid: kid!, issuer: 'distributed-dungeon', audience: 'dungeon-characters' };
    const secret = 'a'.repeat(40); // harness key k1
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, secret, good);
    const wrongSig = jwt.sign(claims, 'z'.repeat(40), { ...good, expiresIn: 60 });
    const none = jwt.sign(claims, '', { ...good, algorithm: 'none', expiresIn: 60 });
    const wrongAud = jwt.sign(claims, secret, { ...good, audience: 'someone-else', expiresIn: 60 });
    const control = jwt.sign(claims, secret, { ...good, expiresIn: 60 });
    expect((await http(base, 'POST', '/api/actions', { token: control, body: action })).status).toBe(200);
    for (const [name, token, code] of [
      ['expired', expired, 'auth.token_expired'],
      ['wrong signature', wrongSig, 'auth.invalid_token'],
      ['alg none', none, 'auth.invalid_token'],
      ['wrong audience', wrongAud, 'auth.invalid_token'],
    ] as const) {
      const res = await http(base, 'POST', '/api/actions', { token, body: action });
      expect(res.status, name).toBe(401);
      expect(res.body.code, name).toBe(code);
    }
  });

  it('refreshes, heartbeats, and stops working for actions after deregistration', async () => {
    const id = uniqueId('hb');
    const reg = await mintAndRegister(base, id);
    const refreshed = await http<{ characterToken: string }>(base, 'POST', '/api/registry/token', { token: reg.characterToken });
    expect(refreshed.status).toBe(200);
    const beat = await http(base, 'POST', `/api/registry/character/${id}/heartbeat`, { token: refreshed.body.characterToken });
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({ characterId: id, sessionId: reg.sessionId });
    expect((await http(base, 'POST', `/api/registry/character/someone-else/heartbeat`, { token: reg.characterToken })).status).toBe(403);

    expect((await http(base, 'DELETE', `/api/registry/character/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const after = await http(base, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('auth.not_registered');
    expect((await http(base, 'POST', '/api/registry/token', { token: reg.characterToken })).status).toBe(401);
  });
});

describe('actions', () => {
  it('refuses A acting with B’s id (403) and names the bad field of a malformed action (400)', async () => {
    const a = await mintAndRegister(base, uniqueId('a'));
    const bId = uniqueId('b');
    await mintAndRegister(base, bId);
    const imp = await http(base, 'POST', '/api/actions', { token: a.characterToken, body: { type: 'combat.attack', characterId: bId, target: 'goblin-1' } });
    expect(imp.status).toBe(403);
    expect(imp.body.code).toBe('actions.impersonation');

    const me = jwt.decode(a.characterToken) as { sub: string };
    const bad = await http<{ errors: { path: string }[] }>(base, 'POST', '/api/actions', {
      token: a.characterToken,
      body: { type: 'exploration.move', characterId: me.sub, direction: 'sideways' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toEqual(['direction']);
    const unknownType = await http<{ errors: { path: string }[] }>(base, 'POST', '/api/actions', { token: a.characterToken, body: { type: 'dance', characterId: me.sub } });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errors[0]!.path).toBe('type');
    const tooLong = await http<{ errors: { path: string }[] }>(base, 'POST', '/api/actions', { token: a.characterToken, body: { type: 'social.say', characterId: me.sub, message: 'x'.repeat(501) } });
    expect(tooLong.body.errors[0]!.path).toBe('message');
  });

  it('refuses actions that need a capability the character did not declare', async () => {
    const id = uniqueId('pacifist');
    const reg = await mintAndRegister(base, id, { capabilities: ['social'] });
    const res = await http(base, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'combat.attack', characterId: id, target: 'goblin' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('actions.capability_missing');
  });
});

describe('event bus credentials', () => {
  it('subscribe to the character’s own channels and receive its session’s events', async () => {
    const id = uniqueId('sub');
    const reg = await mintAndRegister(base, id);
    const bus = busClient(reg.eventBus);
    await bus.connect();
    expect(await bus.subscribe(...reg.eventChannels)).toBe(5);
    const got = new Promise<{ channel: string; message: string }>((resolve) => bus.once('message', (channel: string, message: string) => resolve({ channel, message })));
    const act = await http<{ actionId: string; version: number }>(base, 'POST', '/api/actions', {
      token: reg.characterToken,
      body: { type: 'exploration.move', characterId: id, direction: 'north', cautious: true, clientActionId: 'c-1' },
    });
    expect(act.status).toBe(200);
    const { channel, message } = await got;
    expect(channel).toBe(`session:${reg.sessionId}:exploration`);
    const envelope = JSON.parse(message);
    // The Dungeon Master's first event of the move; the action's answer carries the version of its last.
    expect(envelope).toMatchObject({ type: 'exploration.moved', sessionId: reg.sessionId, version: expect.any(Number), data: { actionId: act.body.actionId, direction: 'north', clientActionId: 'c-1' } });
    expect(envelope.version).toBeLessThanOrEqual(act.body.version);
    expect(typeof envelope.id).toBe('string');
    expect(Number.isNaN(Date.parse(envelope.timestamp))).toBe(false);
  });

  it('are refused on PUBLISH, on another session’s and another character’s channel, and on keys', async () => {
    const id = uniqueId('acl');
    const reg = await mintAndRegister(base, id);
    const other = await mintAndRegister(base, uniqueId('other'), { sessionId: await createSession(base, uniqueId('elsewhere')) });
    expect(other.sessionId).not.toBe(reg.sessionId);

    const pub = busClient(reg.eventBus);
    await pub.connect();
    await expect(pub.publish(reg.eventChannels[0]!, 'forged')).rejects.toThrow(/NOPERM/);
    await expect(pub.get('anything')).rejects.toThrow(/NOPERM/);
    await expect(pub.call('ACL', 'WHOAMI')).rejects.toThrow(/NOPERM/);

    for (const forbidden of [`session:${other.sessionId}:combat`, `character:${other.eventBus.username.slice(5)}`, `session:${reg.sessionId}:*`]) {
      const c = busClient(reg.eventBus);
      await c.connect();
      await expect(c.subscribe(forbidden), forbidden).rejects.toThrow(/NOPERM/);
    }
    const pattern = busClient(reg.eventBus);
    await pattern.connect();
    await expect(pattern.psubscribe('session:*')).rejects.toThrow(/NOPERM/);
  });

  it('are removed on deregistration, with a system event to the session', async () => {
    const id = uniqueId('bye');
    const reg = await mintAndRegister(base, id);
    const watcher = await mintAndRegister(base, uniqueId('watch'), { sessionId: reg.sessionId });
    const w = busClient(watcher.eventBus);
    await w.connect();
    await w.subscribe(`session:${reg.sessionId}:system`);
    const before = busClient(reg.eventBus);
    await before.connect();
    await before.subscribe(`character:${id}`);
    const cut = new Promise<void>((resolve) => before.once('close', () => resolve()));
    const left = new Promise<Record<string, unknown>>((resolve) =>
      w.on('message', (_c: string, m: string) => {
        const e = JSON.parse(m);
        // The one departure event, the game's, carries the reason.
        if (e.type === 'system.character_left' && e.data.characterId === id) resolve(e);
      }),
    );
    expect((await http(base, 'DELETE', `/api/registry/character/${id}`, { token: reg.characterToken })).status).toBe(204);
    expect((await left).data).toMatchObject({ characterId: id, reason: 'deregistered', roomId: expect.any(String) });
    expect((await left).version).toEqual(expect.any(Number));
    // The user is gone and its open connection was closed by Redis.
    await cut;
    const admin = new Redis(redisUrl);
    opened.push(admin);
    expect(await admin.call('ACL', 'GETUSER', `char:${id}`)).toBeNull();
  });
});

describe('WebSocket gateway', () => {
  it('delivers exactly the character’s channels and refuses connections without a valid token', async () => {
    const id = uniqueId('ws');
    const reg = await mintAndRegister(base, id);
    const outsider = await mintAndRegister(base, uniqueId('out'), { sessionId: await createSession(base, uniqueId('far')) });
    const wsUrl = base.replace('http', 'ws') + '/ws';

    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl + '?token=garbage');
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);

    const ws = new WebSocket(wsUrl, ['bearer', reg.characterToken]);
    const messages: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        messages.push(m);
        if (m.type === 'gateway.ready') resolve();
      });
      ws.on('error', reject);
    });
    expect(messages[0]).toMatchObject({ type: 'gateway.ready', channels: reg.eventChannels });
    // An event of another session must not arrive; one of our own must.
    await http(base, 'POST', '/api/actions', { token: outsider.characterToken, body: { type: 'social.say', characterId: outsider.eventBus.username.slice(5), message: 'not for you' } });
    await http(base, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'social.say', characterId: id, message: 'hello' } });
    await expect.poll(() => messages.some((m) => m.type === 'social.say')).toBe(true);
    const said = messages.filter((m) => m.type === 'social.say');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ sessionId: reg.sessionId, data: { message: 'hello' } });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.close();
    expect(await closed).toBe(1005);
  });
});

describe('operations', () => {
  it('reports readiness, metrics and the OpenAPI document', async () => {
    expect((await http(base, 'GET', '/healthz')).status).toBe(200);
    const ready = await http(base, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ checks: { postgres: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(base + '/metrics')).text();
    expect(metrics).toMatch(/dungeon_http_requests_total\{method="POST",route="\/api\/actions",status="200"\} \d+/);
    expect(metrics).toMatch(/dungeon_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/api\/registry\/character",status="200"\}/);
    expect(metrics).toMatch(/dungeon_registrations_total [1-9]/);
    expect(metrics).toMatch(/dungeon_active_sessions [1-9]/);
    expect(metrics).toMatch(/dungeon_events_published_total\{topic="exploration"\} [1-9]/);
    expect(metrics).toContain('dungeon_ws_connections');
    const doc = await http<{ openapi: string; paths: Record<string, unknown> }>(base, 'GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/actions']).toBeDefined();
  });
});
