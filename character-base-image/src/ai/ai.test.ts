import { describe, expect, it } from 'vitest';
import { CombatAI } from './combat.ts';
import { DecisionEngine } from './decision.ts';
import { ExplorationAI } from './exploration.ts';
import { SocialAI } from './social.ts';
import { denRoom, sampleState } from '../../test/fixtures.ts';
import type { GameState } from '../types.ts';

function inFight(me: Partial<GameState['me']> = {}, monsters = [{ id: 'rat', name: 'rat', hp: 3, maxHp: 5, ac: 12, boss: false }, { id: 'boss', name: 'Boss', hp: 40, maxHp: 40, ac: 15, boss: true }]): GameState {
  const base = sampleState();
  return {
    ...base,
    me: { ...base.me, roomId: 'den', ...me },
    room: { ...structuredClone(denRoom), monsters },
    combat: { roomId: 'den', round: 1, order: [], active: { kind: 'character', id: 'thorin' }, myTurn: true },
  };
}

describe('DecisionEngine', () => {
  it('picks the best-scoring applicable rule, first listed on a tie', () => {
    const engine = new DecisionEngine([
      { name: 'a', propose: () => ({ type: 'combat.defend' }), score: 5 },
      { name: 'b', propose: () => null, score: 100 },
      { name: 'c', propose: () => ({ type: 'combat.flee' }), score: 2.5, weight: 2 },
    ]);
    expect(engine.decide(sampleState())).toMatchObject({ rule: 'a', score: 5 });
    expect(engine.evaluate(sampleState()).map((d) => d.rule)).toEqual(['a', 'c']);
  });
});

describe('CombatAI', () => {
  it('aggressive attacks the weakest monster, even when hurt', () => {
    const ai = new CombatAI({ aggressive: true });
    expect(ai.decideCombatAction(inFight({ hp: 2 }))).toEqual({ type: 'combat.attack', target: 'rat', characterId: 'thorin' });
  });

  it('defensive flees when badly hurt, and defends rather than trading blows when wounded', () => {
    const ai = new CombatAI({ defensive: true });
    expect(ai.decideCombatAction(inFight({ hp: 2 })).type).toBe('combat.flee');
    expect(ai.decideCombatAction(inFight({ hp: 5 })).type).toBe('combat.defend');
    expect(ai.decideCombatAction(inFight({ hp: 12 })).type).toBe('combat.attack');
  });

  it('a caster prefers its strongest affordable spell, and heals a wounded ally first', () => {
    const wizard = new CombatAI({ preferSpells: true, targetPriority: 'boss' });
    expect(wizard.decideCombatAction(inFight({ spells: ['fire-bolt', 'magic-missile'], mana: 4 }))).toMatchObject({ type: 'combat.cast', spell: 'magic-missile', target: 'boss' });
    expect(wizard.decideCombatAction(inFight({ spells: ['fire-bolt', 'magic-missile'], mana: 1 }))).toMatchObject({ spell: 'fire-bolt' });
    const cleric = new CombatAI();
    const s = inFight({ spells: ['heal'], mana: 4 });
    s.party.push({ id: 'vex', name: 'Vex', class: 'rogue', level: 1, hp: 2, maxHp: 10, alive: true, present: true, roomId: 'den' });
    expect(cleric.decideCombatAction(s)).toMatchObject({ type: 'combat.cast', spell: 'heal', target: 'vex' });
  });
});

describe('ExplorationAI', () => {
  it('walks to unexplored exits, cautiously, and remembers where it has been', () => {
    const ai = new ExplorationAI({ cautious: true, saveForLast: ['hall'] });
    expect(ai.decideExploration(sampleState())).toEqual({ type: 'exploration.move', direction: 'north', cautious: true, characterId: 'thorin' });
    // Back at the gate having seen the den: the hall, saved for last, is all that is left.
    ai.memory.rooms.den = { south: 'gate' };
    expect(ai.decideExploration(sampleState())).toMatchObject({ direction: 'east' });
  });

  it('keeps the party together: the sturdiest leads and waits, the others follow', () => {
    const mate = (id: string, maxHp: number, roomId: string) => ({ id, name: id, class: 'fighter' as const, level: 1, hp: maxHp, maxHp, alive: true, present: true, roomId });
    const wizard = { ...sampleState(), characterId: 'elara', me: { ...sampleState().me, id: 'elara', maxHp: 8, hp: 8 } };
    wizard.party = [mate('thorin', 24, 'den'), mate('elara', 8, 'gate')];
    expect(new ExplorationAI().decideExploration(wizard)).toMatchObject({ type: 'exploration.move', direction: 'north' });
    const leader = sampleState({ party: [mate('thorin', 12, 'gate'), mate('elara', 8, 'hall')] });
    const ai = new ExplorationAI({ waitTurns: 2 });
    expect(ai.decideExploration(leader)).toBeNull();
    expect(ai.decideExploration(leader)).toBeNull();
    expect(ai.decideExploration(leader)).toMatchObject({ type: 'exploration.move' });
    expect(new ExplorationAI({ party: 'alone' }).decideExploration(leader)).toMatchObject({ type: 'exploration.move' });
  });

  it('rests when hurt, searches new rooms when thorough, and does nothing in a fight', () => {
    const ai = new ExplorationAI({ thorough: true });
    expect(ai.decideExploration(sampleState({ me: { ...sampleState().me, hp: 3 } }))).toMatchObject({ type: 'rest' });
    expect(ai.decideExploration(sampleState())).toMatchObject({ type: 'exploration.search' });
    expect(ai.decideExploration(sampleState())).toMatchObject({ type: 'exploration.move' });
    expect(ai.decideExploration(inFight())).toBeNull();
  });
});

describe('SocialAI', () => {
  it('greets an NPC, then asks each topic once', () => {
    const ai = new SocialAI();
    const s = sampleState();
    expect(ai.decideSocial(s)).toEqual({ type: 'social.talk', npc: 'sage', characterId: 'thorin' });
    expect(ai.decideSocial(s)).toEqual({ type: 'social.talk', npc: 'sage', topic: 'lair', characterId: 'thorin' });
    expect(ai.decideSocial(s)).toBeNull();
  });
});
