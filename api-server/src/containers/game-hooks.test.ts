import { describe, expect, it } from 'vitest';
import { deathInputFromGameEvent, isCorpseCreatedData } from './game-hooks.ts';

describe('corpse.created → createCorpseOnDeath', () => {
  it('maps a dead character: owner is the character, its inventory goes too', () => {
    const data = { roomId: 'crypt-hall', corpseOf: { kind: 'character', id: 'thorin', name: 'Thorin' }, ownerId: 'thorin', items: [{ item_id: 'torch', name: 'Torch', quantity: 2 }] };
    expect(isCorpseCreatedData(data)).toBe(true);
    expect(deathInputFromGameEvent('s1', data as never)).toEqual({
      ownerId: 'thorin',
      ownerName: 'Thorin',
      sessionId: 's1',
      roomId: 'crypt-hall',
      items: [{ item_id: 'torch', item_name: 'Torch', quantity: 2 }],
      takeInventory: true,
    });
  });
  it('maps a monster: the killer owns the grace period; nobody killed it → no grace', () => {
    const killed = deathInputFromGameEvent('s1', { roomId: 'r', corpseOf: { kind: 'monster', id: 'rat', name: 'Rat' }, ownerId: 'ann', items: [{ item_id: 'tail', quantity: 1, weight: 0.1 }] });
    expect(killed).toMatchObject({ ownerId: 'ann', takeInventory: false, items: [{ item_id: 'tail', item_name: 'tail', weight: 0.1 }] });
    expect(killed.gracePeriodSeconds).toBeUndefined();
    const fell = deathInputFromGameEvent('s1', { roomId: 'r', corpseOf: { kind: 'monster', id: 'rat', name: 'Rat' }, ownerId: null, items: [] });
    expect(fell).toMatchObject({ ownerId: 'rat', gracePeriodSeconds: 0 });
  });
  it('rejects other shapes', () => {
    expect(isCorpseCreatedData({ roomId: 'r' })).toBe(false);
    expect(isCorpseCreatedData(null)).toBe(false);
  });
});
