// Inventory stacking (seed 004 InventoryService): pure functions over item lists. A slot holds
// one stack; stacks of the same item (same id, same metadata, no inner container) merge up to
// the item's max_stack. Capacity counts slots; the weight limit, when set, counts unit weight
// times quantity.
import { canonicalJson, InventoryStackSchema, type InventoryStack, type InventoryStackInput } from '@distributed-dungeon/contracts';
import { InsufficientItemsError } from './errors.ts';

interface Limits {
  capacity_slots: number;
  weight_limit: number | null;
}

export type LimitViolation =
  | { kind: 'slots'; used: number; capacity: number }
  | { kind: 'weight'; weight: number; limit: number };

export function normalizeStack(input: InventoryStackInput): InventoryStack {
  return InventoryStackSchema.parse(input);
}

/** Two stacks may merge when this is equal (same item, unit weight, stack size, metadata) and the item is stackable. */
export function stackKey(s: InventoryStack): string {
  return `${s.item_id}\u0000${s.inner_container ?? ''}\u0000${s.weight}\u0000${s.max_stack}\u0000${canonicalJson(s.metadata ?? {})}`;
}

function isStackable(s: InventoryStack): boolean {
  return !s.inner_container && s.max_stack > 1;
}

export function usedSlots(items: readonly InventoryStack[]): number {
  return items.length;
}

export function totalWeight(items: readonly InventoryStack[]): number {
  return items.reduce((sum, s) => sum + s.weight * s.quantity, 0);
}

export function quantityOf(items: readonly InventoryStack[], itemId: string): number {
  return items.reduce((sum, s) => (s.item_id === itemId ? sum + s.quantity : sum), 0);
}

export function checkLimits(items: readonly InventoryStack[], limits: Limits): LimitViolation | null {
  if (items.length > limits.capacity_slots) return { kind: 'slots', used: items.length, capacity: limits.capacity_slots };
  if (limits.weight_limit !== null) {
    const weight = totalWeight(items);
    if (weight > limits.weight_limit) return { kind: 'weight', weight, limit: limits.weight_limit };
  }
  return null;
}

/** Adds stacks, topping up existing stacks of the same item first. Never mutates its inputs. */
export function addStacks(items: readonly InventoryStack[], incoming: readonly InventoryStack[]): InventoryStack[] {
  const out = items.map((s) => ({ ...s }));
  for (const add of incoming) {
    let left = add.quantity;
    if (isStackable(add)) {
      const key = stackKey(add);
      for (const s of out) {
        if (left === 0) break;
        if (stackKey(s) !== key || !isStackable(s)) continue;
        const room = Math.max(0, s.max_stack - s.quantity);
        const take = Math.min(room, left);
        s.quantity += take;
        left -= take;
      }
    }
    const per = add.inner_container ? 1 : add.max_stack;
    while (left > 0) {
      const q = Math.min(per, left);
      out.push({ ...add, quantity: q });
      left -= q;
    }
  }
  return out;
}

/**
 * Takes `quantity` units of `itemId`, from the last matching stacks first so partial stacks go
 * before full ones. Throws InsufficientItemsError when there are not that many.
 */
export function removeItem(
  items: readonly InventoryStack[],
  itemId: string,
  quantity: number,
): { items: InventoryStack[]; removed: InventoryStack[] } {
  const available = quantityOf(items, itemId);
  if (available < quantity) throw new InsufficientItemsError(itemId, quantity, available);
  const out = items.map((s) => ({ ...s }));
  const removed: InventoryStack[] = [];
  let left = quantity;
  for (let i = out.length - 1; i >= 0 && left > 0; i--) {
    const s = out[i]!;
    if (s.item_id !== itemId) continue;
    const take = Math.min(s.quantity, left);
    removed.push({ ...s, quantity: take });
    s.quantity -= take;
    left -= take;
  }
  return { items: out.filter((s) => s.quantity > 0), removed };
}

/**
 * Puts as much of `incoming` as fits within `limits`, stack by stack, splitting a stack when only
 * part of it fits. What does not fit comes back as `overflow` (the spill rules decide where it goes).
 */
export function fitStacks(
  items: readonly InventoryStack[],
  incoming: readonly InventoryStack[],
  limits: Limits,
): { items: InventoryStack[]; fitted: InventoryStack[]; overflow: InventoryStack[] } {
  let current = items.map((s) => ({ ...s }));
  const fitted: InventoryStack[] = [];
  const overflow: InventoryStack[] = [];
  for (const add of incoming) {
    const whole = addStacks(current, [add]);
    if (!checkLimits(whole, limits)) {
      current = whole;
      fitted.push({ ...add });
      continue;
    }
    // Largest quantity that still fits: fitting is monotone in quantity, so bisect.
    let lo = 0;
    let hi = add.quantity - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (checkLimits(addStacks(current, [{ ...add, quantity: mid }]), limits)) hi = mid - 1;
      else lo = mid;
    }
    if (lo > 0) {
      current = addStacks(current, [{ ...add, quantity: lo }]);
      fitted.push({ ...add, quantity: lo });
    }
    overflow.push({ ...add, quantity: add.quantity - lo });
  }
  return { items: current, fitted, overflow };
}

/** Merges a list into as few stacks as stacking allows (used for corpse contents). */
export function compactStacks(items: readonly InventoryStack[]): InventoryStack[] {
  return addStacks([], items);
}

/**
 * Like checkLimits, but only blames an addition for what it made worse: a container already over
 * its capacity (capacity lowered later) may still take items that merge into existing stacks.
 */
export function additionViolation(before: readonly InventoryStack[], after: readonly InventoryStack[], limits: Limits): LimitViolation | null {
  if (after.length > limits.capacity_slots && after.length > before.length) {
    return { kind: 'slots', used: after.length, capacity: limits.capacity_slots };
  }
  if (limits.weight_limit !== null) {
    const w = totalWeight(after);
    if (w > limits.weight_limit && w > totalWeight(before)) return { kind: 'weight', weight: w, limit: limits.weight_limit };
  }
  return null;
}
