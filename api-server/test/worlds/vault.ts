import type { WorldInput } from '../../src/game/index.ts';

// The vault: a small world for the item economy's suites. At the gate a keeper gives a key, a
// pack, gold and stones, and a locked chest (DC 10) waits; west is a hall without a fight and with
// a strongbox no pick opens without thieves' tools (DC 30), north a brute no one survives, east the warden, a boss of 1 hp, beside a hoard sealed
// until it dies. Items: a better sword, a shield, potions, the key, the pack, gold and stones.

export const VAULT: WorldInput = {
  id: 'vault',
  name: 'The Vault',
  entrance: 'gate',
  bossRoom: 'lair',
  rooms: [
    {
      id: 'gate',
      name: 'Gate',
      description: 'A gate with a locked chest.',
      exits: { north: 'pit', east: 'lair', west: 'hall' },
      npcs: [
        {
          id: 'keeper',
          name: 'Keeper',
          greeting: 'Ask me for the key, a pack, gold or stones.',
          topics: {
            key: { text: 'Here.', gives: [{ item_id: 'vault-key', name: 'Vault key', quantity: 1 }] },
            pack: { text: 'Carry more.', gives: [{ item_id: 'pack', name: 'Pack', quantity: 1 }] },
            gold: { text: 'Coins.', gives: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 5 }] },
            stones: { text: 'Heavy.', gives: [{ item_id: 'stone', name: 'Stone', quantity: 2 }] },
          },
        },
      ],
      container: {
        name: 'chest',
        capacity_slots: 4,
        lock_state: 'locked',
        items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 7 }],
      },
      containerLock: { dc: 10 },
    },
    {
      id: 'hall',
      name: 'Hall',
      description: 'Quiet, with a strongbox few picks open.',
      exits: { east: 'gate' },
      container: { name: 'strongbox', capacity_slots: 2, lock_state: 'locked', items: [] },
      containerLock: { dc: 30 },
    },
    {
      id: 'pit',
      name: 'Pit',
      description: 'Something huge waits.',
      exits: { south: 'gate' },
      monsters: [{ id: 'brute', name: 'brute', hp: 500, ac: 30, attackBonus: 20, damage: '10d10+60', initiativeBonus: 10, attacks: 4 }],
    },
    {
      id: 'lair',
      name: 'Lair',
      description: 'The warden and a sealed hoard.',
      exits: { west: 'gate' },
      monsters: [{ id: 'warden', name: 'warden', hp: 1, ac: 1, attackBonus: 0, damage: '1d2', initiativeBonus: -5, boss: true }],
      container: { name: 'hoard', capacity_slots: 2, lock_state: 'sealed', items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 50 }] },
      containerLock: { sealedUntil: 'boss_defeated' },
    },
  ],
  items: [
    { id: 'fine-sword', kind: 'weapon', name: 'Fine sword', damage: '1d12', attackBonus: 2, weight: 3 },
    { id: 'shield', kind: 'shield', name: 'Shield', ac: 2, weight: 6 },
    { id: 'healing-potion', kind: 'potion', name: 'Healing potion', heal: '2d4+2', max_stack: 10 },
    { id: 'vault-key', kind: 'key', name: 'Vault key', opens: ['gate'] },
    { id: 'pack', kind: 'container', name: 'Pack', slot: 'back', capacity_slots: 2, weight_limit: 5, weight: 1 },
    { id: 'gold-coin', kind: 'gold', name: 'Gold coin', max_stack: 1000 },
    { id: 'stone', kind: 'misc', name: 'Stone', weight: 4 },
  ],
};
