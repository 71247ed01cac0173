import { describe, expect, it } from 'vitest';
import { isDice, parseDice, rollDice } from './dice.ts';
import { createRng, scriptedRng } from './rng.ts';

describe('dice', () => {
  it('parses the usual forms', () => {
    expect(parseDice('1d6+1')).toEqual({ count: 1, sides: 6, modifier: 1 });
    expect(parseDice('d20')).toEqual({ count: 1, sides: 20, modifier: 0 });
    expect(parseDice(' 3d4 - 1 ')).toEqual({ count: 3, sides: 4, modifier: -1 });
    expect(parseDice('7')).toEqual({ count: 0, sides: 1, modifier: 7 });
    for (const bad of ['', 'd', '1d1', '0d6', 'abc', '1d6+', '2d6*2', '101d6']) expect(isDice(bad), bad).toBe(false);
  });

  it('rolls, doubles the dice on a critical and never goes below zero', () => {
    expect(rollDice('2d6+3', scriptedRng([2, 5]))).toMatchObject({ rolls: [2, 5], total: 10 });
    expect(rollDice('2d6+3', scriptedRng([2, 5, 1, 1]), { critical: true })).toMatchObject({ rolls: [2, 5, 1, 1], total: 12 });
    expect(rollDice('1d4-5', scriptedRng([1])).total).toBe(0);
  });

  it('the seeded source is deterministic, resumable and in range', () => {
    const a = createRng(42);
    const b = createRng(42);
    const rolls = Array.from({ length: 1000 }, () => a.die(20));
    expect(Array.from({ length: 1000 }, () => b.die(20))).toEqual(rolls);
    expect(new Set(rolls)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 1)));
    const resumed = createRng(a.state);
    expect(resumed.die(20)).toBe(a.die(20));
    expect(() => scriptedRng([]).die(6)).toThrow(/ran out/);
  });
});
