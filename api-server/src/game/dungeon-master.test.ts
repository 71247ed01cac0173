import { afterEach, describe, expect, it, vi } from 'vitest';
import { DungeonMaster, TURN_PROMPT, type StoredSession } from './dungeon-master.ts';
import type { LogEntry } from './log.ts';
import { replay } from './log.ts';
import type { GameEvent } from './state.ts';
import { FIGHTER, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';

describe('DungeonMaster', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs sessions, defends for a character that does not answer in time, and its log replays', async () => {
    vi.useFakeTimers();
    const published: GameEvent[] = [];
    const dm = new DungeonMaster({
      worlds: new Map([['tiny', tinyWorld()]]),
      defaultWorldId: 'tiny',
      turnTimeoutMs: 5000,
      seedFor: () => 99,
      onEvents: (_sid, events) => published.push(...events),
    });
    await dm.createSession('tiny', 's-1');
    const joined = await dm.join('s-1', { ...FIGHTER, class: 'fighter' });
    expect(joined.gameState).toMatchObject({ characterId: 'thorin', room: { id: 'gate' }, combat: null });
    await dm.join('s-1', WIZARD);
    const moved = await dm.handleAction('s-1', { type: 'exploration.move', characterId: 'thorin', direction: 'north' });
    expect(moved.accepted).toBe(true);
    expect(moved.events.some((e) => e.type === 'combat.started')).toBe(true);
    const refused = await dm.handleAction('s-1', { type: 'exploration.move', characterId: 'ghost', direction: 'north' });
    expect(refused).toMatchObject({ accepted: false, reason: expect.stringMatching(/^unknown_character/) });

    // Nobody answers: every 5 s whoever is up defends, and the fight goes on without them.
    await vi.advanceTimersByTimeAsync(5000);
    expect(published.find((e) => e.type === 'combat.defend')?.data).toMatchObject({ characterId: 'thorin', timedOut: true });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(published.filter((e) => e.type === 'combat.defend').length).toBeGreaterThanOrEqual(3);

    const s = dm.session('s-1')!;
    expect(replay(s.world, s.seed, s.log)).toEqual(s.state);
    expect(await dm.getState('s-1', 'thorin')).toMatchObject({ characterId: 'thorin', version: s.state.version });
    await dm.close();
  });

  it('prompts whoever is up on its private channel, and restores a session from its stored log', async () => {
    const stored = new Map<string, StoredSession>();
    const store = {
      save: (sid: string, entry: LogEntry, state: { worldId: string; seed: number }) => {
        const s = stored.get(sid) ?? { worldId: state.worldId, seed: state.seed, entries: [] };
        s.entries.push(entry);
        stored.set(sid, s);
      },
      load: async (sid: string) => stored.get(sid) ?? null,
    };
    const worlds = new Map([['tiny', tinyWorld()]]);
    const dm = new DungeonMaster({ worlds, defaultWorldId: 'tiny', seedFor: () => 7, store });
    await dm.createSession('tiny', 's-2');
    await dm.join('s-2', { ...FIGHTER, class: 'fighter' });
    const moved = await dm.handleAction('s-2', { type: 'exploration.move', characterId: 'thorin', direction: 'north' });
    const prompts = moved.events.filter((e) => e.type === TURN_PROMPT);
    const last = moved.events.at(-1)!;
    expect(prompts).toHaveLength(1);
    expect(last).toMatchObject({ type: TURN_PROMPT, characterId: 'thorin', data: { roomId: 'den', round: expect.any(Number) } });
    expect(last.version).toBeUndefined();
    expect(last.data.version).toBe(dm.session('s-2')!.state.version);

    const before = dm.session('s-2')!.state;
    await dm.close();
    const published: string[] = [];
    const again = new DungeonMaster({ worlds, defaultWorldId: 'tiny', seedFor: () => 1, store, onEvents: (_sid, events) => published.push(...events.map((e) => e.type)) });
    expect(await again.load('s-2')).toEqual(before);
    expect(published).toEqual([TURN_PROMPT]);
    const attack = await again.handleAction('s-2', { type: 'combat.attack', characterId: 'thorin', target: 'ogre' });
    expect(attack.accepted).toBe(true);
    expect(stored.get('s-2')!.entries.map((e) => e.seq)).toEqual(stored.get('s-2')!.entries.map((_, i) => i));
    await again.close();
  });
});
