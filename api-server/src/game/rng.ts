// A small seeded random source (mulberry32). Its whole state is one uint32, kept inside the game
// state, so a session can be persisted, resumed and replayed from its seed.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [1, sides]. */
  die(sides: number): number;
  /** The state to resume from (stored as `GameState.rngState`). */
  readonly state: number;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    die: (sides) => 1 + Math.floor(next() * sides),
    get state() {
      return a;
    },
  };
}

/** A string seed (a session id, say) folded into a uint32 (FNV-1a). */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Dice that come up as scripted (for tests that need a particular roll): each `die(n)` returns the
 * next face, clamped to [1, n]; `next()` returns face/100. Throws when the script runs out so a
 * test can't silently depend on rolls it did not script.
 */
export function scriptedRng(faces: readonly number[]): Rng {
  let i = 0;
  const take = (): number => {
    const face = faces[i];
    if (face === undefined) throw new Error(`scriptedRng: ran out of faces after ${i} rolls`);
    i++;
    return face;
  };
  return {
    next: () => Math.min(0.999999, Math.max(0, take() / 100)),
    die: (sides) => Math.min(sides, Math.max(1, take())),
    get state() {
      return i;
    },
  };
}
