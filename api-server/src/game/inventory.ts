import type { WorldItem } from './world.ts';

/** Adds stacks to an inventory, merging stacks of the same item. Mutates `into` (a draft). */
export function addItems(into: WorldItem[], items: readonly WorldItem[]): void {
  for (const item of items) {
    const stack = into.find((s) => s.item_id === item.item_id);
    if (stack) stack.quantity += item.quantity;
    else into.push(structuredClone(item));
  }
}
