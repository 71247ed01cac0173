import { describe, expect, it } from 'vitest';
import { leaseAction, mayAct, observe } from './lease.ts';

const held = (holder: string, renewTime: string) => ({ holderIdentity: holder, renewTime, leaseDurationSeconds: 15, leaseTransitions: 1 });

describe('observe', () => {
  it('keeps the first time it saw a record while the record stays the same', () => {
    const first = observe(undefined, held('a', '2020-01-01T00:00:00.000000Z'), 1_000, 15);
    expect(first.at).toBe(1_000);
    expect(observe(first, held('a', '2020-01-01T00:00:00.000000Z'), 9_000, 15)).toBe(first);
  });

  it('restarts the clock when the holder renews, whatever time the holder wrote', () => {
    const first = observe(undefined, held('a', '2030-01-01T00:00:00.000000Z'), 1_000, 15);
    // The holder's clock went backwards by ten years: still a renewal, seen now.
    const next = observe(first, held('a', '2020-01-01T00:00:00.000000Z'), 5_000, 15);
    expect(next.at).toBe(5_000);
    expect(next.holder).toBe('a');
  });

  it('takes the duration from the record, or the default', () => {
    expect(observe(undefined, { holderIdentity: 'a', leaseDurationSeconds: 4 }, 0, 15).durationMs).toBe(4_000);
    expect(observe(undefined, { holderIdentity: 'a' }, 0, 15).durationMs).toBe(15_000);
  });
});

describe('leaseAction', () => {
  it('renews its own lease and acquires a free one', () => {
    expect(leaseAction(observe(undefined, held('me', 'x'), 0, 15), 'me', 0)).toBe('renew');
    expect(leaseAction(observe(undefined, { holderIdentity: '' }, 0, 15), 'me', 0)).toBe('acquire');
  });

  it('waits out a full lease duration of its own observation before taking another holder’s lease', () => {
    // A renewTime far in the past by our wall clock means nothing: we only just saw it.
    const seen = observe(undefined, held('other', '1970-01-01T00:00:00.000000Z'), 100_000, 15);
    expect(leaseAction(seen, 'me', 100_000)).toBe('wait');
    expect(leaseAction(seen, 'me', 114_999)).toBe('wait');
    expect(leaseAction(seen, 'me', 115_000)).toBe('acquire');
  });

  it('never takes a lease the holder keeps renewing, even when its timestamps are in the past', () => {
    let seen = observe(undefined, held('other', '2000-01-01T00:00:00.000000Z'), 0, 15);
    for (let t = 5_000; t <= 60_000; t += 5_000) {
      seen = observe(seen, held('other', `2000-01-01T00:00:${String(t / 1000).padStart(2, '0')}.000000Z`), t, 15);
      expect(leaseAction(seen, 'me', t + 4_999)).toBe('wait');
    }
  });
});

describe('mayAct', () => {
  it('lets a leader act only until the renew deadline after its last renewal started', () => {
    expect(mayAct(true, 1_000, 1_000, 10_000)).toBe(true);
    expect(mayAct(true, 1_000, 10_999, 10_000)).toBe(true);
    expect(mayAct(true, 1_000, 11_000, 10_000)).toBe(false);
  });

  it('never lets a standby act', () => {
    expect(mayAct(false, 1_000, 1_000, 10_000)).toBe(false);
    expect(mayAct(true, undefined, 1_000, 10_000)).toBe(false);
  });

  it('stops a paused leader before a standby that saw its last renewal may take over', () => {
    // Leader renews at t=0 (its clock); the standby sees that write a little later (t=50).
    const standbySaw = observe(undefined, held('leader', 'r1'), 50, 15);
    const deadlineMs = 10_000;
    const firstTakeover = standbySaw.at + standbySaw.durationMs;
    expect(mayAct(true, 0, firstTakeover, deadlineMs)).toBe(false);
    expect(leaseAction(standbySaw, 'standby', firstTakeover)).toBe('acquire');
  });
});
