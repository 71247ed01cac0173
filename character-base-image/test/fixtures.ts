import type { GameState } from '../src/types.ts';

/** A character view as the engine sends it: Thorin at the gate, an ogre to the north. */
export function sampleState(overrides: Partial<GameState> = {}): GameState {
  return {
    sessionId: 's-1',
    worldId: 'tiny',
    version: 10,
    status: 'active',
    outcome: null,
    characterId: 'thorin',
    me: {
      id: 'thorin', name: 'Thorin', class: 'fighter', level: 1, hp: 12, maxHp: 12, ac: 17, attackBonus: 5, weapon: { name: 'longsword', damage: '1d8+3' },
      initiativeBonus: 1, perception: 3, mana: 0, maxMana: 0, spells: [], roomId: 'gate', previousRoomId: null, alive: true, present: true,
      defending: false, inventory: [], restsLeft: 3, xp: 0, kills: [], topicsHeard: {},
    },
    room: {
      id: 'gate', name: 'Gate', description: 'A gate.', exits: { north: 'den', east: 'hall' }, monsters: [], fallen: [],
      npcs: [{ id: 'sage', name: 'Sage', description: 'An old sage.', topics: ['lair'] }], characters: ['thorin'], container: null, traps: [], discoveries: [],
    },
    combat: null,
    party: [{ id: 'thorin', name: 'Thorin', class: 'fighter', level: 1, hp: 12, maxHp: 12, alive: true, present: true, roomId: 'gate' }],
    ...overrides,
  };
}

export const denRoom = {
  id: 'den', name: 'Den', description: 'A den.', exits: { south: 'gate' }, monsters: [{ id: 'ogre', name: 'ogre', hp: 30, maxHp: 30, ac: 13, boss: false }],
  fallen: [], npcs: [], characters: ['thorin'], container: null, traps: [], discoveries: [],
};
