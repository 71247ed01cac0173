import { createDatabase } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

let api: RunningServer;
let bus: Redis;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'humans'), redisUrl: inject('redisUrl') });
  bus = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  bus?.disconnect();
  await api?.stop();
});

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: Record<string, unknown>;
}

async function signIn(path: string, body: unknown): Promise<Signed> {
  const res = await http(api.url, 'POST', path, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, csrf: String(res.body.csrfToken), setCookie, body: res.body };
}

const as = (s: Signed, withCsrf = true) => ({ headers: { cookie: s.cookie, ...(withCsrf ? { 'x-dungeon-csrf': s.csrf } : {}) } });

function openWs(path: string, headers: Record<string, string>): Promise<{ ws: WebSocket; ready: { channels: string[] }; next: () => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(api.url.replace('http', 'ws') + path, { headers });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve)));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () => void next().then((ready) => resolve({ ws, ready: ready as { channels: string[] }, next })));
  });
}

describe('game master sign-in', () => {
  it('refuses a wrong admin token and answers the right one with a strict HttpOnly cookie', async () => {
    expect((await http(api.url, 'POST', '/api/humans/game-master', { body: { token: 'not-the-admin-token' } })).status).toBe(401);
    const gm = await signIn('/api/humans/game-master', { token: ADMIN_TOKEN });
    expect(gm.setCookie).toMatch(/^dd_session=[\w-]{20,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    expect(gm.body).toMatchObject({ kind: 'game_master', characterId: null, csrfHeader: 'x-dungeon-csrf' });
    expect((await http(api.url, 'GET', '/api/humans/me', as(gm, false))).body).toMatchObject({ kind: 'game_master' });
  });

  it('acts as admin with the cookie, and changes need the CSRF header', async () => {
    const gm = await signIn('/api/humans/game-master', { token: ADMIN_TOKEN });
    expect((await http(api.url, 'GET', '/api/sessions', as(gm, false))).status).toBe(200);
    expect((await http(api.url, 'GET', '/api/sessions')).status).toBe(401);
    const forged = await http(api.url, 'POST', '/api/sessions', { ...as(gm, false), body: {} });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('humans.csrf');
    const wrong = await http(api.url, 'POST', '/api/sessions', { headers: { cookie: gm.cookie, 'x-dungeon-csrf': 'x'.repeat(43) }, body: {} });
    expect(wrong.status).toBe(403);
    const created = await http<{ id: string; status: string }>(api.url, 'POST', '/api/sessions', { ...as(gm), body: { name: 'Web made' } });
    expect(created.status).toBe(201);
    const closed = await http<{ status: string }>(api.url, 'POST', `/api/humans/sessions/${created.body.id}/close`, as(gm));
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const audit = await http<{ items: unknown[] }>(api.url, 'GET', '/api/humans/audit?limit=5', as(gm, false));
    expect(audit.status).toBe(200);
    expect(Array.isArray(audit.body.items)).toBe(true);
  });

  it('signs out: the cookie stops working', async () => {
    const gm = await signIn('/api/humans/game-master', { token: ADMIN_TOKEN });
    const out = await http(api.url, 'POST', '/api/humans/sign-out', as(gm));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await http(api.url, 'GET', '/api/humans/me', as(gm, false))).status).toBe(401);
    expect((await http(api.url, 'GET', '/api/sessions', as(gm, false))).status).toBe(401);
  });
});

describe('player sign-in links', () => {
  it('are minted by the admin only for a character with a live key, and work once', async () => {
    expect((await http(api.url, 'POST', '/api/humans/player-links', { body: { characterId: 'nobody-here' } })).status).toBe(401);
    expect((await http(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: 'nobody-here' } })).status).toBe(404);
    const id = uniqueId('web-player');
    await mintAndRegister(api.url, id);
    const older = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const link = await http<{ code: string; path: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    expect(link.status).toBe(201);
    expect(link.body.path).toBe(`/#/sign-in/${link.body.code}`);
    // Only the newest link signs in.
    expect((await http(api.url, 'POST', '/api/humans/player', { body: { code: older.body.code } })).status).toBe(401);
    const player = await signIn('/api/humans/player', { code: link.body.code });
    expect(player.body).toMatchObject({ kind: 'player', characterId: id });
    const again = await http(api.url, 'POST', '/api/humans/player', { body: { code: link.body.code } });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('humans.link_invalid');
  });

  it('give a cookie scoped to one character: its own state, not the admin API, not another session', async () => {
    const id = uniqueId('web-scope');
    const reg = await mintAndRegister(api.url, id);
    const link = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const player = await signIn('/api/humans/player', { code: link.body.code });
    const state = await http<{ gameState: { characterId: string } }>(api.url, 'GET', `/api/sessions/${reg.sessionId}/state`, as(player, false));
    expect(state.status).toBe(200);
    expect(state.body.gameState.characterId).toBe(id);
    expect((await http(api.url, 'GET', '/api/sessions/s-0000000000/state', as(player, false))).status).toBe(403);
    expect((await http(api.url, 'POST', '/api/sessions', { ...as(player), body: {} })).status).toBe(401);
    expect((await http(api.url, 'GET', '/api/humans/audit', as(player, false))).status).toBe(401);

    const mine = await http<{ characterId: string; sessionId: string; view: { me: { roomId: string } }; containers: { container_id: string; room_id: string }[] }>(
      api.url,
      'GET',
      '/api/humans/my/character',
      as(player, false),
    );
    expect(mine.status).toBe(200);
    expect(mine.body.sessionId).toBe(reg.sessionId);
    for (const c of mine.body.containers) expect(c.room_id).toBe(mine.body.view.me.roomId);
  });

  it('are revoked with the Character: revoking the key ends the player session', async () => {
    const id = uniqueId('web-revoke');
    await mintAndRegister(api.url, id);
    const link = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const player = await signIn('/api/humans/player', { code: link.body.code });
    expect((await http(api.url, 'GET', '/api/humans/me', as(player, false))).status).toBe(200);
    expect((await http(api.url, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect((await http(api.url, 'GET', '/api/humans/me', as(player, false))).status).toBe(401);
  });
});

describe('/ws with a cookie session', () => {
  it("gives a player its character's channels and delivers their events", async () => {
    const id = uniqueId('web-ws');
    const reg = await mintAndRegister(api.url, id);
    const link = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const player = await signIn('/api/humans/player', { code: link.body.code });
    const { ws, ready, next } = await openWs('/ws', { cookie: player.cookie });
    expect(ready.channels).toEqual([...['combat', 'exploration', 'social', 'system'].map((t) => `session:${reg.sessionId}:${t}`), `character:${id}`]);
    await bus.publish(`character:${id}`, JSON.stringify({ type: 'system.notification', data: { hello: id } }));
    expect(await next()).toMatchObject({ data: { hello: id } });
    ws.close();
  });

  it("gives a game master the public channels of the session it names and its game masters' channel (every room's container events), and refuses a foreign origin", async () => {
    const gm = await signIn('/api/humans/game-master', { token: ADMIN_TOKEN });
    const { ws, ready, next } = await openWs('/ws?session=s-0123456789', { cookie: gm.cookie });
    expect(ready.channels).toEqual([...['combat', 'exploration', 'social', 'system'].map((t) => `session:s-0123456789:${t}`), 'gm:s-0123456789']);
    await bus.publish('gm:s-0123456789', JSON.stringify({ type: 'container.updated', data: { room_id: 'hall' } }));
    expect(await next()).toMatchObject({ type: 'container.updated', data: { room_id: 'hall' } });
    ws.close();
    await expect(openWs('/ws?session=s-0123456789', { cookie: gm.cookie, origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs('/ws?session=s-0123456789', { cookie: 'dd_session=forged' })).rejects.toThrow(/401/);
  });
});

describe('with ADMIN_PORT', () => {
  it('signs game masters in on the admin port only, and serves their /ws there', async () => {
    const split = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'humans_admin_port'), redisUrl: inject('redisUrl'), ADMIN_PORT: '0' });
    try {
      const adminUrl = split.adminUrl!;
      expect((await http(split.url, 'POST', '/api/humans/game-master', { body: { token: ADMIN_TOKEN } })).status).toBe(403);
      const res = await http(adminUrl, 'POST', '/api/humans/game-master', { body: { token: ADMIN_TOKEN } });
      expect(res.status).toBe(200);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await http(adminUrl, 'GET', '/api/sessions', { headers: { cookie } })).status).toBe(200);
      const ws = new WebSocket(`${adminUrl.replace('http', 'ws')}/ws?session=s-0123456789`, { headers: { cookie } });
      const ready = await new Promise<{ channels: string[] }>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as { channels: string[] }));
        ws.once('error', reject);
      });
      expect(ready.channels).toContain('session:s-0123456789:combat');
      ws.close();

      // The browser sends that cookie to the public port as well (cookies know no ports): there
      // it is refused, for REST and for /ws, so it cannot carry the admin token past the boundary.
      const onPublic = await http(split.url, 'GET', '/api/sessions', { headers: { cookie } });
      expect(onPublic.status).toBe(403);
      expect(onPublic.body.code).toBe('auth.admin_port_only');
      expect((await http(split.url, 'GET', '/api/humans/me', { headers: { cookie } })).body.code).toBe('auth.admin_port_only');
      const publicWs = new WebSocket(`${split.url.replace('http', 'ws')}/ws?session=s-0123456789`, { headers: { cookie } });
      const status = await new Promise<number>((resolve, reject) => {
        publicWs.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
        publicWs.once('open', () => reject(new Error('the public port opened a game master websocket')));
        publicWs.once('error', reject);
      });
      expect(status).toBe(403);
      // A player's cookie still works on the public port.
      const id = uniqueId('web-split-player');
      await mintAndRegister(adminUrl, id);
      const link = await http<{ code: string }>(adminUrl, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
      const player = await http(split.url, 'POST', '/api/humans/player', { body: { code: link.body.code } });
      expect(player.status).toBe(200);
      const playerCookie = (player.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await http(split.url, 'GET', '/api/humans/my/character', { headers: { cookie: playerCookie } })).status).toBe(200);
    } finally {
      await split.stop();
    }
  });
});

describe('manual control', () => {
  it("pauses the character's own actions while its player acts by hand, and resumes them on release", async () => {
    const id = uniqueId('web-manual');
    const reg = await mintAndRegister(api.url, id);
    const link = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const player = await signIn('/api/humans/player', { code: link.body.code });
    const look = { type: 'exploration.look', characterId: id };
    expect((await http(api.url, 'POST', '/api/humans/my/control', { ...as(player, false), body: { manual: true } })).status).toBe(403);
    expect((await http(api.url, 'POST', '/api/humans/my/control', { ...as(player), body: { manual: true } })).body).toEqual({ characterId: id, manual: true });
    expect((await http<{ manual: boolean }>(api.url, 'GET', '/api/humans/my/character', as(player, false))).body.manual).toBe(true);

    const paused = await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: look });
    expect(paused.status).toBe(409);
    expect(paused.body.code).toBe('humans.manual_control');
    const byHand = await http(api.url, 'POST', '/api/actions', { ...as(player), body: look });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(200);

    await http(api.url, 'POST', '/api/humans/my/control', { ...as(player), body: { manual: false } });
    expect((await http(api.url, 'POST', '/api/actions', { token: reg.characterToken, body: look })).status).toBe(200);
  });
});

describe('platform status from the operator', () => {
  it('is shown to the game master for every Character and to the player for its own', async () => {
    const id = uniqueId('web-platform');
    await mintAndRegister(api.url, id);
    const pending = uniqueId('web-pending');
    const report = (phase: string, ready: 'True' | 'False') => ({ namespace: 'player-alice', name: `${phase.toLowerCase()}-one`, phase, conditions: [{ type: 'Ready', status: ready, reason: phase }] });
    expect((await http(api.url, 'PUT', `/api/humans/platform/${id}`, { body: report('Registered', 'True') })).status).toBe(401);
    expect((await http(api.url, 'PUT', `/api/humans/platform/${id}`, { token: ADMIN_TOKEN, body: report('Registered', 'True') })).status).toBe(204);
    expect((await http(api.url, 'PUT', `/api/humans/platform/${pending}`, { token: ADMIN_TOKEN, body: report('Provisioning', 'False') })).status).toBe(204);
    const bad = await http<{ errors: { path: string }[] }>(api.url, 'PUT', `/api/humans/platform/${id}`, { token: ADMIN_TOKEN, body: { ...report('Running', 'True'), extra: 1 } });
    expect(bad.status).toBe(400);

    const gm = await signIn('/api/humans/game-master', { token: ADMIN_TOKEN });
    const all = await http<{ items: { characterId: string; phase: string | null; ready: boolean | null; status: string; namespace: string | null }[] }>(api.url, 'GET', '/api/humans/characters', as(gm, false));
    expect(all.body.items.find((c) => c.characterId === id)).toMatchObject({ phase: 'Registered', ready: true, status: 'registered', namespace: 'player-alice' });
    expect(all.body.items.find((c) => c.characterId === pending)).toMatchObject({ phase: 'Provisioning', ready: false, status: 'never registered' });

    const link = await http<{ code: string }>(api.url, 'POST', '/api/humans/player-links', { token: ADMIN_TOKEN, body: { characterId: id } });
    const player = await signIn('/api/humans/player', { code: link.body.code });
    const mine = await http<{ platform: { phase: string; ready: boolean; conditions: unknown[] } }>(api.url, 'GET', '/api/humans/my/character', as(player, false));
    expect(mine.body.platform).toMatchObject({ phase: 'Registered', ready: true, conditions: [{ type: 'Ready', status: 'True', reason: 'Registered' }] });
  });
});
