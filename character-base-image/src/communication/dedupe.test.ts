import { describe, expect, it } from 'vitest';
import { SeenEvents } from './dedupe.ts';

describe('SeenEvents', () => {
  it('drops a repeated id, lets events without one through, and forgets the oldest past its capacity', () => {
    const seen = new SeenEvents(3);
    expect(['a', 'b', 'a', 'c', 'b'].map((id) => seen.seen(id))).toEqual([false, false, true, false, true]);
    expect([undefined, undefined, ''].map((id) => seen.seen(id))).toEqual([false, false, false]);
    // a, b, c held; d pushes a out, so a is new again (and pushes b out).
    expect(seen.seen('d')).toBe(false);
    expect(seen.seen('a')).toBe(false);
    expect(seen.seen('c')).toBe(true);
    expect(seen.seen('b')).toBe(false);
  });
});
