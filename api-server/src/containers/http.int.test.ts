import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { createDatabase } from '@distributed-dungeon/testkit';
import { loadConfig } from '../config/config.ts';
import { DEFAULT_MODULES } from '../modules.ts';
import { start, type RunningServer } from '../server.ts';
import { putInventory } from './inventory.ts';
import { createContainer } from './persistence.ts';
import { createContainersModule } from './routes.ts';
import { MapDirectory, migratedPool } from '../../test/containers/support.ts';

// Every status code of seed 004, each from a real request to the real api-server (the core's
// start(), JWT auth, problem+json middleware) with the containers module mounted.
const S = 'http-session';
const directory = new MapDirectory();
class BrokenDirectory extends MapDirectory {
  override async lookup(characterId: string) {
    if (characterId.startsWith('broken')) throw new Error('game state unavailable (simulated bug)');
    return directory.lookup(characterId);
  }
  override async locationOf(characterId: string) {
    return directory.locationOf(characterId);
  }
  override async charactersInRoom(sessionId: string, roomId: string) {
    return directory.charactersInRoom(sessionId, roomId);
  }
}
let server: RunningServer;
let pool: pg.Pool;
const run = randomUUID().slice(0, 6);
const who = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'containers_http');
  const config = loadConfig({
    DATABASE_URL: url,
    REDIS_URL: inject('redisUrl'),
    DUNGEON_ADMIN_TOKEN: 'admin-token-for-tests-0123456789',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  server = await start(config, {
    modules: [...DEFAULT_MODULES, createContainersModule({ directory: () => new BrokenDirectory() })],
    logger: pino({ level: 'silent' }),
  });
  pool = await migratedPool(url, 4);
  await asAdmin('POST', '/api/sessions', { id: S, capacity: 100 });
});
afterAll(async () => {
  await server?.stop();
  await pool?.end();
});

const ADMIN = 'admin-token-for-tests-0123456789';
async function asAdmin(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

// A token holds only while its character is registered (registry/grounds.ts): each character
// gets a key and registers into S once, as the operator and the runtime would.
const tokens = new Map<string, Promise<string>>();
function tokenFor(characterId: string): Promise<string> {
  let t = tokens.get(characterId);
  if (!t) {
    const capabilities = ['combat', 'exploration', 'social'];
    t = (async () => {
      const { apiKey } = await asAdmin('POST', '/api/registry/keys', { characterId, spec: { displayName: characterId, class: 'rogue', level: 3, capabilities } });
      const res = await fetch(`${server.url}/api/registry/character`, {
        method: 'POST',
        headers: { 'x-api-key': String(apiKey), 'content-type': 'application/json' },
        body: JSON.stringify({ characterId, name: characterId, class: 'rogue', level: 3, containerEndpoint: 'http://c:3000', capabilities, version: '1.0.0', sessionId: S }),
      });
      if (!res.ok) throw new Error(`register ${characterId}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { characterToken: string }).characterToken;
    })();
    tokens.set(characterId, t);
  }
  return t;
}

async function post(path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${server.url}/api/containers/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function chest(room: string, over: Record<string, unknown> = {}) {
  return createContainer(pool, {
    source_type: 'environment',
    room_id: room,
    capacity_slots: 1,
    items: [{ item_id: 'gold', item_name: 'Gold', quantity: 5 }],
    metadata: { game_session: S },
    ...over,
  });
}

describe('POST /api/containers/*', () => {
  it('200: open → transfer (replayed once) → loot-all → close', async () => {
    const me = who('ann');
    directory.place(me, S, 'hall');
    const c = await chest('hall', { capacity_slots: 3 });
    const t = await tokenFor(me);
    const open = await post('open', { container_id: c.container_id }, t);
    expect(open.status).toBe(200);
    const mutation_token = open.body.mutation_token as string;
    const req = { container_id: c.container_id, mutation_token, idempotency_key: `k-${run}-1`, direction: 'to_player', item_id: 'gold', quantity: 2 };
    const first = await post('transfer', req, t);
    const again = await post('transfer', req, t);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const loot = await post('loot-all', { container_id: c.container_id, mutation_token }, t);
    expect(loot.status).toBe(200);
    // The registration may have handed out the world's starting kit: count the gold.
    expect((loot.body.inventory as { items: { item_id: string; quantity: number }[] }).items.find((i) => i.item_id === 'gold')?.quantity).toBe(5);
    expect((await post('close', { container_id: c.container_id, mutation_token }, t)).status).toBe(200);
  });

  it('400: a body that does not match the schema names the field', async () => {
    const me = who('bad');
    const r = await post('open', { container_id: 'not-a-uuid' }, await tokenFor(me));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'request.invalid', errors: [expect.objectContaining({ path: 'container_id' })] });
    const extra = await post('transfer', { container_id: randomUUID(), direction: 'sideways' }, await tokenFor(me));
    expect(extra.status).toBe(400);
    expect((extra.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(['direction', 'mutation_token', 'idempotency_key']));
    expect((await post('open', '{not json', await tokenFor(me))).status).toBe(400);
  });

  it('401: no token, or a forged one', async () => {
    expect((await post('open', { container_id: randomUUID() })).status).toBe(401);
    const forged = await post('open', { container_id: randomUUID() }, `${(await tokenFor(who('x'))).slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
  });

  it('403: not in the room', async () => {
    const me = who('far');
    directory.place(me, S, 'elsewhere');
    const c = await chest('hall');
    const r = await post('open', { container_id: c.container_id }, await tokenFor(me));
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('container.access_denied');
  });

  it('404: no such container', async () => {
    const r = await post('open', { container_id: randomUUID() }, await tokenFor(who('nf')));
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('container.not_found');
  });

  it('409: capacity exceeded', async () => {
    const me = who('full');
    directory.place(me, S, 'hall');
    const c = await chest('hall', { capacity_slots: 1 });
    await putInventory(pool, me, { items: [{ item_id: 'rock', item_name: 'Rock', quantity: 1 }] });
    const t = await tokenFor(me);
    const { body } = await post('open', { container_id: c.container_id }, t);
    const r = await post('transfer', { container_id: c.container_id, mutation_token: body.mutation_token, idempotency_key: `k-${run}-full`, direction: 'to_container', item_id: 'rock', quantity: 1 }, t);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('container.capacity_exceeded');
  });

  it('423: locked', async () => {
    const me = who('lock');
    directory.place(me, S, 'hall');
    const c = await chest('hall', { lock_state: 'locked' });
    const r = await post('open', { container_id: c.container_id }, await tokenFor(me));
    expect(r.status).toBe(423);
    expect(r.body.code).toBe('container.locked');
  });

  it('429: the 21st request within 60 s', async () => {
    const me = who('spam');
    directory.place(me, S, 'hall');
    const c = await chest('hall');
    const t = await tokenFor(me);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await post('open', { container_id: c.container_id }, t)).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    const r = await post('open', { container_id: c.container_id }, t);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another character still has its own budget.
    const other = who('calm');
    directory.place(other, S, 'hall');
    expect((await post('open', { container_id: c.container_id }, await tokenFor(other))).status).toBe(200);
  });

  it('500: an unexpected failure is a problem+json 500, with nothing changed', async () => {
    const r = await post('open', { container_id: randomUUID() }, await tokenFor(who('broken')));
    expect(r.status).toBe(500);
    expect(r.body.code).toBe('internal');
  });
});
