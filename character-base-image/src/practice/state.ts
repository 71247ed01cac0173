import { CharacterGameViewSchema } from '@distributed-dungeon/contracts';
import type { CharacterConfig } from '../character/base.ts';
import type { GameState } from '../types.ts';

export interface PracticeMonster {
  name: string;
  hp: number;
  ac?: number;
  boss?: boolean;
}

export interface PracticeOptions {
  /** Monsters in the room; with any, a fight is on and it is the character's turn. */
  monsters?: PracticeMonster[];
  hp?: number;
  maxHp?: number;
  mana?: number;
}

/**
 * A game view as the Dungeon Master would send it, for trying a character's hooks without a
 * server (a player's own tests, `dungeon init`'s scaffolded test). Checked against the same
 * contract the engine's views are, so a hook that works on it sees real shapes.
 */
export function practiceState(config: Pick<CharacterConfig, 'name' | 'class' | 'level'> & { characterId?: string }, options: PracticeOptions = {}): GameState {
  const id = config.characterId ?? 'practice-character';
  const hp = options.hp ?? 20;
  const maxHp = options.maxHp ?? Math.max(hp, 20);
  const monsters = (options.monsters ?? []).map((m, i) => ({ id: `${m.name}-${i + 1}`, name: m.name, hp: m.hp, maxHp: m.hp, ac: m.ac ?? 12, boss: m.boss ?? false }));
  const me = {
    id, name: config.name, class: config.class, level: config.level, hp, maxHp, ac: 14, attackBonus: 4, weapon: { name: 'dagger', damage: '1d4+2' },
    initiativeBonus: 1, perception: 2, mana: options.mana ?? 0, maxMana: options.mana ?? 0, spells: [], roomId: 'practice-hall', previousRoomId: null,
    alive: true, present: true, defending: false, inventory: [], restsLeft: 3, xp: 0, kills: [], topicsHeard: {},
  };
  const combat = monsters.length
    ? {
        roomId: 'practice-hall',
        round: 1,
        order: [
          { kind: 'character' as const, id, name: config.name, hp, maxHp, initiative: 15, alive: true },
          ...monsters.map((m) => ({ kind: 'monster' as const, id: m.id, name: m.name, hp: m.hp, maxHp: m.maxHp, initiative: 10, alive: true })),
        ],
        active: { kind: 'character' as const, id },
        myTurn: true,
      }
    : null;
  return CharacterGameViewSchema.parse({
    sessionId: 'practice',
    worldId: 'practice',
    version: 1,
    status: 'active',
    outcome: null,
    characterId: id,
    me,
    room: {
      id: 'practice-hall', name: 'Practice hall', description: 'A quiet hall for trying things out.', exits: { north: 'practice-yard' },
      monsters, fallen: [], npcs: [], characters: [id], container: null, traps: [], discoveries: [],
    },
    combat,
    party: [{ id, name: config.name, class: config.class, level: config.level, hp, maxHp, alive: true, present: true, roomId: 'practice-hall' }],
  }) as GameState;
}
