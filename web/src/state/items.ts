import type { InventoryStack } from '../types.ts';

/** Applies a `container.updated` diff: quantities removed per item, then added (merging into a stack of the item). */
export function applyItemsDiff(items: readonly InventoryStack[], diff: { added: InventoryStack[]; removed: InventoryStack[] }): InventoryStack[] {
  const out = items.map((s) => ({ ...s }));
  for (const r of diff.removed) {
    let left = r.quantity;
    for (let i = out.length - 1; i >= 0 && left > 0; i--) {
      const s = out[i]!;
      if (s.item_id !== r.item_id) continue;
      const take = Math.min(left, s.quantity);
      s.quantity -= take;
      left -= take;
      if (s.quantity === 0) out.splice(i, 1);
    }
  }
  for (const a of diff.added) {
    const same = out.find((s) => s.item_id === a.item_id && s.quantity < (s.max_stack ?? 99));
    if (same) same.quantity += a.quantity;
    else out.push({ ...a });
  }
  return out;
}

export function slotsUsed(items: readonly InventoryStack[]): number {
  return items.length;
}

export function totalWeight(items: readonly InventoryStack[]): number {
  return items.reduce((sum, s) => sum + (s.weight ?? 0) * s.quantity, 0);
}
