// Does the live object already say everything we would apply? Live objects carry defaults and
// other managers' fields, so "contains" is the test, with quantities compared by value.
import { QUANTITY_PATTERN } from '@distributed-dungeon/contracts';
import { compareQuantities } from '../quantity.ts';

function isQuantityLike(v: unknown): v is string | number {
  return typeof v === 'number' || (typeof v === 'string' && QUANTITY_PATTERN.test(v));
}

export function contains(live: unknown, desired: unknown): boolean {
  if (desired === live) return true;
  if (isQuantityLike(desired) && isQuantityLike(live) && (typeof desired === 'string' || typeof live === 'string')) {
    return compareQuantities(desired, live) === 0;
  }
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => contains(live[i], d));
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
    return Object.entries(desired).every(([k, v]) => contains((live as Record<string, unknown>)[k], v));
  }
  return false;
}
