import { describe, expect, it } from 'vitest';
import { KeyedChain } from './keyed-chain.ts';

/** A task that finishes when `release` is called, recording when it started and ended. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
  };
}

describe('KeyedChain', () => {
  it('runs the tasks of one key one after another, in the order handed over', async () => {
    const chain = new KeyedChain();
    const log: string[] = [];
    const slow = gate(log, 'first');
    const fast = gate(log, 'second');
    fast.release();
    const first = chain.run('c1', slow.task);
    const second = chain.run('c1', fast.task);
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['first start']);
    slow.release();
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('runs the tasks of different keys at once', async () => {
    const chain = new KeyedChain();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const ra = chain.run('c1', a.task);
    const rb = chain.run('c2', b.task);
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['a start', 'b start']);
    b.release();
    await expect(rb).resolves.toBe('b');
    a.release();
    await expect(ra).resolves.toBe('a');
  });

  it('goes on after a failed task, hands the failure to its caller, and forgets settled keys', async () => {
    const chain = new KeyedChain();
    const failed = chain.run('c1', async () => {
      throw new Error('refused');
    });
    const next = chain.run('c1', async () => 'sent');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('sent');
    await new Promise((r) => setTimeout(r, 0));
    expect(chain.size).toBe(0);
  });
});
