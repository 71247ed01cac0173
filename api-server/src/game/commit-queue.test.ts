import { describe, expect, it } from 'vitest';
import { CommitQueue, type UnsavedEntry } from './commit-queue.ts';
import type { GameState } from './state.ts';

const unsaved = (seq: number): UnsavedEntry<null> => ({ entry: { seq, command: { kind: 'end', reason: 'x' }, version: seq, accepted: true, events: [] }, state: {} as GameState, effects: null });

describe('CommitQueue.pending', () => {
  it('lists the write in flight, then the entries waiting for the next, and nothing once stored', async () => {
    const gates: (() => void)[] = [];
    const queue = new CommitQueue<null>({
      write: () => new Promise<void>((release) => gates.push(release)),
      onFail: () => undefined,
      retriable: (cause) => new Error(String(cause)),
    });
    const first = queue.push(unsaved(1));
    const rest = [queue.push(unsaved(2)), queue.push(unsaved(3))];
    expect(queue.pending().map((u) => u.entry.seq)).toEqual([1, 2, 3]);
    gates.shift()!();
    await first;
    // The second write (2 and 3) is in flight now.
    expect(queue.pending().map((u) => u.entry.seq)).toEqual([2, 3]);
    gates.shift()!();
    await Promise.all(rest);
    expect(queue.pending()).toEqual([]);
  });

  it('holds nothing after a failed write', async () => {
    const queue = new CommitQueue<null>({ write: () => Promise.reject(new Error('away')), onFail: () => undefined, retriable: (cause) => new Error(String(cause)) });
    const pushed = [queue.push(unsaved(1)), queue.push(unsaved(2))];
    await Promise.allSettled(pushed);
    expect(queue.dead).toBe(true);
    expect(queue.pending()).toEqual([]);
  });
});
