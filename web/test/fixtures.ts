// Small, valid game shapes shared by the reducer's and the components' tests.
import type { CharacterGameView, ContainerComponent, EventEnvelope, RoomView, SessionView } from '../src/types.ts';

let n = 0;
export function event(type: string, data: Record<string, unknown>, version?: number): EventEnvelope {
  n += 1;
  return { id: `e${n}`, type, sessionId: 's-1', timestamp: '2026-12-01T10:00:00.000Z', data, ...(version === undefined ? {} : { version }) };
}

export function room(id: string, extra: Partial<RoomView> = {}): RoomView {
  return { id, name: `Room ${id}`, description: '', exits: {}, monsters: [], fallen: [], npcs: [], characters: [], container: null, traps: [], discoveries: [], ...extra };
}

export function sessionView(): SessionView {
  return {
    sessionId: 's-1',
    worldId: 'crypt-of-dawn',
    version: 10,
    status: 'active',
    outcome: null,
    party: [{ id: 'thorin', name: 'Thorin', hp: 30, maxHp: 30, class: 'fighter', level: 3, alive: true, present: true, roomId: 'hall' }],
    rooms: [
      room('hall', { exits: { north: 'crypt' }, characters: ['thorin'], monsters: [{ id: 'gob', name: 'goblin', hp: 7, maxHp: 7, ac: 13, boss: false }] }),
      room('crypt', { exits: { south: 'hall' } }),
    ],
    combats: [],
  };
}

export function chest(extra: Partial<ContainerComponent> = {}): ContainerComponent {
  return {
    container_id: '00000000-0000-4000-8000-000000000001',
    source_type: 'environment',
    owner_id: null,
    room_id: 'hall',
    entity_id: null,
    lock_state: 'unlocked',
    capacity_slots: 4,
    weight_limit: 50,
    decay_at: null,
    allowed_roles: [],
    items: [{ item_id: 'gold', item_name: 'Gold coin', quantity: 25, weight: 0, max_stack: 99, metadata: {} }],
    metadata: { name: 'iron-bound chest' },
    ...extra,
  };
}

export function characterView(): CharacterGameView {
  const s = sessionView();
  return {
    sessionId: 's-1',
    worldId: 'crypt-of-dawn',
    version: 10,
    status: 'active',
    outcome: null,
    characterId: 'thorin',
    me: {
      ...s.party[0]!,
      ac: 17,
      attackBonus: 5,
      weapon: { name: 'longsword', damage: '1d8+3' },
      initiativeBonus: 1,
      perception: 2,
      mana: 0,
      maxMana: 0,
      spells: [],
      previousRoomId: null,
      defending: false,
      inventory: [],
      restsLeft: 2,
      xp: 0,
      kills: [],
      topicsHeard: {},
    },
    room: s.rooms[0]!,
    combat: null,
    party: s.party,
  };
}
