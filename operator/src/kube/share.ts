// One copy of each repeated value among the cached objects. Every Character's children are built
// by the same builders, so most of their strings (label keys and values, apiVersions, images,
// paths, reasons) and whole sub-objects (security contexts, probes, resources, ports, owner
// labels) are equal across thousands of objects; JSON.parse makes a fresh copy of each for every
// watch event. Measured with operator/bench/cache-memory.ts, sharing them is most of the heap a
// Character costs. Shared sub-objects are frozen: a reader that tried to change one (and so
// every object holding it) fails loudly instead.

/** Two generations: a value seen again within about a generation stays (common values stay hot). */
class Generations<T> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: string): T | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const promoted = this.old.get(key);
    if (promoted !== undefined) this.put(key, promoted);
    return promoted;
  }

  put(key: string, value: T): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

/** Longer strings and bigger sub-objects are rarely shared (names, uids, keys): not looked up. */
const MAX_STRING = 256;
const MAX_KEY = 1024;

export class Sharer {
  // Bounded: the keys are JSON text, so each generation holds at most a few hundred kB.
  private readonly strings = new Generations<string>(4096);
  private readonly trees = new Generations<unknown>(2048);

  /**
   * A copy of `obj` whose strings and sub-objects are shared, equal ones. The object itself and
   * its metadata are its own (not frozen): only what lies within them is shared.
   */
  share<T extends { metadata: object }>(obj: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      if (k === 'metadata') {
        const meta: Record<string, unknown> = {};
        for (const [mk, mv] of Object.entries(v as object)) if (mv !== undefined) meta[mk] = this.walk(mv).value;
        out[k] = meta;
      } else out[k] = this.walk(v).value;
    }
    return out as T;
  }

  /** The shared value and its JSON text (undefined: too big to share, so its parents are not shared). */
  private walk(value: unknown): { value: unknown; key: string | undefined } {
    if (typeof value === 'string') {
      if (value.length > MAX_STRING) return { value, key: undefined };
      let s = this.strings.get(value);
      if (s === undefined) this.strings.put(value, (s = value));
      return { value: s, key: JSON.stringify(s) };
    }
    if (typeof value !== 'object' || value === null) return { value, key: JSON.stringify(value) ?? 'undefined' };
    const isArray = Array.isArray(value);
    const out: Record<string, unknown> | unknown[] = isArray ? [] : {};
    const parts: string[] = [];
    let shareable = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const child = this.walk(v);
      if (isArray) (out as unknown[]).push(child.value);
      else (out as Record<string, unknown>)[this.strings.get(k) ?? k] = child.value;
      if (child.key === undefined) shareable = false;
      else if (shareable) parts.push(isArray ? child.key : `${JSON.stringify(k)}:${child.key}`);
    }
    if (!shareable) return { value: out, key: undefined };
    const key = isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    if (key.length > MAX_KEY) return { value: out, key: undefined };
    const hit = this.trees.get(key);
    if (hit !== undefined) return { value: hit, key };
    this.trees.put(key, Object.freeze(out));
    return { value: out, key };
  }
}
