import { createDatabase } from '@distributed-dungeon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MapDirectory, discardPublisher, migratedPool } from '../../test/containers/support.ts';
import { putInventory } from './inventory.ts';
import { createContainer } from './persistence.ts';
import { ContainerService } from './service.ts';

// The compact idempotency result on PostgreSQL: a retry answers exactly what the first request
// answered, also after other moves changed the container and the inventory since, and the row
// holds far fewer bytes than the full answer did.

const S = 'vault-session';
let pool: pg.Pool;
const directory = new MapDirectory();
let service: ContainerService;
let seq = 0;
const key = () => `stored-${Date.now()}-${++seq}`;

beforeAll(async () => {
  pool = await migratedPool(await createDatabase(inject('postgresAdminUrl'), 'containers_stored'));
  service = new ContainerService({ pool, publisher: discardPublisher, directory });
});
afterAll(async () => {
  await pool?.end();
});

async function storedBytes(characterId: string, idempotencyKey: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT pg_column_size(result) AS n FROM container_mutations WHERE character_id = $1 AND idempotency_key = $2`, [
    characterId,
    idempotencyKey,
  ]);
  return rows[0]!.n;
}

describe('a retried move', () => {
  it('answers the first transfer’s answer after the container and inventory changed, from a small row', async () => {
    directory.place('ivy', S, 'vault');
    directory.place('jon', S, 'vault');
    const c = await createContainer(pool, {
      source_type: 'environment',
      room_id: 'vault',
      capacity_slots: 8,
      allowed_roles: [],
      items: [
        { item_id: 'gold', item_name: 'Gold', quantity: 50, max_stack: 50 },
        { item_id: 'blade', item_name: 'Rune blade', quantity: 1, max_stack: 1, weight: 3, slot_type: 'main_hand', metadata: { rune: 'frost' } },
        { item_id: 'gem', item_name: 'Gem', quantity: 9, max_stack: 10 },
      ],
      metadata: { game_session: S, name: 'vault chest' },
    });
    await putInventory(pool, 'ivy', { items: [{ item_id: 'rope', item_name: 'Rope', quantity: 2, max_stack: 5, weight: 1 }] });
    const ivy = await service.openContainer('ivy', { container_id: c.container_id });
    const jon = await service.openContainer('jon', { container_id: c.container_id });
    const take = { container_id: c.container_id, mutation_token: ivy.mutation_token, idempotency_key: key(), direction: 'to_player' as const, item_id: 'blade', quantity: 1 };
    const first = await service.transfer('ivy', take);

    // Others move things: the chest and ivy's inventory are no longer what the first answer showed.
    await service.transfer('jon', { container_id: c.container_id, mutation_token: jon.mutation_token, idempotency_key: key(), direction: 'to_player', item_id: 'gold', quantity: 20 });
    await service.transfer('ivy', { ...take, idempotency_key: key(), direction: 'to_container', item_id: 'rope', quantity: 2 });

    const again = await service.transfer('ivy', take);
    expect(again.replayed).toBe(true);
    expect(again.result).toStrictEqual(first.result);
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(first.result));
    // Against the full answer as the column used to hold it (jsonb).
    const { rows } = await pool.query<{ n: number }>(`SELECT pg_column_size($1::jsonb) AS n`, [JSON.stringify(first.result)]);
    expect(await storedBytes('ivy', take.idempotency_key)).toBeLessThan(0.6 * rows[0]!.n);
  });

  it('answers the first loot-all’s answer, left_behind included', async () => {
    directory.place('kit', S, 'crypt');
    const c = await createContainer(pool, {
      source_type: 'environment',
      room_id: 'crypt',
      capacity_slots: 4,
      items: [
        { item_id: 'coin', item_name: 'Coin', quantity: 5, max_stack: 50 },
        { item_id: 'urn', item_name: 'Urn', quantity: 1, max_stack: 1, weight: 40 },
      ],
      metadata: { game_session: S },
    });
    await putInventory(pool, 'kit', { items: [], capacity_slots: 5, weight_limit: 10 });
    const { mutation_token } = await service.openContainer('kit', { container_id: c.container_id });
    const req = { container_id: c.container_id, mutation_token, idempotency_key: key() };
    const first = await service.lootAll('kit', req);
    expect(first.result.left_behind.map((s) => s.item_id)).toEqual(['urn']);
    await service.transfer('kit', { ...req, idempotency_key: key(), direction: 'to_container', item_id: 'coin', quantity: 5 });
    const again = await service.lootAll('kit', req);
    expect(again.replayed).toBe(true);
    expect(again.result).toStrictEqual(first.result);
  });
});
