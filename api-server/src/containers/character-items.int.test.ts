import type pg from 'pg';
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getCharacterItems } from './character-items.ts';
import { getEquipment, putEquipment } from './equipment.ts';
import { getInventory, putInventory } from './inventory.ts';
import { migratedPool } from '../../test/containers/support.ts';

// The one-statement read of a character's inventory and equipment answers what the two reads
// of their own tables do.

let pool: pg.Pool;
beforeAll(async () => {
  pool = await migratedPool(await createDatabase(inject('postgresAdminUrl'), 'character_items'));
});
afterAll(() => pool?.end());

const stack = (item_id: string, quantity: number) => ({ item_id, item_name: item_id, quantity, weight: 1, max_stack: 10, metadata: {} });

describe('getCharacterItems', () => {
  it('is no inventory and no equipment for a character that has none yet', async () => {
    expect(await getCharacterItems(pool, 'nobody')).toEqual({ inventory: null, equipment: [] });
  });

  it('equals the inventory and the equipment (in slot order) as their own reads give them', async () => {
    await putInventory(pool, 'keeper', { items: [stack('coin', 7), stack('healing-potion', 2)], capacity_slots: 12, weight_limit: 40 });
    expect(await putEquipment(pool, 'keeper', 'weapon', stack('longsword', 1))).toBe(true);
    expect(await putEquipment(pool, 'keeper', 'armor', stack('leather-armor', 1))).toBe(true);
    const both = await getCharacterItems(pool, 'keeper');
    expect(both.inventory).toEqual(await getInventory(pool, 'keeper'));
    expect(both.inventory).toMatchObject({ capacity_slots: 12, weight_limit: 40 });
    expect(both.equipment).toEqual(await getEquipment(pool, 'keeper'));
    expect(both.equipment.map((e) => e.slot)).toEqual(['armor', 'weapon']);
  });
});
