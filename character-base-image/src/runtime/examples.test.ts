import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CharacterBase } from '../character/base.ts';
import { sampleState, denRoom } from '../../test/fixtures.ts';
import type { GameState } from '../types.ts';
import { loadAbilitiesFile, loadCharacter, loadCharacterConfig } from './config.ts';

// The three examples use the item economy: the fighter wields a better weapon it looted, the
// wizard drinks a potion when low, the rogue opens a locked chest with a found key or its picks.

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const CHEST = '0b7c1d5e-1111-4222-8333-444455556666';
const stack = (item_id: string, quantity = 1) => ({ item_id, name: item_id, quantity });

async function example(dir: string, file: string): Promise<CharacterBase> {
  const config = await loadCharacterConfig(path.join(examples, dir));
  config.abilities ??= await loadAbilitiesFile(path.join(examples, dir));
  return loadCharacter(path.join(examples, dir, file), config);
}

function state(me: Partial<GameState['me']>, extra: Partial<GameState> = {}): GameState {
  const s = sampleState(extra);
  return { ...s, me: { ...s.me, ...me } };
}

describe('the fighter example', () => {
  it('equips a better weapon it carries, between fights, and then explores with it', async () => {
    const fighter = await example('fighter', 'character.ts');
    const looted = state({ inventory: [stack('rusty-sword'), stack('runed-longsword')], equipment: { weapon: stack('longsword') } });
    expect(await fighter.onExplore(looted)).toEqual({ type: 'item.equip', itemId: 'runed-longsword' });
    const wielding = state({ inventory: [stack('rusty-sword'), stack('longsword')], equipment: { weapon: stack('runed-longsword') } });
    expect((await fighter.onExplore(wielding))?.type).not.toBe('item.equip');
  });
});

describe('the wizard example', () => {
  it('drinks a healing potion when low, in a fight (its turn) and out of one', async () => {
    const wizard = await example('wizard', 'character.cjs');
    const hurt = { class: 'wizard' as const, hp: 3, maxHp: 20, mana: 10, maxMana: 10, spells: ['fire-bolt', 'magic-missile'], inventory: [stack('healing-potion', 2)] };
    expect(await wizard.onExplore(state(hurt))).toEqual({ type: 'item.use', itemId: 'healing-potion' });
    const fight = state(hurt, { room: denRoom, combat: { roomId: 'den', round: 1, order: [], active: { kind: 'character', id: 'thorin' }, myTurn: true } });
    expect(await wizard.onCombatTurn(fight)).toEqual({ type: 'item.use', itemId: 'healing-potion' });
    // Not low, or nothing to drink: it fights.
    expect((await wizard.onCombatTurn({ ...fight, me: { ...fight.me, hp: 20 } }))?.type).toBe('combat.cast');
    expect((await wizard.onCombatTurn({ ...fight, me: { ...fight.me, inventory: [] } }))?.type).not.toBe('item.use');
  });
});

describe('the rogue example', () => {
  const locked = (inventory: GameState['me']['inventory']) =>
    state({ class: 'rogue', inventory }, { room: { ...sampleState().room, container: { id: 'footlocker', container_id: CHEST, name: 'footlocker', lock_state: 'locked', capacity_slots: 4 } } });

  it('uses a key it found on a locked chest, once, then picks the lock a few times', async () => {
    const rogue = await example('rogue', 'character.ts');
    expect(rogue.abilities).toEqual(['lock-picking']);
    const s = locked([stack('bone-key'), stack('thieves-tools')]);
    expect(await rogue.onExplore(s)).toEqual({ type: 'container.unlock', containerId: CHEST, keyItemId: 'bone-key' });
    // The key did not open it (the chest is still locked): picks, three tries, then it moves on.
    for (let i = 0; i < 3; i++) expect(await rogue.onExplore(s)).toEqual({ type: 'container.pick_lock', containerId: CHEST });
    expect((await rogue.onExplore(s))?.type).not.toMatch(/^container\./);
  });

  it('remembers a lock it opened: no more tries at it, and it loots it', async () => {
    const rogue = await example('rogue', 'character.ts');
    const s = locked([stack('bone-key')]);
    await rogue.onEvent({ type: 'container.unlocked', data: { characterId: rogue.id, containerId: CHEST, by: 'key' } }, s);
    // Still shown locked (a view that lags): it does not try again, and names it to loot.
    expect((await rogue.onExplore(s))?.type).not.toMatch(/^container\./);
    expect(await rogue.onLoot(s)).toContain(CHEST);
  });

  it('leaves an unlocked chest to the looter', async () => {
    const rogue = await example('rogue', 'character.ts');
    const open = { ...locked([]), room: { ...locked([]).room, container: { id: 'chest', container_id: CHEST, name: 'chest', lock_state: 'unlocked' as const, capacity_slots: 4 } } };
    expect((await rogue.onExplore(open))?.type).not.toMatch(/^container\./);
    expect(await rogue.onLoot(open)).toContain(CHEST);
  });
});
