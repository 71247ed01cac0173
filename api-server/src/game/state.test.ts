import { describe, expect, it } from 'vitest';
import { scriptedRng } from './rng.ts';
import { createSession } from './session.ts';
import { emit, newCtx, tell } from './state.ts';
import { tinyWorld } from '../../test/game/fixtures.ts';

describe('events carry their cause', () => {
  const ctx = () => newCtx(createSession(tinyWorld(), 's-1', 1).state, scriptedRng([]), { actorId: 'thorin', clientActionId: 'c-7' });

  it("stamps the acting character and its clientActionId on what its action causes", () => {
    const c = ctx();
    emit(c, 'exploration.looked', { roomId: 'gate' });
    tell(c, 'thorin', 'exploration.look', { roomId: 'gate' });
    expect(c.events.map((e) => e.data)).toEqual([
      { roomId: 'gate', actorId: 'thorin', clientActionId: 'c-7' },
      { roomId: 'gate', actorId: 'thorin', clientActionId: 'c-7' },
    ]);
  });

  it('keeps the actor an event names itself: a monster fleeing during a character\'s action', () => {
    const c = ctx();
    emit(c, 'combat.flee', { actorKind: 'monster', actorId: 'goblin', success: true });
    expect(c.events[0]!.data).toMatchObject({ actorKind: 'monster', actorId: 'goblin', clientActionId: 'c-7' });
  });
});

describe('working copies', () => {
  it('copy the session and share its static world, frozen: a rule cannot change the world under another session', () => {
    const state = createSession(tinyWorld(), 's-2', 1).state;
    const c = newCtx(state, scriptedRng([]));
    expect(c.state).not.toBe(state);
    expect(c.state.characters).not.toBe(state.characters);
    expect(c.state.world).toBe(state.world);
    expect(Object.isFrozen(c.state.world.rooms[0])).toBe(true);
    expect(() => {
      c.state.world.rooms[0]!.name = 'changed';
    }).toThrow(TypeError);
    c.state.version += 1;
    expect(state.version).not.toBe(c.state.version);
  });
});
