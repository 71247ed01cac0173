import { describe, expect, it } from 'vitest';
import { knownSpells, spellRefusal } from './abilities.ts';
import { replay, type Command } from './log.ts';
import { applyAction } from './rules.ts';
import { createRng, scriptedRng } from './rng.ts';
import { tinySession, tinyWorld, CLERIC, WIZARD } from '../../test/game/fixtures.ts';

// The Dungeon Master lets a character cast only the spells it picked (contracts/src/abilities.ts).

describe('knownSpells', () => {
  it('is the class standard set when nothing was picked, else the picks among the class spells', () => {
    expect(knownSpells({ class: 'wizard' })).toEqual(['fire-bolt', 'magic-missile']);
    expect(knownSpells({ class: 'wizard', abilities: ['magic-missile'] })).toEqual(['magic-missile']);
    expect(knownSpells({ class: 'rogue', abilities: ['lock-picking'] })).toEqual([]);
    expect(knownSpells({ class: 'cleric', abilities: [] })).toEqual([]);
  });
});

describe('the Dungeon Master and picked spells', () => {
  const picky = { ...WIZARD, abilities: ['fire-bolt'] };

  it('refuses a spell of the class the character did not pick, naming it and the picks', () => {
    let state = tinySession([picky]);
    expect(state.characters.elara!.spells).toEqual(['fire-bolt']);
    state = applyAction(state, { type: 'exploration.move', characterId: 'elara', direction: 'north' }, scriptedRng([15, 1])).state;
    const refused = applyAction(state, { type: 'combat.cast', characterId: 'elara', spell: 'magic-missile', target: 'ogre' });
    expect(refused).toMatchObject({ accepted: false, reason: 'unknown_spell', message: 'Elara did not pick the spell "magic-missile" (picked: fire-bolt)' });
    expect(refused.state.monsters.ogre!.hp).toBe(state.monsters.ogre!.hp);
    expect(refused.state.characters.elara!.mana).toBe(state.characters.elara!.mana);

    const bolt = applyAction(state, { type: 'combat.cast', characterId: 'elara', spell: 'fire-bolt', target: 'ogre' }, createRng(7));
    expect(bolt.accepted).toBe(true);
    expect(bolt.events.find((e) => e.type === 'combat.cast')?.data).toMatchObject({ spell: 'fire-bolt', casterId: 'elara' });
  });

  it('a spell of another class is not known at all, picked or not', () => {
    const state = tinySession([{ ...CLERIC, abilities: ['sacred-flame'] }]);
    expect(applyAction(state, { type: 'combat.cast', characterId: 'mira', spell: 'heal' })).toMatchObject({ accepted: false, message: 'Mira did not pick the spell "heal" (picked: sacred-flame)' });
    expect(spellRefusal(state.characters.mira!, 'magic-missile')).toEqual({ reason: 'unknown_spell', message: 'Mira does not know "magic-missile"' });
  });

  it('without picks, the class standard set is castable (Characters that pick nothing)', () => {
    const state = tinySession([CLERIC]);
    expect(applyAction(state, { type: 'combat.cast', characterId: 'mira', spell: 'heal' }, scriptedRng([4])).accepted).toBe(true);
  });

  it('the picks travel in the join command: a replay of the log refuses the same', () => {
    const world = tinyWorld();
    const commands: Command[] = [
      { kind: 'create', sessionId: 's-1', seed: 1234 },
      { kind: 'join', character: picky },
    ];
    const state = replay(world, 1234, commands);
    expect(state.characters.elara!.spells).toEqual(['fire-bolt']);
    expect(applyAction(state, { type: 'combat.cast', characterId: 'elara', spell: 'magic-missile' }).accepted).toBe(false);
  });
});
