// Just enough of resource.Quantity to compare and cap values: cores for cpu, bytes for memory.
import { QUANTITY_PATTERN } from '@distributed-dungeon/contracts';

const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export type Quantity = string | number;

/** The numeric value of a quantity (`500m` → 0.5, `1Gi` → 1073741824); throws on garbage. */
export function parseQuantity(q: Quantity): number {
  if (typeof q === 'number') return q;
  if (!QUANTITY_PATTERN.test(q)) throw new Error(`not a quantity: ${JSON.stringify(q)}`);
  const m = /^\+?([0-9.]+)(.*)$/.exec(q)!;
  const base = Number(m[1]);
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
  const factor = suffixes[suffix];
  if (factor === undefined) throw new Error(`not a quantity: ${JSON.stringify(q)}`);
  return base * factor;
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  // Relative tolerance: 1Gi written as 1024Mi must compare equal despite float rounding.
  if (Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))) return 0;
  return x < y ? -1 : 1;
}

export function minQuantity(a: Quantity, b: Quantity): string {
  return String(compareQuantities(a, b) <= 0 ? a : b);
}
