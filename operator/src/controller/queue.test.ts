import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('deduplicates and never hands one key to two workers', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    const first = await q.get();
    q.add('a'); // while processing: remembered, not handed out
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
    q.done(first!);
    expect(await q.get()).toBe('a');
  });

  it('backs off exponentially per key and forgets on success', () => {
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000, qps: 1000, burst: 1000 });
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('x'))).toEqual([100, 200, 400, 800, 1000]);
    expect(q.retries('x')).toBe(5);
    q.forget('x');
    expect(q.addRateLimited('x')).toBe(100);
    q.shutdown();
  });

  it('caps the overall retry rate with a token bucket', () => {
    const q = new WorkQueue({ baseDelayMs: 1, qps: 10, burst: 2 });
    const delays = ['a', 'b', 'c', 'd'].map((k) => q.addRateLimited(k));
    expect(delays.slice(0, 2)).toEqual([1, 1]);
    expect(delays[2]).toBeGreaterThanOrEqual(90);
    expect(delays[3]).toBeGreaterThan(delays[2]!);
    q.shutdown();
  });

  it('releases waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
  });
});

describe('WorkQueue priorities', () => {
  it('hands out urgent keys first, moves a waiting key up, and keeps urgency across its processing', async () => {
    const q = new WorkQueue();
    q.add('pod-1');
    q.add('pod-2');
    q.add('change', true);
    q.add('pod-2', true); // already waiting: moved up, not queued twice
    expect(q.length).toBe(3);
    expect(await q.get()).toBe('change');
    expect(await q.get()).toBe('pod-2');
    q.add('change'); // while processing: remembered
    q.add('change', true); // and now urgent
    q.add('pod-3');
    q.done('change');
    expect(await q.get()).toBe('change');
    expect(await q.get()).toBe('pod-1');
    expect(await q.get()).toBe('pod-3');
    expect(q.length).toBe(0);
    q.done('pod-2');
    q.shutdown();
  });
});
