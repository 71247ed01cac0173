import { describe, expect, it } from 'vitest';
import { autoplay } from '../../test/game/autoplay.ts';
import { replay, ReplayDivergence } from './log.ts';
import { loadWorlds } from './world-files.ts';
import type { JoiningCharacter } from './session.ts';

const party: JoiningCharacter[] = [
  { characterId: 'thorin', name: 'Thorin', class: 'fighter', level: 3 },
  { characterId: 'elara', name: 'Elara', class: 'wizard', level: 3 },
  { characterId: 'vex', name: 'Vex', class: 'rogue', level: 3 },
];

describe('session log and replay', async () => {
  const world = (await loadWorlds()).get('crypt-of-dawn')!;

  it('a fixed-seed session plays to the end and replays to the same final state', () => {
    const { state, log, commands } = autoplay(world, 42, party);
    expect(state.status).toBe('ended');
    expect(state.outcome).toBe('victory');
    const events = log.entries().flatMap((e) => e.events);
    expect(events.some((e) => e.type === 'corpse.created')).toBe(true);
    expect(events.some((e) => e.type === 'exploration.trap')).toBe(true);
    expect(replay(world, 42, log.entries())).toEqual(state);
    expect(replay(world, 42, commands)).toEqual(state);
    // The versions in the log have no gaps.
    const versions = events.filter((e) => e.version !== undefined).map((e) => e.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(log.eventsSince(state.version - 2).map((e) => e.version)).toEqual([state.version - 1, state.version]);
  });

  it('a session the game master ended replays to the same ended state', () => {
    const { log, commands } = autoplay(world, 42, party, 40);
    const ended = [...commands, { kind: 'end' as const, reason: 'closing time' }];
    const state = replay(world, 42, ended);
    expect(state).toMatchObject({ status: 'ended', outcome: 'closed' });
    expect(Object.values(state.characters).every((c) => !c.present)).toBe(true);
    expect(replay(world, 42, ended)).toEqual(state);
    expect(log.entries().length).toBe(commands.length);
  });

  it('replay notices a log that does not match the seed', () => {
    const { log } = autoplay(world, 42, party, 40);
    expect(() => replay(world, 7, log.entries())).toThrow(ReplayDivergence);
  });
});
