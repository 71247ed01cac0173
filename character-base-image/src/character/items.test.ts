import { Action } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { sampleState } from '../../test/fixtures.ts';
import type { GameState } from '../types.ts';
import { CharacterBase } from './base.ts';
import { averageDamage, betterWeapon, countOf, equippedIn, inventoryItem, weaponScore } from './items.ts';

const withItems = (inventory: GameState['me']['inventory'], equipment: GameState['me']['equipment'] = {}) => {
  const s = sampleState();
  return { ...s, me: { ...s.me, inventory, equipment } };
};
const stack = (item_id: string, quantity = 1) => ({ item_id, name: item_id, quantity });

describe('item actions', () => {
  const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });

  it('are the contract actions a hook returns', () => {
    const drafts = [c.equip('runed-longsword'), c.unequip('back'), c.use('healing-potion'), c.unlock('0b7c1d5e-1111-4222-8333-444455556666', 'bone-key'), c.pickLock('0b7c1d5e-1111-4222-8333-444455556666')];
    expect(drafts.map((d) => d.type)).toEqual(['item.equip', 'item.unequip', 'item.use', 'container.unlock', 'container.pick_lock']);
    for (const d of drafts) expect(Action.safeParse({ ...d, characterId: 'vex' }).success, d.type).toBe(true);
    expect(c.unlock('box', 'bone-key')).toEqual({ type: 'container.unlock', containerId: 'box', keyItemId: 'bone-key' });
  });
});

describe('reading the inventory', () => {
  const s = withItems([stack('healing-potion', 2), stack('gold-coin', 7), stack('gold-coin', 3)], { weapon: stack('longsword') });

  it('finds items, counts them across stacks and reads the slots', () => {
    expect(inventoryItem(s, 'healing-potion')?.quantity).toBe(2);
    expect(inventoryItem(s, 'mana-potion')).toBeUndefined();
    expect(countOf(s, 'gold-coin')).toBe(10);
    expect(countOf(null, 'gold-coin')).toBe(0);
    expect(equippedIn(s, 'weapon')?.item_id).toBe('longsword');
    expect(equippedIn(s, 'back')).toBeUndefined();
  });
});

describe('betterWeapon', () => {
  const stats = {
    longsword: { damage: '1d8' },
    'rusty-sword': { damage: '1d6', attackBonus: -1 },
    'runed-longsword': { damage: '1d10', attackBonus: 1 },
  };

  it('scores by average damage and attack bonus', () => {
    expect(averageDamage('1d8')).toBe(4.5);
    expect(averageDamage('2d6+1')).toBe(8);
    expect(averageDamage('a lot')).toBe(0);
    expect(weaponScore(stats['runed-longsword'])).toBe(6);
  });

  it('picks a carried weapon that beats the one equipped, and none when nothing does', () => {
    expect(betterWeapon(withItems([stack('rusty-sword'), stack('runed-longsword')], { weapon: stack('longsword') }), stats)?.item_id).toBe('runed-longsword');
    expect(betterWeapon(withItems([stack('rusty-sword')], { weapon: stack('longsword') }), stats)).toBeUndefined();
    expect(betterWeapon(withItems([stack('candle')], {}), stats)).toBeUndefined();
  });

  it('with nothing equipped, any known weapon is better than bare hands', () => {
    expect(betterWeapon(withItems([stack('rusty-sword')], {}), stats)?.item_id).toBe('rusty-sword');
  });
});
