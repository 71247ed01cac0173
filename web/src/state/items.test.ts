import { describe, expect, it } from 'vitest';
import { applyItemsDiff, totalWeight } from './items.ts';

const stack = (item_id: string, quantity: number, weight = 1) => ({ item_id, item_name: item_id, quantity, weight, max_stack: 10, metadata: {} });

describe('item diffs', () => {
  it('removes quantities across stacks and merges additions into a stack with room', () => {
    const out = applyItemsDiff([stack('a', 10), stack('a', 3), stack('b', 1)], { removed: [stack('a', 5), stack('b', 1)], added: [stack('a', 2), stack('c', 4)] });
    expect(out.map((s) => [s.item_id, s.quantity])).toEqual([
      ['a', 10],
      ['c', 4],
    ]);
    expect(totalWeight(out)).toBe(14);
  });
});
