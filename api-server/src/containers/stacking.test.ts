import { describe, expect, it } from 'vitest';
import { addStacks, additionViolation, checkLimits, compactStacks, fitStacks, normalizeStack, quantityOf, removeItem, totalWeight } from './stacking.ts';
import { diffItems } from './diff.ts';

const s = (item_id: string, quantity: number, extra: Record<string, unknown> = {}) => normalizeStack({ item_id, item_name: item_id, quantity, ...extra });

describe('stacking', () => {
  it('merges by item id up to max_stack and opens new slots beyond it', () => {
    const out = addStacks([s('arrow', 95)], [s('arrow', 10)]);
    expect(out.map((x) => x.quantity)).toEqual([99, 6]);
    expect(addStacks([], [s('arrow', 250)]).map((x) => x.quantity)).toEqual([99, 99, 52]);
  });
  it('does not merge different metadata or containers', () => {
    const out = addStacks([s('sword', 1, { metadata: { enchant: 'fire' } })], [s('sword', 1)]);
    expect(out).toHaveLength(2);
    const bags = addStacks([s('bag', 1, { inner_container: '2f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c' })], [s('bag', 1, { inner_container: '3f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c' })]);
    expect(bags).toHaveLength(2);
  });
  it('respects max_stack 1 (unstackable)', () => {
    expect(addStacks([], [s('helm', 3, { max_stack: 1 })])).toHaveLength(3);
  });
  it('removes from the last stacks first and refuses more than there is', () => {
    const { items, removed } = removeItem([s('gem', 99), s('gem', 5)], 'gem', 7);
    expect(items.map((x) => x.quantity)).toEqual([97]);
    expect(removed.reduce((a, b) => a + b.quantity, 0)).toBe(7);
    expect(() => removeItem([s('gem', 2)], 'gem', 3)).toThrow(expect.objectContaining({ code: 'container.insufficient_items', extra: { item_id: 'gem', available: 2 } }));
    expect(() => removeItem([], 'gem', 1)).toThrow();
  });
  it('counts slots and weight', () => {
    expect(checkLimits([s('a', 1), s('b', 1)], { capacity_slots: 1, weight_limit: null })).toEqual({ kind: 'slots', used: 2, capacity: 1 });
    expect(checkLimits([s('a', 3, { weight: 5 })], { capacity_slots: 5, weight_limit: 14 })).toEqual({ kind: 'weight', weight: 15, limit: 14 });
    expect(checkLimits([s('a', 3, { weight: 5 })], { capacity_slots: 5, weight_limit: 15 })).toBeNull();
    expect(totalWeight([s('a', 2, { weight: 1.5 }), s('b', 1, { weight: 2 })])).toBe(5);
  });
  it('blames an addition only for what it made worse', () => {
    const full = [s('a', 1), s('b', 1), s('c', 1)];
    expect(additionViolation(full, addStacks(full, [s('a', 1)]), { capacity_slots: 2, weight_limit: null })).toBeNull();
    expect(additionViolation(full, addStacks(full, [s('d', 1)]), { capacity_slots: 3, weight_limit: null })?.kind).toBe('slots');
  });
  it('fits what it can, splitting a stack, and reports the overflow', () => {
    const r = fitStacks([s('x', 1)], [s('a', 5, { weight: 2 }), s('b', 1)], { capacity_slots: 2, weight_limit: 7 });
    expect(r.fitted).toEqual([expect.objectContaining({ item_id: 'a', quantity: 3 })]);
    expect(r.overflow.map((o) => [o.item_id, o.quantity])).toEqual([['a', 2], ['b', 1]]);
    expect(quantityOf(r.items, 'a') + quantityOf(r.overflow, 'a')).toBe(5);
    const slots = fitStacks([], [s('a', 1), s('b', 1), s('c', 1)], { capacity_slots: 2, weight_limit: null });
    expect(slots.items).toHaveLength(2);
    expect(slots.overflow.map((o) => o.item_id)).toEqual(['c']);
  });
  it('compacts split stacks', () => {
    expect(compactStacks([s('a', 3), s('b', 1), s('a', 4)]).map((x) => [x.item_id, x.quantity])).toEqual([['a', 7], ['b', 1]]);
  });
});

describe('diffItems', () => {
  it('reports added and removed quantities per stack identity', () => {
    const d = diffItems([s('a', 5), s('b', 2)], [s('a', 3), s('c', 1)]);
    expect(d.added.map((x) => [x.item_id, x.quantity])).toEqual([['c', 1]]);
    expect(d.removed.map((x) => [x.item_id, x.quantity]).sort()).toEqual([['a', 2], ['b', 2]]);
  });
  it('is empty when only the stack layout changed', () => {
    expect(diffItems([s('a', 99), s('a', 1)], [s('a', 100, { max_stack: 99 })])).toEqual({ added: [], removed: [] });
  });
});
