import { describe, expect, it } from 'vitest';
import { DungeonMaster, type StoredSession } from './dungeon-master.ts';
import type { LogEntry } from './log.ts';
import type { GameState } from './state.ts';
import { FIGHTER, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';

// A new owner restores a session from its newest snapshot plus the log's tail: the same state
// as replaying the whole log, and the log carries on at the right position.

describe('DungeonMaster restored from a snapshot', () => {
  it('reaches the state of the whole log and appends after it', async () => {
    const entries: LogEntry[] = [];
    const snapshots: { seq: number; state: Omit<GameState, 'world'> }[] = [];
    let meta: { worldId: string; seed: number } | null = null;
    const store = {
      save: (_sid: string, entry: LogEntry, state: GameState) => {
        meta ??= { worldId: state.worldId, seed: state.seed };
        entries.push(entry);
        // Through JSON, as PostgreSQL stores it.
        if (entry.seq === 3) snapshots.push({ seq: entry.seq, state: JSON.parse(JSON.stringify({ ...state, world: undefined })) as Omit<GameState, 'world'> });
      },
      load: async (): Promise<StoredSession | null> => null,
    };
    const worlds = new Map([['tiny', tinyWorld()]]);
    const first = new DungeonMaster({ worlds, defaultWorldId: 'tiny', seedFor: () => 5, store });
    await first.createSession('tiny', 's');
    await first.join('s', { ...FIGHTER, class: 'fighter' });
    await first.join('s', WIZARD);
    await first.handleAction('s', { type: 'exploration.move', characterId: 'thorin', direction: 'north' });
    await first.handleAction('s', { type: 'combat.attack', characterId: 'thorin', target: 'ogre' });
    await first.handleAction('s', { type: 'combat.attack', characterId: 'elara', target: 'ogre' });
    const whole = first.session('s')!.state;
    await first.close();
    expect(snapshots).toHaveLength(1);

    const restoredFrom: unknown[] = [];
    const tailStore = {
      ...store,
      load: async (): Promise<StoredSession> => ({ ...meta!, snapshot: snapshots[0]!, entries: entries.filter((e) => e.seq > 3) }),
    };
    const next = new DungeonMaster({ worlds, defaultWorldId: 'tiny', seedFor: () => 5, store: tailStore, onRestored: (_sid, info) => restoredFrom.push(info) });
    expect(await next.load('s')).toEqual(whole);
    expect(restoredFrom).toEqual([{ snapshotSeq: 3, replayed: entries.length - 4 }]);
    const before = entries.length;
    await next.handleAction('s', { type: 'exploration.look', characterId: 'thorin' });
    expect(entries.at(-1)!.seq).toBe(before);
    expect(next.session('s')!.log.map((e) => e.seq)[0]).toBe(4);
    await next.close();
  });
});
