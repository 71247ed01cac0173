import { afterEach, describe, expect, it, vi } from 'vitest';
import { DungeonMaster } from './dungeon-master.ts';
import { replay } from './log.ts';
import type { GameEvent } from './state.ts';
import { FIGHTER, tinyWorld, WIZARD } from './test-fixtures.ts';

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
});
