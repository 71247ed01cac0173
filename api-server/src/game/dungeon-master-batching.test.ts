import type { Action } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { FIGHTER, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';
import { gatedStore } from '../../test/game/gated-store.ts';
import { DungeonMaster, StoreConflictError, type DungeonMasterOptions } from './dungeon-master.ts';
import { replay } from './log.ts';

// Group commit: commands that queue up while a write is in flight are applied in order and
// stored together in the next write; each caller is answered when its write commits.

const look = (characterId: string, clientActionId?: string): Action => ({ type: 'exploration.look', characterId, ...(clientActionId ? { clientActionId } : {}) });

async function started(t: ReturnType<typeof gatedStore>, opts: Pick<DungeonMasterOptions, 'itemInputs'> = {}) {
  const dm = new DungeonMaster({ worlds: new Map([['tiny', tinyWorld()]]), defaultWorldId: 'tiny', seedFor: () => 5, store: t.store, ...opts });
  await dm.createSession('tiny', 's');
  await dm.join('s', FIGHTER);
  await dm.join('s', WIZARD);
  return dm;
}

/** Lets the event loop run until nothing more happens on its own. */
const idle = () => new Promise((r) => setImmediate(r));

describe('DungeonMaster group commit', () => {
  it('stores the commands that queued during a write together, in order, and answers each once its write committed', async () => {
    const t = gatedStore();
    const dm = await started(t);
    t.gate(true);
    const answered: number[] = [];
    const first = dm.handleAction('s', look('thorin')).then(() => answered.push(0));
    const firstWrite = await t.next();
    const rest = [1, 2, 3, 4, 5].map((n) => dm.handleAction('s', look(n % 2 ? 'elara' : 'thorin')).then(() => answered.push(n)));
    await idle();
    // All five are applied in memory, none is answered: their entries are not stored yet.
    expect(dm.session('s')!.log.length).toBe(3 + 6);
    expect(answered).toEqual([]);
    firstWrite.release();
    await first;
    const secondWrite = await t.next();
    expect(answered).toEqual([0]);
    secondWrite.release();
    await Promise.all(rest);
    expect(answered).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.writes.slice(-2)).toEqual([[3], [4, 5, 6, 7, 8]]);
    const s = t.stored.get('s')!;
    expect(s.entries.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.entries.slice(3).map((e) => (e.command.kind === 'action' ? e.command.action.characterId : null))).toEqual(['thorin', 'elara', 'thorin', 'elara', 'thorin', 'elara']);
    expect(replay(tinyWorld(), 5, s.entries)).toEqual(dm.session('s')!.state);
    await dm.close();
  });

  it('fails every command of a failed write and those queued behind it, and reloads what the store holds', async () => {
    const t = gatedStore();
    const dm = await started(t);
    t.gate(true);
    const first = dm.handleAction('s', look('thorin'));
    const firstWrite = await t.next();
    const batch = [dm.handleAction('s', look('elara')), dm.handleAction('s', look('thorin'))];
    await idle();
    t.gate(false);
    firstWrite.fail(new Error('database away'));
    await expect(first).rejects.toThrow('database away');
    // Queued behind the failed write, never tried: applied again to the reloaded session.
    await expect(Promise.all(batch)).resolves.toHaveLength(2);
    expect(t.loads()).toBeGreaterThanOrEqual(1);
    const s = t.stored.get('s')!;
    expect(s.entries.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(dm.session('s')!.state).toEqual(replay(tinyWorld(), 5, s.entries));
    await dm.close();
  });

  it('fails the whole batch when its write fails: none of it is in memory afterwards', async () => {
    const t = gatedStore();
    const dm = await started(t);
    const before = dm.session('s')!.state;
    t.gate(true);
    const first = dm.handleAction('s', look('thorin'));
    const firstWrite = await t.next();
    const batch = [dm.handleAction('s', look('elara')), dm.handleAction('s', look('thorin'))];
    await idle();
    firstWrite.release();
    await first;
    const secondWrite = await t.next();
    t.gate(false);
    secondWrite.fail(new Error('disk full'));
    const results = await Promise.allSettled(batch);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'answered'))).toEqual(['Error: disk full', 'Error: disk full']);
    // Dropped from memory; the next use reloads what the store holds: up to the first action.
    expect(dm.held()).not.toContain('s');
    const reloaded = await dm.load('s');
    expect(t.stored.get('s')!.entries.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(dm.session('s')!.log.length).toBe(4);
    expect(reloaded).toEqual(replay(tinyWorld(), 5, t.stored.get('s')!.entries));
    expect(reloaded.version).toBeGreaterThanOrEqual(before.version);
    await dm.close();
  });

  it('applies again every command of a batch whose write met another writer (StoreConflictError)', async () => {
    const t = gatedStore();
    const dm = await started(t);
    t.gate(true);
    const first = dm.handleAction('s', look('thorin'));
    const firstWrite = await t.next();
    const batch = [dm.handleAction('s', look('elara')), dm.handleAction('s', look('thorin')), dm.handleAction('s', look('elara'))];
    await idle();
    firstWrite.release();
    await first;
    const secondWrite = await t.next();
    t.gate(false);
    secondWrite.fail(new StoreConflictError('another replica wrote entry 4'));
    const answers = await Promise.all(batch);
    expect(answers.every((a) => a.accepted)).toBe(true);
    const entries = t.stored.get('s')!.entries;
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(entries.slice(4).map((e) => (e.command.kind === 'action' ? e.command.action.characterId : null))).toEqual(['elara', 'thorin', 'elara']);
    await dm.close();
  });

  it('answers a retry of an action still unsaved with the recorded answer once it is stored, without applying it twice', async () => {
    const t = gatedStore();
    const dm = await started(t);
    t.gate(true);
    const first = dm.handleAction('s', look('thorin', 'c-1'));
    const firstWrite = await t.next();
    const retry = dm.handleAction('s', look('thorin', 'c-1'));
    await idle();
    firstWrite.release();
    t.gate(false);
    const [a, b] = await Promise.all([first, retry]);
    expect(a.accepted).toBe(true);
    expect(b).toMatchObject({ previous: { recordedSeq: 3 } });
    const applied = t.stored.get('s')!.entries.filter((e) => e.command.kind === 'action' && e.command.action.clientActionId === 'c-1');
    expect(applied).toHaveLength(1);
    await dm.close();
  });

  it('asks the store for recorded answers before the queue: the reads of several actions run at once', async () => {
    const t = gatedStore();
    const dm = await started(t);
    const asked = t.store.previous!;
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    t.store.previous = async (sid, action, meta) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => release.push(r));
      inFlight--;
      return asked(sid, action, meta);
    };
    const answers = [dm.handleAction('s', look('thorin', 'k-1')), dm.handleAction('s', look('elara', 'k-2')), dm.handleAction('s', look('thorin', 'k-3'))];
    while (release.length < 3) await idle();
    expect(most).toBe(3);
    for (const r of release.splice(0)) r();
    expect((await Promise.all(answers)).map((a) => a.accepted)).toEqual([true, true, true]);
    expect(t.stored.get('s')!.entries.slice(3).map((e) => (e.command.kind === 'action' ? e.command.action.clientActionId : null))).toEqual(['k-1', 'k-2', 'k-3']);
    await dm.close();
  });

  it('applies once two copies of one action sent together, though both were looked up before either was applied', async () => {
    const t = gatedStore();
    const dm = await started(t);
    const [a, b] = await Promise.all([dm.handleAction('s', look('thorin', 'twice')), dm.handleAction('s', look('thorin', 'twice'))]);
    expect(a.accepted).toBe(true);
    expect(b).toMatchObject({ previous: { recordedSeq: 3 } });
    const later = await dm.handleAction('s', look('thorin', 'twice'));
    expect(later).toMatchObject({ previous: { recordedSeq: 3 } });
    expect(t.stored.get('s')!.entries.filter((e) => e.command.kind === 'action' && e.command.action.clientActionId === 'twice')).toHaveLength(1);
    await dm.close();
  });

  it("trusts an answer the caller read after taking a ticket, and the store is not asked again", async () => {
    const t = gatedStore();
    const dm = await started(t);
    let asked = 0;
    const previous = t.store.previous!;
    t.store.previous = async (sid, action, meta) => {
      asked++;
      return previous(sid, action, meta);
    };
    const ticket = dm.answerTicket('s')!;
    // The caller found an answer recorded for this key: it is the answer, nothing is applied.
    const replayed = await dm.handleAction('s', look('thorin', 'seen'), undefined, { ticket, answer: { recordedSeq: 99 } });
    expect(replayed).toMatchObject({ previous: { recordedSeq: 99 } });
    // It found none: the action is applied, and the store was asked neither time.
    const fresh = await dm.handleAction('s', look('thorin', 'new'), undefined, { ticket: dm.answerTicket('s')!, answer: null });
    expect(fresh.accepted).toBe(true);
    expect(asked).toBe(0);
    expect(t.stored.get('s')!.entries.filter((e) => e.command.kind === 'action').map((e) => (e.command.kind === 'action' ? e.command.action.clientActionId : null))).toEqual(['new']);
    await dm.close();
  });

  it('applies once a copy whose caller read no answer while the first copy was unsaved (ticket taken before the first was applied)', async () => {
    const t = gatedStore();
    const dm = await started(t);
    t.gate(true);
    // The second copy's read began before the first copy was applied, so it found nothing.
    const ticket = dm.answerTicket('s')!;
    const first = dm.handleAction('s', look('thorin', 'dup'));
    const firstWrite = await t.next();
    const second = dm.handleAction('s', look('thorin', 'dup'), undefined, { ticket, answer: null });
    await idle();
    firstWrite.release();
    t.gate(false);
    const [a, b] = await Promise.all([first, second]);
    expect(a.accepted).toBe(true);
    expect(b).toMatchObject({ previous: { recordedSeq: 3 } });
    expect(t.stored.get('s')!.entries.filter((e) => e.command.kind === 'action' && e.command.action.clientActionId === 'dup')).toHaveLength(1);
    await dm.close();
  });

  it("does not trust a caller's read whose ticket was taken on a record since dropped (the session reloaded): the store is asked in the queue", async () => {
    const t = gatedStore();
    const dm = await started(t);
    await dm.handleAction('s', look('thorin', 'old'));
    const ticket = dm.answerTicket('s')!;
    dm.forget('s');
    // A wrong "no answer" with a stale ticket must not apply the action a second time.
    const again = await dm.handleAction('s', look('thorin', 'old'), undefined, { ticket, answer: null });
    expect(again).toMatchObject({ previous: { recordedSeq: 3 } });
    expect(t.stored.get('s')!.entries.filter((e) => e.command.kind === 'action' && e.command.action.clientActionId === 'old')).toHaveLength(1);
    await dm.close();
  });
});
