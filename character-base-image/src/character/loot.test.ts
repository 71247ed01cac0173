import { describe, expect, it } from 'vitest';
import { sampleState } from '../../test/fixtures.ts';
import { lootableContainers } from './loot.ts';

describe('lootableContainers', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const s = sampleState({
    room: { ...sampleState().room, container: { id: 'chest', container_id: 'c-chest', name: 'chest', lock_state: 'unlocked', capacity_slots: 4 } },
    containers: {
      'c-mine': { roomId: 'gate', kind: 'corpse', ownerId: 'thorin', graceUntil: '2026-01-01T00:05:00Z' },
      'c-theirs': { roomId: 'gate', kind: 'corpse', ownerId: 'vex', graceUntil: '2026-01-01T00:05:00Z' },
      'c-public': { roomId: 'gate', kind: 'corpse', ownerId: 'vex', graceUntil: '2025-12-31T23:59:00Z' },
      'c-elsewhere': { roomId: 'den', kind: 'corpse', ownerId: 'thorin', graceUntil: null },
    },
  });

  it('offers the chest and the corpses open to us in our room, not those in someone else’s grace', () => {
    expect(lootableContainers(s, { now }).sort()).toEqual(['c-chest', 'c-mine', 'c-public']);
    expect(lootableContainers(s, { now, corpses: 'mine', chests: false })).toEqual(['c-mine']);
    expect(lootableContainers(s, { now, corpses: 'none' })).toEqual(['c-chest']);
    const locked = { ...s, room: { ...s.room, container: { ...s.room.container!, lock_state: 'locked' as const } } };
    expect(lootableContainers(locked, { now, corpses: 'none' })).toEqual([]);
  });
});
