import { describe, expect, it } from 'vitest';
import { chest, characterView, event, sessionView } from '../../test/fixtures.ts';
import { initialState, LOG_LIMIT, reducer, type GameState } from './reducer.ts';

const gm = (): GameState => reducer(initialState, { type: 'gmSnapshot', view: sessionView() });
const player = (): GameState =>
  reducer(initialState, { type: 'playerSnapshot', data: { characterId: 'thorin', sessionId: 's-1', view: characterView(), containers: [chest()], inventory: { character_id: 'thorin', capacity_slots: 20, weight_limit: null, items: [] } } });

describe('the event reducer', () => {
  it('moves a character between rooms on the map and in the party', () => {
    const s = reducer(gm(), { type: 'events', events: [event('exploration.moved', { characterId: 'thorin', from: 'hall', to: 'crypt', direction: 'north' }, 11)] });
    expect(s.session!.rooms.find((r) => r.id === 'hall')!.characters).toEqual([]);
    expect(s.session!.rooms.find((r) => r.id === 'crypt')!.characters).toEqual(['thorin']);
    expect(s.session!.party[0]!.roomId).toBe('crypt');
    expect(s.log.at(-1)!.text).toBe('Thorin goes north to Room crypt');
    expect(s.version).toBe(11);
    expect(s.needsResync).toBe(false);
  });

  it('logs hits, misses, criticals and deaths, and updates hit points', () => {
    const s = reducer(gm(), {
      type: 'events',
      events: [
        event('combat.attack', { attackerId: 'gob', targetId: 'thorin', weapon: 'scimitar', total: 8, targetAc: 17, hit: false, critical: false }, 11),
        event('combat.attack', { attackerId: 'thorin', targetId: 'gob', weapon: 'longsword', total: 25, targetAc: 13, hit: true, critical: true }, 12),
        event('combat.damage', { targetId: 'gob', amount: 9, hp: 0, maxHp: 7 }, 13),
        event('combat.death', { id: 'gob', name: 'goblin', roomId: 'hall', kind: 'monster' }, 14),
      ],
    });
    expect(s.log.map((l) => l.kind)).toEqual(['miss', 'critical', 'damage', 'death']);
    expect(s.log[1]!.text).toBe('Critical! Thorin → goblin with longsword (25 vs AC 13)');
    const hall = s.session!.rooms.find((r) => r.id === 'hall')!;
    expect(hall.monsters).toEqual([]);
    expect(hall.fallen).toEqual([{ id: 'gob', name: 'goblin' }]);
    expect(s.applied).toBe(4);
  });

  it('skips events the snapshot already holds and asks for a resync after a gap', () => {
    const old = reducer(gm(), { type: 'events', events: [event('combat.damage', { targetId: 'thorin', hp: 1, maxHp: 30 }, 9)] });
    expect(old.session!.party[0]!.hp).toBe(30);
    expect(old.applied).toBe(0);
    const gap = reducer(gm(), { type: 'events', events: [event('combat.damage', { targetId: 'thorin', hp: 20, maxHp: 30 }, 14)] });
    expect(gap.session!.party[0]!.hp).toBe(20);
    expect(gap.needsResync).toBe(true);
    expect(reducer(gap, { type: 'gmSnapshot', view: { ...sessionView(), version: 14 } }).needsResync).toBe(false);
  });

  it('applies container.updated diffs and container.decayed to the room containers', () => {
    const id = chest().container_id;
    let s = reducer(player(), {
      type: 'events',
      events: [event('container.updated', { container_id: id, diff: { items: { added: [{ item_id: 'potion', item_name: 'Potion', quantity: 2, weight: 1, max_stack: 5, metadata: {} }], removed: [{ item_id: 'gold', item_name: 'Gold coin', quantity: 5, weight: 0, max_stack: 99, metadata: {} }] } } })],
    });
    expect(s.containers[id]!.items.map((i) => [i.item_id, i.quantity])).toEqual([
      ['gold', 20],
      ['potion', 2],
    ]);
    s = reducer(s, { type: 'opened', container: s.containers[id]!, open: { containerId: id, mutationToken: 't'.repeat(20), expiresAt: '2026-12-01T11:00:00Z' } });
    s = reducer(s, { type: 'events', events: [event('container.decayed', { container_id: id })] });
    expect(s.containers[id]).toBeUndefined();
    expect(s.open).toBeNull();
    expect(s.notice).toEqual({ tone: 'info', text: 'iron-bound chest decayed and is gone' });
  });

  it('applies our own transfer once, whether its event comes before or after the answer', () => {
    const c = chest();
    const taken = { ...c, items: [{ ...c.items[0]!, quantity: 20 }] };
    const inventory = { character_id: 'thorin', capacity_slots: 20, weight_limit: null, items: [] };
    const echo = event('container.updated', { container_id: c.container_id, room_id: 'hall', diff: { items: { added: [], removed: [{ ...c.items[0]!, quantity: 5 }] } } });
    const answerFirst = reducer(reducer(player(), { type: 'transferred', container: taken, inventory }), { type: 'events', events: [echo] });
    const eventFirst = reducer(reducer(player(), { type: 'events', events: [echo] }), { type: 'transferred', container: taken, inventory });
    for (const s of [answerFirst, eventFirst]) {
      expect(s.containers[c.container_id]!.items[0]!.quantity).toBe(20);
      expect(s.echoes).toEqual([]);
    }
    // Someone else's identical change later is applied.
    const other = reducer(answerFirst, { type: 'events', events: [{ ...echo, id: 'other' }] });
    expect(other.containers[c.container_id]!.items[0]!.quantity).toBe(15);
  });

  it("resyncs when the player's own character moves or a container it does not know changes in its room", () => {
    expect(reducer(player(), { type: 'events', events: [event('exploration.moved', { characterId: 'thorin', from: 'hall', to: 'crypt' })] }).needsResync).toBe(true);
    const elsewhere = { container_id: '00000000-0000-4000-8000-0000000000ff', diff: { items: { added: [], removed: [] } } };
    expect(reducer(player(), { type: 'events', events: [event('container.updated', { ...elsewhere, room_id: 'hall' })] }).needsResync).toBe(true);
    expect(reducer(player(), { type: 'events', events: [event('container.updated', { ...elsewhere, room_id: 'crypt' })] }).needsResync).toBe(false);
  });

  it('takes the manual-control flag from the snapshot and from the toggle', () => {
    expect(player().manual).toBe(false);
    expect(reducer(player(), { type: 'manual', manual: true }).manual).toBe(true);
  });

  it('keeps refusals as notices until dismissed, and caps the log', () => {
    const refused = reducer(player(), { type: 'refused', text: 'the container is locked' });
    expect(refused.notice).toEqual({ tone: 'error', text: 'the container is locked' });
    expect(reducer(refused, { type: 'dismiss' }).notice).toBeNull();
    const many = Array.from({ length: LOG_LIMIT + 20 }, (_, i) => event('combat.damage', { targetId: 'gob', amount: 1, hp: 5, maxHp: 7 }, 11 + i));
    const s = reducer(gm(), { type: 'events', events: many });
    expect(s.log).toHaveLength(LOG_LIMIT);
    expect(s.version).toBe(10 + LOG_LIMIT + 20);
  });
});
