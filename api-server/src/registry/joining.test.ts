import { describe, expect, it } from 'vitest';
import { Joining } from './joining.ts';

describe('Joining', () => {
  it('counts each registration once, in the session of its latest claim, until released', () => {
    const joining = new Joining();
    const a = joining.hold();
    const b = joining.hold();
    a.at('s1');
    b.at('s1');
    expect(joining.count('s1')).toBe(2);
    // A claim taken again in the same session (a retried transaction) is not counted twice.
    a.at('s1');
    expect(joining.count('s1')).toBe(2);
    // A retry that lands elsewhere moves the count.
    a.at('s2');
    expect([joining.count('s1'), joining.count('s2')]).toEqual([1, 1]);
    a.release();
    a.release();
    expect([joining.count('s1'), joining.count('s2')]).toEqual([1, 0]);
    b.release();
    expect(joining.count('s1')).toBe(0);
    // Released without a claim (refused before a seat): nothing to take back.
    joining.hold().release();
    expect(joining.count('s1')).toBe(0);
  });
});
