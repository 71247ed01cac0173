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

/** What changed between two versions of a container's items, per item: the shape of `container.updated`. */
export function itemsDiff(before: readonly InventoryStack[], after: readonly InventoryStack[]): { added: InventoryStack[]; removed: InventoryStack[] } {
  const total = (items: readonly InventoryStack[]) => {
    const m = new Map<string, InventoryStack>();
    for (const s of items) {
      const seen = m.get(s.item_id);
      if (seen) seen.quantity += s.quantity;
      else m.set(s.item_id, { ...s });
    }
    return m;
  };
  const a = total(before);
  const b = total(after);
  const added: InventoryStack[] = [];
  const removed: InventoryStack[] = [];
  for (const [id, s] of b) if (s.quantity > (a.get(id)?.quantity ?? 0)) added.push({ ...s, quantity: s.quantity - (a.get(id)?.quantity ?? 0) });
  for (const [id, s] of a) if (s.quantity > (b.get(id)?.quantity ?? 0)) removed.push({ ...s, quantity: s.quantity - (b.get(id)?.quantity ?? 0) });
  return { added, removed };
}

/** A stable key of a diff, to recognise the echo of our own change among the room's events. */
export function diffKey(containerId: string, diff: { added: InventoryStack[]; removed: InventoryStack[] }): string {
  const part = (l: InventoryStack[]) =>
    l
      .map((s) => `${s.item_id}:${s.quantity}`)
      .sort()
      .join(',');
  return `${containerId}|+${part(diff.added)}|-${part(diff.removed)}`;
}
