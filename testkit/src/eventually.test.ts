import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';

describe('eventually', () => {
  it('returns the first value that is neither undefined nor false, retrying throws', async () => {
    let n = 0;
    const got = await eventually('the third try', () => {
      n++;
      if (n === 1) throw new Error('not yet');
      return n === 3 ? { n } : false;
    }, 1_000, 1);
    expect(got).toEqual({ n: 3 });
  });

  it('names what it waited for and the last error when time runs out', async () => {
    await expect(eventually('the dragon', () => {
      throw new Error('still asleep');
    }, 20, 5)).rejects.toThrow('timed out after 0.02s waiting for the dragon (last error: Error: still asleep)');
  });
});
