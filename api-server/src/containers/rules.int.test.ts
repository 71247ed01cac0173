import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { loadConfig } from '../config/config.ts';
import { DEFAULT_MODULES } from '../modules.ts';
import { start, type RunningServer } from '../server.ts';
import { createCharacterItemsModule } from './character-routes.ts';
import { putEquipment } from './equipment.ts';
import { characterUuid } from './ids.ts';
import { putInventory } from './inventory.ts';
import { createContainer } from './persistence.ts';
import { createContainersModule } from './routes.ts';
import { busRecorder, MapDirectory, migratedPool, registeredToken, type BusEvent } from '../../test/containers/support.ts';

// The game's rules on container actions (dead, in combat), room events reaching only the room,
// and the reads, each through real requests to the real api-server on PostgreSQL and Redis. The
// game's facts (who stands where, alive, fighting) come from a plain directory: the engine's
// reading of them is engine-view.test.ts.
const S = 'rules-session';
const ADMIN = 'admin-token-for-tests-0123456789';
const directory = new MapDirectory();
let server: RunningServer;
let pool: pg.Pool;
let bus: { events: BusEvent[]; close(): void };
const run = randomUUID().slice(0, 6);
const who = (name: string) => `${name}-${run}`;
const tokens = new Map<string, Promise<string>>();
const tokenFor = (id: string) => {
  if (!tokens.has(id)) tokens.set(id, registeredToken(server.url, ADMIN, id, S));
  return tokens.get(id)!;
};

beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'containers_rules');
  const config = loadConfig({ DATABASE_URL: url, REDIS_URL: inject('redisUrl'), DUNGEON_ADMIN_TOKEN: ADMIN, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  server = await start(config, {
    modules: [...DEFAULT_MODULES, createContainersModule({ directory: () => directory }), createCharacterItemsModule({ directory: () => directory })],
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
  });
  pool = await migratedPool(url, 4);
  bus = await busRecorder(inject('redisUrl'));
  const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: S, capacity: 100 }) });
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(async () => {
  bus?.close();
  await server?.stop();
  await pool?.end();
});

async function call(method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const post = async (op: string, body: unknown, token: string) => call('POST', `/api/containers/${op}`, token, body);

const gold = (quantity: number) => ({ item_id: 'gold', item_name: 'Gold', quantity });
function chest(room: string, over: Record<string, unknown> = {}) {
  return createContainer(pool, { source_type: 'environment', room_id: room, capacity_slots: 5, items: [gold(10)], metadata: { game_session: S, name: 'Chest' }, ...over });
}

describe('rules the game enforces on container actions', () => {
  it('a dead character cannot open, transfer or loot (409 container.character_dead); it may still close', async () => {
    const me = who('ghost');
    directory.place(me, S, 'crypt');
    const c = await chest('crypt');
    const t = await tokenFor(me);
    const open = await post('open', { container_id: c.container_id }, t);
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    const mutation_token = open.body.mutation_token as string;
    directory.dead.add(me);
    const refusals = [
      await post('open', { container_id: c.container_id }, t),
      await post('transfer', { container_id: c.container_id, mutation_token, idempotency_key: `d-${run}`, direction: 'to_player', item_id: 'gold', quantity: 1 }, t),
      await post('loot-all', { container_id: c.container_id, mutation_token }, t),
    ];
    expect(refusals.map((r) => [r.status, r.body.code])).toEqual(Array(3).fill([409, 'container.character_dead']));
    expect((await post('close', { container_id: c.container_id, mutation_token }, t)).status).toBe(200);
    // Nothing moved, and each refusal is in the audit trail with its code.
    const { rows } = await pool.query<{ items: { quantity: number }[] }>('SELECT items FROM containers WHERE container_instance_id = $1', [c.container_id]);
    expect(rows[0]!.items[0]!.quantity).toBe(10);
    const audit = await pool.query<{ operation: string; code: string }>(
      `SELECT operation, details->>'code' AS code FROM audit_log WHERE actor_id = $1 AND outcome = 'denied' ORDER BY id`,
      [me],
    );
    expect(audit.rows).toEqual([
      { operation: 'open', code: 'container.character_dead' },
      { operation: 'transfer', code: 'container.character_dead' },
      { operation: 'loot_all', code: 'container.character_dead' },
    ]);
  });

  it('while a fight goes on in the room, looting is refused (409 container.in_combat); worn containers stay usable; after the fight it works', async () => {
    const me = who('brawler');
    directory.place(me, S, 'arena');
    const c = await chest('arena');
    const pack = await createContainer(pool, { source_type: 'equipment', owner_id: characterUuid(me), entity_id: characterUuid(me), capacity_slots: 4, items: [], metadata: { name: 'Backpack' } });
    const t = await tokenFor(me);
    const open = await post('open', { container_id: c.container_id }, t);
    const mutation_token = open.body.mutation_token as string;
    directory.fighting.add(me);
    const take = { container_id: c.container_id, mutation_token, idempotency_key: `c-${run}`, direction: 'to_player', item_id: 'gold', quantity: 3 };
    for (const r of [await post('open', { container_id: c.container_id }, t), await post('transfer', take, t), await post('loot-all', { container_id: c.container_id, mutation_token }, t)]) {
      expect([r.status, r.body.code]).toEqual([409, 'container.in_combat']);
    }
    expect((await post('open', { container_id: pack.container_id }, t)).status).toBe(200);
    directory.fighting.delete(me);
    // The refused request stored nothing: the same idempotency key is evaluated afresh.
    const after = await post('transfer', take, t);
    expect(after.status).toBe(200);
    expect((after.body.inventory as { items: { item_id: string; quantity: number }[] }).items.find((i) => i.item_id === 'gold')?.quantity).toBe(3);
  });

  it('one directory lookup of the actor per request', async () => {
    const me = who('counted');
    directory.place(me, S, 'study');
    const c = await chest('study');
    const t = await tokenFor(me);
    const open = await post('open', { container_id: c.container_id }, t);
    directory.lookups.delete(me);
    const r = await post('transfer', { container_id: c.container_id, mutation_token: open.body.mutation_token, idempotency_key: `l-${run}`, direction: 'to_player', item_id: 'gold', quantity: 1 }, t);
    expect(r.status).toBe(200);
    expect(directory.lookups.get(me)).toBe(1);
  });
});

describe('container events reach the room only', () => {
  it('the characters in the room hear a transfer on their private channels, the game masters once on theirs; one in another room of the session hears nothing', async () => {
    const [ann, bob, cat] = [who('ann'), who('bob'), who('cat')];
    directory.place(ann, S, 'hall');
    directory.place(bob, S, 'hall');
    directory.place(cat, S, 'cellar');
    const c = await chest('hall');
    const t = await tokenFor(ann);
    const open = await post('open', { container_id: c.container_id }, t);
    const mutation_token = open.body.mutation_token as string;
    expect((await post('transfer', { container_id: c.container_id, mutation_token, idempotency_key: `e-${run}`, direction: 'to_player', item_id: 'gold', quantity: 4 }, t)).status).toBe(200);
    expect((await post('close', { container_id: c.container_id, mutation_token }, t)).status).toBe(200);
    const about = (e: BusEvent) => e.data.container_id === c.container_id;
    // One subscriber connection gets messages in publish order: once the close reached the game
    // masters' channel, every event of the transfer and the close was delivered.
    // The game masters' copy is published last of all.
    await eventually('bob and the game masters to hear the close', () => bus.events.some((e) => about(e) && e.type === 'container.closed' && e.channel === `gm:${S}`), 10_000);
    const heard = bus.events.filter(about).map((e) => `${e.type} ${e.channel}`);
    expect(heard).toEqual(
      expect.arrayContaining([
        `container.opened character:${ann}`,
        `container.updated character:${ann}`,
        `container.updated character:${bob}`,
        `container.closed character:${ann}`,
        `container.closed character:${bob}`,
      ]),
    );
    expect(heard.filter((h) => h.includes(cat) || h.includes('session:'))).toEqual([]);
    // The session's game masters get one copy of each room event, on their own channel.
    expect(heard.filter((h) => h.endsWith(` gm:${S}`))).toEqual([`container.updated gm:${S}`, `container.closed gm:${S}`]);
    const update = bus.events.find((e) => about(e) && e.type === 'container.updated' && e.channel === `character:${bob}`)!;
    expect(update).toMatchObject({ sessionId: S, data: { room_id: 'hall', diff: { items: { removed: [expect.objectContaining({ item_id: 'gold', quantity: 4 })] } } } });
  });
});

describe('reads', () => {
  it('GET /api/characters/{id}/inventory: my inventory and the containers I wear; only mine', async () => {
    const me = who('reader');
    const t = await tokenFor(me);
    // After the registration, which may hand out the world's starting items.
    await putInventory(pool, me, { items: [gold(7)] });
    const pack = await createContainer(pool, { source_type: 'equipment', owner_id: characterUuid(me), entity_id: characterUuid(me), capacity_slots: 6, items: [{ item_id: 'rope', item_name: 'Rope', quantity: 1 }] });
    // The starting kit may have been put on at registration: this test decides what is worn.
    await pool.query('DELETE FROM character_equipment WHERE character_id = $1', [me]);
    await putEquipment(pool, me, 'weapon', { item_id: 'longsword', item_name: 'Longsword', quantity: 1, weight: 3, max_stack: 1, metadata: {} });
    // Taken off: entity_id cleared, the item keeps the container; not worn, so not listed.
    await createContainer(pool, { source_type: 'equipment', owner_id: characterUuid(me), entity_id: null, capacity_slots: 2 });
    const r = await call('GET', `/api/characters/${me}/inventory`, t);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ character_id: me, inventory: { character_id: me, items: [expect.objectContaining({ item_id: 'gold', quantity: 7 })] } });
    expect(r.body.equipped).toEqual({ weapon: expect.objectContaining({ item_id: 'longsword' }) });
    expect((r.body.equipment as { container_id: string; items: unknown[] }[]).map((c) => [c.container_id, c.items.length])).toEqual([[pack.container_id, 1]]);

    const nobody = who('empty');
    const nobodyToken = await tokenFor(nobody);
    await pool.query('DELETE FROM character_inventories WHERE character_id = $1', [nobody]);
    await pool.query('DELETE FROM character_equipment WHERE character_id = $1', [nobody]);
    const empty = await call('GET', `/api/characters/${nobody}/inventory`, nobodyToken);
    expect(empty.body).toMatchObject({ inventory: { items: [] }, equipped: {}, equipment: [] });

    const other = await call('GET', `/api/characters/${nobody}/inventory`, t);
    expect([other.status, other.body.code]).toEqual([403, 'auth.forbidden']);
    expect((await call('GET', `/api/characters/${me}/inventory`, undefined)).status).toBe(401);
    expect((await call('GET', `/api/characters/${encodeURIComponent('bad id!')}/inventory`, t)).status).toBe(400);
  });

  it('GET /api/characters/{id}/room/containers: kind, lock state, visible items, corpse grace and decay', async () => {
    const me = who('looker');
    const room = `vault-${run}`;
    directory.place(me, S, room);
    const open = await chest(room);
    const locked = await chest(room, { lock_state: 'locked', metadata: { game_session: S, name: 'Iron chest' } });
    const grace = new Date(Date.now() + 300_000).toISOString();
    const decay = new Date(Date.now() + 3_600_000);
    const corpse = await createContainer(pool, {
      source_type: 'corpse',
      room_id: room,
      owner_id: characterUuid('someone'),
      capacity_slots: 20,
      decay_at: decay,
      items: [{ item_id: 'bone', item_name: 'Bone', quantity: 2 }],
      metadata: { game_session: S, owner_name: 'Someone', grace_period_until: grace, kind: 'corpse' },
    });
    // The same room id in another session is another room.
    await createContainer(pool, { source_type: 'environment', room_id: room, capacity_slots: 1, metadata: { game_session: 'elsewhere' } });
    const r = await call('GET', `/api/characters/${me}/room/containers`, await tokenFor(me));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ character_id: me, session_id: S, room_id: room });
    const byId = new Map((r.body.containers as { container_id: string }[]).map((c) => [c.container_id, c]));
    expect([...byId.keys()].sort()).toEqual([open.container_id, locked.container_id, corpse.container_id].sort());
    expect(byId.get(open.container_id)).toMatchObject({ kind: 'chest', lock_state: 'unlocked', items: [expect.objectContaining({ item_id: 'gold', quantity: 10 })], decay_at: null });
    expect(byId.get(locked.container_id)).toMatchObject({ kind: 'chest', name: 'Iron chest', lock_state: 'locked', items: null });
    expect(byId.get(corpse.container_id)).toMatchObject({ kind: 'corpse', owner_name: 'Someone', grace_period_until: grace, decay_at: decay.toISOString() });

    const nowhere = who('lost');
    const none = await call('GET', `/api/characters/${nowhere}/room/containers`, await tokenFor(nowhere));
    expect(none.body).toEqual({ character_id: nowhere, session_id: null, room_id: null, containers: [] });
  });
});
