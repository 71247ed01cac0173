import { createSession, joinCharacter, type JoiningCharacter } from '../../src/game/session.ts';
import type { GameState } from '../../src/game/state.ts';
import { parseWorld, type World, type WorldInput } from '../../src/game/world.ts';

// A tiny world for rule tests: gate → (north) den with an ogre; gate → (east) hall with a trap;
// gate has a sage; den → (north) lair with the boss.

export function tinyWorld(overrides: { ogreHp?: number; ogreFlee?: number } = {}): World {
  const input: WorldInput = {
    id: 'tiny',
    name: 'Tiny',
    entrance: 'gate',
    bossRoom: 'lair',
    rooms: [
      {
        id: 'gate',
        name: 'Gate',
        description: 'A gate.',
        exits: { north: 'den', east: 'hall' },
        npcs: [
          {
            id: 'sage',
            name: 'Sage',
            greeting: 'Hello, traveller.',
            unknown: 'Hm?',
            topics: {
              lair: { text: 'The lair is north of the den.' },
              boss: { text: 'The boss fears fire.', requires: 'lair', gives: [{ item_id: 'torch', name: 'Torch', quantity: 1 }] },
            },
          },
        ],
      },
      {
        id: 'den',
        name: 'Den',
        description: 'A den.',
        exits: { south: 'gate', north: 'lair' },
        monsters: [
          {
            id: 'ogre',
            name: 'ogre',
            hp: overrides.ogreHp ?? 30,
            ac: 13,
            attackBonus: 4,
            damage: '1d6+2',
            fleeAtHp: overrides.ogreFlee ?? 0,
            loot: [{ item_id: 'club', name: 'Club', quantity: 1 }],
          },
        ],
      },
      {
        id: 'hall',
        name: 'Hall',
        description: 'A hall.',
        exits: { west: 'gate' },
        traps: [{ id: 'spikes', name: 'spikes', dc: 15, damage: '2d4' }],
        discoveries: [{ id: 'coin', description: 'A coin under a flagstone.', dc: 12, items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 1 }] }],
      },
      {
        id: 'lair',
        name: 'Lair',
        description: 'The lair.',
        exits: { south: 'den' },
        monsters: [{ id: 'boss', name: 'Boss', hp: 5, ac: 10, attackBonus: 2, damage: '1d4', boss: true }],
      },
    ],
  };
  return parseWorld(input);
}

export const FIGHTER: JoiningCharacter = { characterId: 'thorin', name: 'Thorin', class: 'fighter', level: 1 };
export const WIZARD: JoiningCharacter = { characterId: 'elara', name: 'Elara', class: 'wizard', level: 1 };
export const CLERIC: JoiningCharacter = { characterId: 'mira', name: 'Mira', class: 'cleric', level: 1 };

/** A session of the tiny world with these characters at the gate. */
export function tinySession(party: JoiningCharacter[] = [FIGHTER], world: World = tinyWorld()): GameState {
  let state = createSession(world, 's-1', 1234).state;
  for (const p of party) state = joinCharacter(state, p).state;
  return state;
}
