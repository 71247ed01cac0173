import { describe, expect, it } from 'vitest';
import { FIGHTER, tinySession, WIZARD } from '../../test/game/fixtures.ts';
import { characterView, sessionView } from '../game/view.ts';
import { charactersInRoomOfView, factsFromCharacterView } from './engine-view.ts';

// The container system reads the engine's own views (the shapes GameEngine.getState returns);
// these run the real views, so a renamed field on the engine's side fails here.
describe('reading the engine views', () => {
  it('a character at the entrance: placed, alive, no fight', () => {
    const state = tinySession([FIGHTER, WIZARD]);
    expect(factsFromCharacterView(state.sessionId, characterView(state, 'thorin'))).toEqual({
      location: { sessionId: state.sessionId, roomId: 'gate' },
      alive: true,
      inCombat: false,
    });
  });

  it('dead, and a fight going on in its room', () => {
    const state = tinySession([FIGHTER, WIZARD]);
    state.characters.thorin!.alive = false;
    state.encounters.gate = { roomId: 'gate', round: 1, order: [{ kind: 'character', id: 'elara', initiative: 12 }], turnIndex: 0 };
    expect(factsFromCharacterView(state.sessionId, characterView(state, 'thorin'))).toMatchObject({ alive: false, inCombat: true });
    expect(factsFromCharacterView(state.sessionId, characterView(state, 'elara'))).toMatchObject({ alive: true, inCombat: true });
  });

  it('a fight in another room is not its fight', () => {
    const state = tinySession([FIGHTER, WIZARD]);
    state.characters.elara!.roomId = 'den';
    state.encounters.den = { roomId: 'den', round: 1, order: [{ kind: 'character', id: 'elara', initiative: 12 }], turnIndex: 0 };
    expect(factsFromCharacterView(state.sessionId, characterView(state, 'thorin')).inCombat).toBe(false);
  });

  it('a session view (the character is not in the session) places no one', () => {
    const state = tinySession([FIGHTER]);
    expect(factsFromCharacterView(state.sessionId, sessionView(state))).toEqual({ location: null, alive: true, inCombat: false });
    expect(factsFromCharacterView('s', null).location).toBeNull();
  });

  it('who is in a room, from the session view', () => {
    const state = tinySession([FIGHTER, WIZARD]);
    state.characters.elara!.roomId = 'den';
    expect(charactersInRoomOfView(sessionView(state), 'gate')).toEqual(['thorin']);
    expect(charactersInRoomOfView(sessionView(state), 'den')).toEqual(['elara']);
    expect(charactersInRoomOfView(sessionView(state), 'lair')).toEqual([]);
    expect(charactersInRoomOfView(null, 'gate')).toEqual([]);
  });
});

describe('a character that left', () => {
  it('stands nowhere', () => {
    const state = tinySession([FIGHTER]);
    state.characters.thorin!.present = false;
    expect(factsFromCharacterView(state.sessionId, characterView(state, 'thorin')).location).toBeNull();
  });
});
