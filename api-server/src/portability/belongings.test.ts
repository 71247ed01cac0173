import { InventoryStackSchema, type ArchivedContainer, type InventoryStack } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { belongingsProblem, itemCount } from './belongings.ts';

const BAG = '00000000-0000-4000-8000-00000000000b';
const POUCH = '00000000-0000-4000-8000-00000000000c';
const BOX = '00000000-0000-4000-8000-00000000000d';

const stack = (item_id: string, quantity = 1, inner_container?: string): InventoryStack =>
  InventoryStackSchema.parse({ item_id, item_name: item_id, quantity, ...(inner_container ? { inner_container } : {}) });
const container = (container_id: string, items: InventoryStack[] = []): ArchivedContainer => ({
  container_id,
  lock_state: 'unlocked',
  capacity_slots: 4,
  weight_limit: null,
  allowed_roles: [],
  items,
  metadata: {},
});
const inventory = (items: InventoryStack[]) => ({ capacity_slots: 20, weight_limit: null, items });

describe('the belongings of an archive', () => {
  it('are whole when every container is named by one stack and reachable: worn, carried, nested', () => {
    const whole = {
      inventory: inventory([stack('gold', 40), stack('pouch', 1, POUCH)]),
      equipment: [
        { slot: 'weapon' as const, item: stack('longsword') },
        { slot: 'back' as const, item: stack('backpack', 1, BAG) },
      ],
      containers: [container(BAG, [stack('rope'), stack('box', 1, BOX)]), container(POUCH, [stack('lockpick', 3)]), container(BOX, [stack('gem', 2)])],
    };
    expect(belongingsProblem(whole)).toBeNull();
    // 40 gold, pouch, longsword, backpack, rope, box, 3 lockpicks, 2 gems
    expect(itemCount(whole)).toBe(50);
    expect(belongingsProblem({ inventory: inventory([]), equipment: [], containers: [] })).toBeNull();
  });

  it.each([
    [
      'a slot twice',
      { inventory: inventory([]), equipment: [{ slot: 'weapon' as const, item: stack('a') }, { slot: 'weapon' as const, item: stack('b') }], containers: [] },
      'equipment: slot weapon appears twice',
    ],
    ['a container twice', { inventory: inventory([stack('bag', 1, BAG)]), equipment: [], containers: [container(BAG), container(BAG)] }, `containers: ${BAG} appears twice`],
    ['a stack naming a container the archive lacks', { inventory: inventory([stack('bag', 1, BAG)]), equipment: [], containers: [] }, `inventory: inner_container ${BAG} is not among`],
    [
      'one container worn and carried at once',
      { inventory: inventory([stack('bag', 1, BAG)]), equipment: [{ slot: 'back' as const, item: stack('bag', 1, BAG) }], containers: [container(BAG)] },
      `container ${BAG} is named by two stacks`,
    ],
    ['a container nothing names', { inventory: inventory([]), equipment: [], containers: [container(BAG)] }, `containers: ${BAG} is named by no stack`],
    [
      'a ring of containers naming each other, apart from everything else',
      { inventory: inventory([]), equipment: [], containers: [container(BAG, [stack('pouch', 1, POUCH)]), container(POUCH, [stack('bag', 1, BAG)])] },
      'is reachable from neither the inventory nor the equipment',
    ],
  ])('are refused for %s, naming it', (_what, belongings, problem) => {
    expect(belongingsProblem(belongings)).toContain(problem);
  });
});
