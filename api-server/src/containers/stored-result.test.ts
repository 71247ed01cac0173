import { describe, expect, it } from 'vitest';
import type { InventoryStack, LootAllResponse, TransferResponse } from '@distributed-dungeon/contracts';
import { packLootAll, packTransfer, unpackLootAll, unpackTransfer } from './stored-result.ts';

const CONTAINER_ID = '6f1d2a4e-3b8c-4d5e-9f00-1a2b3c4d5e6f';

const stacks: InventoryStack[] = [
  { item_id: 'gold', item_name: 'Gold', quantity: 50, weight: 0, max_stack: 50, metadata: {} },
  { item_id: 'sword', item_name: 'Long sword', quantity: 1, weight: 3, max_stack: 1, slot_type: 'main_hand', metadata: { rune: 'fire' } },
  { item_id: 'pack', item_name: 'Backpack', quantity: 1, weight: 1, max_stack: 1, metadata: {}, inner_container: '0b9f8e7d-6c5b-4a39-8827-161514131211' },
  // Keys in another order, and without the schema's defaults: it comes back exactly so.
  { quantity: 2, item_id: 'rope', item_name: 'Rope', weight: 1, max_stack: 5 } as InventoryStack,
];

function container(items: InventoryStack[]) {
  return {
    container_id: CONTAINER_ID,
    source_type: 'environment' as const,
    owner_id: null,
    room_id: 'hall',
    entity_id: null,
    lock_state: 'unlocked' as const,
    capacity_slots: 8,
    weight_limit: 150,
    decay_at: null,
    allowed_roles: ['rogue'],
    items,
    metadata: { game_session: 's-1', name: 'chest' },
  };
}

/** What PostgreSQL hands back: the value after a round trip through JSON. */
const stored = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('the idempotency store form of a move', () => {
  it('answers a transfer retry with exactly the first answer, from fewer bytes', () => {
    const first: TransferResponse = {
      container: container(stacks.slice(0, 3)),
      inventory: { character_id: 'ann', capacity_slots: 20, weight_limit: null, items: [stacks[3]!, stacks[0]!] },
      moved: { item_id: 'gold', quantity: 7 },
    };
    const packed = stored(packTransfer(first));
    const again = unpackTransfer(packed, 'ann', { container_id: CONTAINER_ID, item_id: 'gold', quantity: 7 });
    expect(again).toStrictEqual(first);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(first).length);
  });

  it('writes the key names once for stacks that share them', () => {
    const plain = (item_id: string, quantity: number): InventoryStack => ({ item_id, item_name: item_id, quantity, weight: 1, max_stack: 50, metadata: {} });
    const first: TransferResponse = {
      container: container(['gold', 'arrow', 'potion', 'gem', 'ring', 'ring'].map((id) => plain(id, 20))),
      inventory: { character_id: 'ann', capacity_slots: 3, weight_limit: 30, items: [plain('gold', 5), plain('gem', 3)] },
      moved: { item_id: 'gold', quantity: 5 },
    };
    const packed = packTransfer(first);
    expect(packed.k).toHaveLength(1);
    expect(JSON.stringify(packed).length).toBeLessThan(0.55 * JSON.stringify(first).length);
  });

  it('answers a loot-all retry with exactly the first answer, left_behind from the container', () => {
    const left = [stacks[1]!];
    const first: LootAllResponse = {
      container: container(left),
      inventory: { character_id: 'bob', capacity_slots: 3, weight_limit: 30, items: [stacks[0]!, stacks[2]!] },
      moved: [stacks[0]!, stacks[2]!],
      left_behind: left,
    };
    const again = unpackLootAll(stored(packLootAll(first)), 'bob', CONTAINER_ID);
    expect(again).toStrictEqual(first);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  it('refuses a row it cannot read instead of answering something else', () => {
    expect(() => unpackTransfer({ v: 1, k: [['item_id']], c: { items: [[0, 'gold', 'extra']] }, i: { items: [] } }, 'ann', { container_id: CONTAINER_ID, item_id: 'gold', quantity: 1 })).toThrow(/does not fit/);
    expect(() => unpackTransfer({ v: 9 }, 'ann', { container_id: CONTAINER_ID, item_id: 'gold', quantity: 1 })).toThrow(/unknown form/);
  });

  it('still answers from a row that holds the full answer (written before the compact form)', () => {
    const full: TransferResponse = {
      container: container([stacks[0]!]),
      inventory: { character_id: 'cid', capacity_slots: 20, weight_limit: null, items: [] },
      moved: { item_id: 'gold', quantity: 1 },
    };
    expect(unpackTransfer(stored(full), 'cid', { container_id: CONTAINER_ID, item_id: 'gold', quantity: 1 })).toStrictEqual(full);
  });
});
