import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { createDatabase } from '@distributed-dungeon/testkit';
import { characterUuid } from './ids.ts';
import { getInventory, putInventory } from './inventory.ts';
import { CorpseLifecycleService } from './lifecycle.ts';
import { EnvironmentalContainerLoader } from './loader.ts';
import { createContainer, getContainer, getContainersByRoomId } from './persistence.ts';
import { ContainerService } from './service.ts';
import { ManualClock, MapDirectory, itemTotals, migratedPool, redisBus } from '../../test/containers/support.ts';
import { WearableContainerService } from './wearable.ts';

const S = 'crypt-session';
let pool: pg.Pool;
let bus: Awaited<ReturnType<typeof redisBus>>;
const directory = new MapDirectory();
const clock = new ManualClock();
let service: ContainerService;

const item = (item_id: string, quantity: number, extra: Record<string, unknown> = {}) => ({ item_id, item_name: item_id, quantity, ...extra });
let keySeq = 0;
const key = () => `key-${Date.now()}-${++keySeq}`;

beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'containers_svc');
  pool = await migratedPool(url);
  bus = await redisBus(inject('redisUrl'), directory);
  service = new ContainerService({ pool, publisher: bus.publisher, directory, clock });
});
afterAll(async () => {
  await bus?.close();
  await pool?.end();
});

async function chest(room: string, over: Record<string, unknown> = {}) {
  return createContainer(pool, {
    source_type: 'environment',
    room_id: room,
    capacity_slots: 3,
    items: [item('gold', 50), item('potion', 2)],
    metadata: { game_session: S, name: 'chest' },
    ...over,
  });
}

describe('ContainerService on PostgreSQL', () => {
  it('opens, transfers both ways, loots and closes, with events on the bus and an audit trail', async () => {
    directory.place('ann', S, 'hall');
    directory.place('bob', S, 'hall');
    const c = await chest('hall');
    await putInventory(pool, 'ann', { items: [item('arrow', 10)] });
    const opened = await service.openContainer('ann', { container_id: c.container_id });
    expect(opened.mutation_token.length).toBeGreaterThan(16);
    expect(new Date(opened.expires_at).getTime()).toBeGreaterThan(clock.now().getTime());
    const openedEv = await bus.waitFor((e) => e.type === 'container.opened' && e.data.container_id === c.container_id);
    expect(openedEv.channel).toBe('character:ann');

    const t1 = await service.transfer('ann', { container_id: c.container_id, mutation_token: opened.mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'gold', quantity: 20 });
    expect(t1.result.inventory.items.find((s) => s.item_id === 'gold')?.quantity).toBe(20);
    expect(t1.result.container.items.find((s) => s.item_id === 'gold')?.quantity).toBe(30);
    // Room events reach everyone in the room, each on its private channel.
    const upd = await bus.waitFor((e) => e.type === 'container.updated' && e.data.container_id === c.container_id && e.channel === 'character:bob');
    await bus.waitFor((e) => e.type === 'container.updated' && e.data.container_id === c.container_id && e.channel === 'character:ann');
    expect(upd.data.room_id).toBe('hall');
    expect(upd.data.diff).toMatchObject({ items: { added: [], removed: [expect.objectContaining({ item_id: 'gold', quantity: 20 })] } });

    await service.transfer('ann', { container_id: c.container_id, mutation_token: opened.mutation_token, idempotency_key: key(), direction: 'to_container', item_id: 'arrow', quantity: 4 });
    const loot = await service.lootAll('ann', { container_id: c.container_id, mutation_token: opened.mutation_token });
    expect(loot.result.left_behind).toEqual([]);
    expect((await getContainer(pool, c.container_id))!.items).toEqual([]);
    expect((await getInventory(pool, 'ann'))!.items.map((s) => [s.item_id, s.quantity]).sort()).toEqual([['arrow', 10], ['gold', 50], ['potion', 2]]);

    await service.closeContainer('ann', { container_id: c.container_id, mutation_token: opened.mutation_token });
    await bus.waitFor((e) => e.type === 'container.closed' && e.data.container_id === c.container_id && e.channel === 'character:bob');
    // A closed token no longer mutates.
    await expect(
      service.transfer('ann', { container_id: c.container_id, mutation_token: opened.mutation_token, idempotency_key: key(), direction: 'to_container', item_id: 'gold', quantity: 1 }),
    ).rejects.toMatchObject({ status: 403, code: 'container.invalid_mutation_token' });
    // Bob cannot use Ann's token.
    await expect(
      service.transfer('bob', { container_id: c.container_id, mutation_token: opened.mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'gold', quantity: 1 }),
    ).rejects.toMatchObject({ status: 403 });

    const { rows } = await pool.query(`SELECT operation, outcome, actor_id, actor_name, security_level, compliance_flags FROM audit_log WHERE resource_id = $1 ORDER BY id`, [c.container_id]);
    expect(rows.map((r) => `${r.operation}:${r.outcome}`)).toEqual(['open:success', 'transfer:success', 'transfer:success', 'loot_all:success', 'close:success', 'transfer:denied', 'transfer:denied']);
    expect(rows[0]).toMatchObject({ actor_id: 'ann', actor_name: 'Hero ann', security_level: 'low', compliance_flags: ['coppa_metadata_validated', 'no_pii_in_audit'] });
    expect(rows[5]).toMatchObject({ security_level: 'high' });
  });

  it('moves items once for a repeated idempotency key, also when both copies race', async () => {
    directory.place('cid', S, 'vault');
    const c = await chest('vault', { items: [item('gold', 100)] });
    const { mutation_token } = await service.openContainer('cid', { container_id: c.container_id });
    const req = { container_id: c.container_id, mutation_token, idempotency_key: key(), direction: 'to_player' as const, item_id: 'gold', quantity: 10 };
    const first = await service.transfer('cid', req);
    const again = await service.transfer('cid', req);
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.result).toEqual(first.result);
    const raced = { ...req, idempotency_key: key() };
    const results = await Promise.all(Array.from({ length: 8 }, () => service.transfer('cid', raced)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await getContainer(pool, c.container_id))!.items[0]!.quantity).toBe(80);
    expect((await getInventory(pool, 'cid'))!.items[0]!.quantity).toBe(20);
    await expect(service.transfer('cid', { ...req, quantity: 11 })).rejects.toMatchObject({ status: 400, code: 'container.idempotency_key_reused' });
  });

  it('answers 409 when slots or weight run out, 404 for unknown, 423 for locked, 403 elsewhere', async () => {
    directory.place('dee', S, 'pantry');
    const small = await chest('pantry', { capacity_slots: 1, items: [item('bread', 1, { weight: 1 })], weight_limit: 10 });
    await putInventory(pool, 'dee', { items: [item('cheese', 1), item('bread', 20, { weight: 1 })] });
    const { mutation_token } = await service.openContainer('dee', { container_id: small.container_id });
    await expect(
      service.transfer('dee', { container_id: small.container_id, mutation_token, idempotency_key: key(), direction: 'to_container', item_id: 'cheese', quantity: 1 }),
    ).rejects.toMatchObject({ status: 409, code: 'container.capacity_exceeded' });
    await expect(
      service.transfer('dee', { container_id: small.container_id, mutation_token, idempotency_key: key(), direction: 'to_container', item_id: 'bread', quantity: 11 }),
    ).rejects.toMatchObject({ status: 409, extra: expect.objectContaining({ limit: 'weight' }) });
    await expect(
      service.transfer('dee', { container_id: small.container_id, mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'ruby', quantity: 1 }),
    ).rejects.toMatchObject({ status: 409, code: 'container.insufficient_items' });
    await expect(service.openContainer('dee', { container_id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ status: 404 });
    const locked = await chest('pantry', { lock_state: 'locked' });
    await expect(service.openContainer('dee', { container_id: locked.container_id })).rejects.toMatchObject({ status: 423 });
    directory.place('dee', S, 'elsewhere');
    await expect(service.openContainer('dee', { container_id: small.container_id })).rejects.toMatchObject({ status: 403 });
    // Nothing moved by the refusals.
    expect((await getInventory(pool, 'dee'))!.items.map((s) => s.quantity)).toEqual([1, 20]);
  });

  it('refuses personal data in metadata with a 400 naming the rule', async () => {
    await expect(chest('hall', { metadata: { note: 'mail me at kid@example.com' } })).rejects.toMatchObject({ status: 400, code: 'container.coppa_violation', rule: 'email' });
    await expect(chest('hall', { items: [item('note', 1, { metadata: { phone: '555-123-4567' } })] })).rejects.toMatchObject({ rule: 'phone_number' });
  });
});

describe('corpse lifecycle', () => {
  it('owner-only grace, then public, then decay to the floor with container.decayed — across a restart', async () => {
    const lifeClock = new ManualClock();
    const life1 = new CorpseLifecycleService({ pool, publisher: bus.publisher, clock: lifeClock });
    await putInventory(pool, 'eve', { items: [item('sword', 1, { max_stack: 1 }), item('coin', 30)] });
    directory.place('eve', S, 'tomb');
    directory.place('fox', S, 'tomb');
    const { corpse } = await life1.createCorpseOnDeath({ ownerId: 'eve', ownerName: 'Eve', sessionId: S, roomId: 'tomb', items: [item('bone', 2)] });
    expect(corpse.owner_id).toBe(characterUuid('eve'));
    expect(corpse.items.map((s) => s.item_id).sort()).toEqual(['bone', 'coin', 'sword']);
    expect((await getInventory(pool, 'eve'))!.items).toEqual([]);

    // "Restart": a new pool and new service instances on the same database, mid-grace.
    lifeClock.advance(60);
    const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const pool2 = await migratedPool(url, 5);
    try {
      const svc2 = new ContainerService({ pool: pool2, publisher: bus.publisher, directory, clock: lifeClock });
      const life2 = new CorpseLifecycleService({ pool: pool2, publisher: bus.publisher, clock: lifeClock });
      await expect(svc2.openContainer('fox', { container_id: corpse.container_id })).rejects.toMatchObject({ status: 403, extra: { reason: 'grace_period' } });
      const own = await svc2.openContainer('eve', { container_id: corpse.container_id });
      await svc2.transfer('eve', { container_id: corpse.container_id, mutation_token: own.mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'sword', quantity: 1 });
      expect(await life2.sweepDecayed()).toEqual([]);

      lifeClock.advance(300);
      const pub = await svc2.openContainer('fox', { container_id: corpse.container_id });
      await svc2.transfer('fox', { container_id: corpse.container_id, mutation_token: pub.mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'coin', quantity: 10 });

      lifeClock.advance(3600);
      await expect(svc2.openContainer('fox', { container_id: corpse.container_id })).rejects.toMatchObject({ status: 404 });
      expect(await life2.sweepDecayed()).toEqual([corpse.container_id]);
      expect(await getContainer(pool2, corpse.container_id)).toBeNull();
      const decayed = await bus.waitFor((e) => e.type === 'container.decayed' && e.data.container_id === corpse.container_id && e.channel === 'character:fox');
      expect(decayed).toMatchObject({ sessionId: S, data: { room_id: 'tomb' } });
      const floor = (await getContainersByRoomId(pool2, 'tomb', { gameSession: S })).find((c) => c.metadata.kind === 'floor')!;
      expect(floor.items.map((s) => [s.item_id, s.quantity]).sort()).toEqual([['bone', 2], ['coin', 20]]);
      const audit = await pool2.query(`SELECT 1 FROM audit_log WHERE resource_id = $1 AND operation = 'decay_corpse'`, [corpse.container_id]);
      expect(audit.rowCount).toBe(1);
    } finally {
      await pool2.end();
    }
  });

  it('two sweepers running at once decay each corpse exactly once', async () => {
    const c = new ManualClock();
    const a = new CorpseLifecycleService({ pool, publisher: bus.publisher, clock: c, decaySeconds: 10, gracePeriodSeconds: 0 });
    const url = (pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const pool2 = await migratedPool(url, 5);
    try {
      const b = new CorpseLifecycleService({ pool: pool2, publisher: bus.publisher, clock: c });
      const before = await itemTotals(pool);
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await a.createCorpseOnDeath({ ownerId: `rat-${i}`, sessionId: S, roomId: 'sewer', takeInventory: false, items: [item('tail', 1), item('cheese', i + 1)] });
        ids.push(r.corpse.container_id);
      }
      c.advance(11);
      const [x, y] = await Promise.all([a.sweepDecayed({ batchSize: 3 }), b.sweepDecayed({ batchSize: 3 })]);
      expect([...x, ...y].sort()).toEqual([...ids].sort());
      expect(new Set([...x, ...y]).size).toBe(40);
      const after = await itemTotals(pool);
      expect(after.tail).toBe((before.tail ?? 0) + 40);
      expect(after.cheese).toBe((before.cheese ?? 0) + (40 * 41) / 2);
      const audits = await pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE operation = 'decay_corpse' AND resource_id = ANY($1)`, [ids]);
      expect(audits.rows[0].n).toBe(40);
    } finally {
      await pool2.end();
    }
  });
});

describe('the sweeper loop', () => {
  it('decays due corpses on its own and purges expired tokens', async () => {
    const c = new ManualClock();
    const life = new CorpseLifecycleService({ pool, publisher: bus.publisher, clock: c, decaySeconds: 30, gracePeriodSeconds: 5 });
    const { corpse } = await life.createCorpseOnDeath({ ownerId: 'old-bat', sessionId: S, roomId: 'belfry', takeInventory: false, items: [item('wing', 2)] });
    directory.place('hal', S, 'belfry');
    const svc = new ContainerService({ pool, publisher: bus.publisher, directory, clock: c, tokenTtlSeconds: 10 });
    const bell = await chest('belfry');
    c.advance(6);
    await svc.openContainer('hal', { container_id: corpse.container_id });
    await svc.openContainer('hal', { container_id: bell.container_id });
    const tokensOf = async (id: string) => (await pool.query(`SELECT count(*)::int AS n FROM container_mutation_tokens WHERE container_id = $1`, [id])).rows[0].n;
    expect(await tokensOf(bell.container_id)).toBe(1);
    c.advance(31);
    const sweeper = life.startSweeper({ intervalMs: 50 });
    try {
      await bus.waitFor((e) => e.type === 'container.decayed' && e.data.container_id === corpse.container_id);
    } finally {
      await sweeper.stop();
    }
    expect(await getContainer(pool, corpse.container_id)).toBeNull();
    // The chest's token expired (10 s TTL) and the sweeper's housekeeping removed it.
    await expect.poll(() => tokensOf(bell.container_id)).toBe(0);
  });
});

describe('wearable containers and the world loader', () => {
  it('creates on equip, keeps contents through unequip, reuses on re-equip, spills overflow', async () => {
    directory.place('gil', S, 'armory');
    const wear = new WearableContainerService({ pool, publisher: bus.publisher, directory, clock });
    const pack = item('backpack', 1, { max_stack: 1, metadata: { container_capacity: 2 } });
    const eq = await wear.handleEquipWearableContainer('gil', pack);
    expect(eq.created).toBe(true);
    expect(eq.item.inner_container).toBe(eq.container.container_id);
    expect((await wear.getWearableContainersForPlayer('gil')).map((c) => c.container_id)).toEqual([eq.container.container_id]);

    await putInventory(pool, 'gil', { capacity_slots: 1, items: [] });
    const spill = await wear.handleContainerOverflow('gil', eq.container.container_id, [item('rope', 1), item('torch', 1), item('lamp', 1), item('oil', 1)]);
    expect(spill.stored.map((s) => s.item_id)).toEqual(['rope', 'torch']);
    expect(spill.toInventory.map((s) => s.item_id)).toEqual(['lamp']);
    expect(spill.toFloor.map((s) => s.item_id)).toEqual(['oil']);

    const off = await wear.handleUnequipWearableContainer('gil', eq.item);
    expect(off.item.inner_container).toBe(eq.container.container_id);
    expect(off.container.entity_id).toBeNull();
    expect(off.container.items.map((s) => s.item_id)).toEqual(['rope', 'torch']);
    expect(await wear.getWearableContainersForPlayer('gil')).toEqual([]);
    await expect(service.openContainer('gil', { container_id: eq.container.container_id })).rejects.toMatchObject({ status: 403 });

    const again = await wear.handleEquipWearableContainer('gil', off.item);
    expect(again.created).toBe(false);
    expect(again.container.container_id).toBe(eq.container.container_id);
    expect(again.container.items.map((s) => s.item_id)).toEqual(['rope', 'torch']);
    const opened = await service.openContainer('gil', { container_id: again.container.container_id });
    expect(opened.container.source_type).toBe('equipment');
  });

  it('loads room containers once, whatever the number of loads', async () => {
    const rooms = [
      { id: 'crypt-hall', name: 'Hall', container: { name: 'Iron chest', capacity_slots: 4, items: [{ item_id: 'torch', name: 'Torch', quantity: 2, weight: 0.5 }] } },
      { id: 'crypt-gate', name: 'Gate' },
      { id: 'crypt-vault', container: [{ id: 'left', capacity_slots: 2, lock_state: 'locked' }, { id: 'right', capacity_slots: 2, allowed_roles: ['cleric'] }] },
    ];
    const loader = new EnvironmentalContainerLoader({ pool, clock });
    const first = await loader.loadWorld('world-1', rooms);
    const [second, third] = await Promise.all([loader.loadWorld('world-1', rooms), loader.loadWorld('world-1', rooms)]);
    expect(first).toMatchObject({ created: 3, existing: 0 });
    expect(second.created + third.created).toBe(0);
    expect(second.containers.map((c) => c.container_id)).toEqual(first.containers.map((c) => c.container_id));
    const hall = await getContainersByRoomId(pool, 'crypt-hall', { gameSession: 'world-1' });
    expect(hall).toHaveLength(1);
    expect(hall[0]!.items[0]).toMatchObject({ item_id: 'torch', item_name: 'Torch', quantity: 2 });
    expect(hall[0]!.metadata).toMatchObject({ source_key: 'room:world-1:crypt-hall:container', name: 'Iron chest' });
    // Another session gets its own copy.
    expect((await loader.loadWorld('world-2', rooms)).created).toBe(3);
    await expect(loader.loadWorld('world-3', [{ id: 'bad', container: { capacity_slots: 30 } }])).rejects.toMatchObject({ status: 400, extra: expect.objectContaining({ field: 'container.capacity_slots' }) });
    await expect(loader.loadWorld('world-3', [{ id: 'pii', container: { capacity_slots: 2, metadata: { builder_email: 'a@b.co' } } }])).rejects.toMatchObject({ rule: 'email' });
  });
});
