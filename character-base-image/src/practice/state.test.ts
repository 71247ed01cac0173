import { describe, expect, it } from 'vitest';
import { CombatAI } from '../ai/combat.ts';
import { practiceState } from './state.ts';

describe('practiceState', () => {
  it('puts the character in a fight on its turn when there are monsters', () => {
    const s = practiceState({ name: 'Ada', class: 'wizard', level: 3, characterId: 'ada' }, { monsters: [{ name: 'ogre', hp: 30, boss: true }], mana: 6 });
    expect(s.combat?.myTurn).toBe(true);
    expect(s.combat?.order.map((c) => c.id)).toEqual(['ada', 'ogre-1']);
    expect(s.room.monsters[0]).toMatchObject({ id: 'ogre-1', hp: 30, boss: true });
    expect(new CombatAI({ aggressive: true }).decideCombatAction(s)).toMatchObject({ target: 'ogre-1' });
  });

  it('is calm without monsters', () => {
    expect(practiceState({ name: 'Ada', class: 'wizard', level: 3 }).combat).toBeNull();
  });
});
