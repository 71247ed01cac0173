import { describe, expect, it } from 'vitest';
import { RelistGate } from './watch.ts';

describe('RelistGate', () => {
  it('runs no more than its concurrency at once, in the order they asked, and frees a slot on failure', async () => {
    const gate = new RelistGate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const job = (i: number, fail = false) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        if (fail) throw new Error(`job ${i} failed`);
        return i;
      });
    // The failure is caught at once (it is asserted below), not left unhandled while the others run.
    const failed = job(0, true).catch((error: unknown) => error);
    const jobs = [job(1), job(2), job(3)];
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    while (releases.length > 0 || order.length < 4) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(String(await failed)).toContain('job 0 failed');
    expect(await Promise.all(jobs)).toEqual([1, 2, 3]);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });
});
