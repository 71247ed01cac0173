// The item diff carried by `container.updated`: per stack identity, what quantity appeared and
// what disappeared between two versions of a container's items.
import type { InventoryStack, ItemsDiff } from '@distributed-dungeon/contracts';
import { stackKey } from './stacking.ts';

function totals(items: readonly InventoryStack[]): Map<string, InventoryStack> {
  const m = new Map<string, InventoryStack>();
  for (const s of items) {
    const key = stackKey(s);
    const seen = m.get(key);
    if (seen) seen.quantity += s.quantity;
    else m.set(key, { ...s });
  }
  return m;
}

export function diffItems(before: readonly InventoryStack[], after: readonly InventoryStack[]): ItemsDiff {
  const a = totals(before);
  const b = totals(after);
  const added: InventoryStack[] = [];
  const removed: InventoryStack[] = [];
  for (const [key, s] of b) {
    const delta = s.quantity - (a.get(key)?.quantity ?? 0);
    if (delta > 0) added.push({ ...s, quantity: delta });
  }
  for (const [key, s] of a) {
    const delta = s.quantity - (b.get(key)?.quantity ?? 0);
    if (delta > 0) removed.push({ ...s, quantity: delta });
  }
  return { added, removed };
}

export function isEmptyDiff(d: ItemsDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0;
}
