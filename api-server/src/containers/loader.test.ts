import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deliveryFor, updatedEvent } from './events.ts';
import { loadContainerFromRoomJson, roomContainerKey, type RoomJson } from './loader.ts';
import type { ContainerRecord } from './model.ts';

describe('loadContainerFromRoomJson', () => {
  it('reads every container block of the bundled world', () => {
    const world = JSON.parse(readFileSync(new URL('../../worlds/crypt-of-dawn.json', import.meta.url), 'utf8')) as { rooms: RoomJson[] };
    const withBlocks = world.rooms.filter((r) => r.container);
    expect(withBlocks.length).toBeGreaterThan(0);
    for (const room of withBlocks) {
      const [def] = loadContainerFromRoomJson(room);
      expect(def).toMatchObject({ id: 'container', source_type: 'environment' });
      expect(def!.capacity_slots).toBeGreaterThanOrEqual(1);
      for (const s of def!.items) expect(s.item_name.length).toBeGreaterThan(0);
    }
  });
  it('returns nothing for a room without a block and names the bad field otherwise', () => {
    expect(loadContainerFromRoomJson({ id: 'gate' })).toEqual([]);
    const invalid = (field: string) => expect.objectContaining({ code: 'container.invalid', extra: expect.objectContaining({ field }) });
    expect(() => loadContainerFromRoomJson({ id: 'hall', container: { capacity_slots: 0 } })).toThrow(invalid('container.capacity_slots'));
    expect(() => loadContainerFromRoomJson({ id: 'hall', container: { capacity_slots: 2, colour: 'red' } })).toThrow(expect.objectContaining({ code: 'container.invalid', extra: expect.objectContaining({ room_id: 'hall' }) }));
    expect(() => loadContainerFromRoomJson({ id: 'hall', container: [{ capacity_slots: 2 }, { capacity_slots: 3 }] })).toThrow(invalid('container.id'));
    expect(() => loadContainerFromRoomJson({ id: 'hall', container: { capacity_slots: 2, metadata: { builder: { phone: '555-123-4567' } } } })).toThrow(
      expect.objectContaining({ code: 'container.coppa_violation', rule: 'phone_number' }),
    );
  });
  it('keys containers by session, room and id', () => {
    expect(roomContainerKey('s1', 'hall', 'chest')).toBe('room:s1:hall:chest');
    expect(roomContainerKey(null, 'hall', 'chest')).toBe('room:*:hall:chest');
  });
});

describe('event recipients', () => {
  const base = { container_id: '2f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c', owner_id: null, entity_id: null, lock_state: 'unlocked', capacity_slots: 2, weight_limit: null, decay_at: null, allowed_roles: [], items: [], created_at: new Date(), updated_at: new Date() } as const;
  const ev = updatedEvent(base.container_id, [], [{ item_id: 'a', item_name: 'a', quantity: 1, weight: 0, max_stack: 99, metadata: {} }])!;
  it('broadcasts room containers to their room, equipment privately', () => {
    const room: ContainerRecord = { ...base, allowed_roles: [], items: [], source_type: 'environment', room_id: 'hall', metadata: { game_session: 's1' } };
    expect(deliveryFor(room, ev, 'ann')).toEqual({ to: 'room', sessionId: 's1', roomId: 'hall', event: ev });
    const worn: ContainerRecord = { ...base, allowed_roles: [], items: [], source_type: 'equipment', room_id: null, metadata: {} };
    expect(deliveryFor(worn, ev, 'ann', { sessionId: 's1', roomId: 'hall' })).toEqual({ to: 'character', characterId: 'ann', sessionId: 's1', event: ev });
    expect(deliveryFor(worn, ev, null)).toBeNull();
  });
  it('sends no update for an unchanged container', () => {
    expect(updatedEvent(base.container_id, [], [])).toBeNull();
  });
});
