import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const policy = { initialMs: 50, maxMs: 500 };

  it('doubles from the initial delay and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('stays at the cap on very long outages instead of overflowing', () => {
    expect(backoffDelay(10_000, policy)).toBe(500);
  });

  it('spreads with full jitter between zero and the delay', () => {
    expect(backoffDelay(2, { ...policy, jitter: 'full' }, () => 0.5)).toBe(100);
    expect(backoffDelay(2, { ...policy, jitter: 'full' }, () => 0)).toBe(0);
  });

  it('adds a proportional jitter on top of the delay', () => {
    expect(backoffDelay(1, { ...policy, jitter: { proportional: 0.2 } }, () => 1)).toBeCloseTo(120);
  });

  it('honours another growth factor', () => {
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000, factor: 3 })).toBe(90);
  });

  it('refuses a negative attempt and an inverted policy, naming them', () => {
    expect(() => backoffDelay(-1, policy)).toThrow(/attempt must be a non-negative integer, got -1/);
    expect(() => backoffDelay(0, { initialMs: 10, maxMs: 5 })).toThrow(/initialMs <= maxMs, got 10 and 5/);
  });
});

describe('sleep', () => {
  it('rejects at once when its signal aborts', async () => {
    const ac = new AbortController();
    const slept = sleep(60_000, ac.signal);
    ac.abort(new Error('stopping'));
    await expect(slept).rejects.toThrow('stopping');
  });

  it('rejects without waiting when the signal already aborted', async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
