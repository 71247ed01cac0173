import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalView } from './view.ts';
import { denRoom, sampleState } from '../../test/fixtures.ts';
import { TURN_PROMPT, type GameEvent } from '../types.ts';

const moved = (version: number, clientActionId?: string): GameEvent => ({
  type: 'exploration.moved',
  version,
  data: { characterId: 'thorin', from: 'gate', to: 'den', direction: 'north', room: denRoom, ...(clientActionId ? { clientActionId } : {}) },
});
const damage = (version: number, hp: number): GameEvent => ({ type: 'combat.damage', version, data: { roomId: 'den', targetKind: 'character', targetId: 'thorin', hp, amount: 1 } });

describe('LocalView', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the next version, drops stale ones and buffers out-of-order ones until the gap fills', () => {
    const view = new LocalView();
    view.reset(sampleState());
    expect(view.applyEvent(moved(11))).toBe('applied');
    expect(view.state!.me.roomId).toBe('den');
    expect(view.applyEvent(moved(11))).toBe('stale');
    expect(view.applyEvent(damage(13, 5))).toBe('buffered');
    expect(view.state!.me.hp).toBe(12);
    expect(view.applyEvent(damage(12, 9))).toBe('applied');
    // 12 then 13, in version order — not arrival order.
    expect(view.state!.me.hp).toBe(5);
    expect(view.version).toBe(13);
    view.close();
  });

  it('asks for a resync when a gap stays open, and a snapshot replays what was buffered after it', () => {
    vi.useFakeTimers();
    const onResync = vi.fn();
    const view = new LocalView({ onResync, gapTimeoutMs: 1000 });
    view.reset(sampleState());
    view.applyEvent(damage(14, 3));
    vi.advanceTimersByTime(999);
    expect(onResync).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onResync).toHaveBeenCalledWith('missing version 11');
    // The snapshot is at 13 (already in the den, hp 7); the buffered 14 applies on top.
    view.reset(sampleState({ version: 13, me: { ...sampleState().me, roomId: 'den', hp: 7 }, room: structuredClone(denRoom) }));
    expect(view.version).toBe(14);
    expect(view.state!.me.hp).toBe(3);
    // An older snapshot than what we hold is ignored.
    view.reset(sampleState({ version: 12 }));
    expect(view.version).toBe(14);
    view.close();
  });

  it('too many events out of order asks for a resync at once', () => {
    const onResync = vi.fn();
    const view = new LocalView({ onResync, maxBuffered: 3 });
    view.reset(sampleState());
    for (let v = 20; v < 24; v++) view.applyEvent(damage(v, 1));
    expect(onResync).toHaveBeenCalledWith('too many events out of order');
    view.close();
  });

  it('shows its own action at once, keeps the authoritative result, and undoes a refused one', () => {
    let now = 0;
    const onResync = vi.fn();
    const view = new LocalView({ now: () => now, pendingTtlMs: 5000, onResync });
    view.reset(sampleState());
    view.applyOptimistic('a-1', { type: 'exploration.move', direction: 'north' });
    expect(view.state!.me.roomId).toBe('den');
    expect(view.confirmed!.me.roomId).toBe('gate');
    expect(view.state!.pending).toEqual(['a-1']);
    view.applyEvent(moved(11, 'a-1'));
    // Its first event is in, but only the answer says whether more are to come.
    expect(view.state!.pending).toEqual(['a-1']);
    view.confirmAction('a-1', 12);
    expect(view.state!.pending).toEqual(['a-1']);
    view.applyEvent(damage(12, 11));
    expect(view.state!.pending).toEqual([]);
    expect(view.state!.room.monsters[0]!.id).toBe('ogre');

    view.applyOptimistic('a-2', { type: 'exploration.move', direction: 'south' });
    expect(view.state!.me.roomId).toBe('gate');
    view.applyEvent({ type: 'system.error', data: { code: 'in_combat', clientActionId: 'a-2' } });
    expect(view.state!.me.roomId).toBe('den');

    // An action never answered is dropped after its time to live, and the view asks for a resync.
    view.applyOptimistic('a-3', { type: 'exploration.move', direction: 'south' });
    now = 6000;
    expect(view.expirePending()).toBe(1);
    expect(view.state!.me.roomId).toBe('den');
    expect(onResync).toHaveBeenCalledWith('an action was never answered');
    view.close();
  });

  it('follows a fight: start, initiative, turns, damage, deaths and the end', () => {
    const view = new LocalView();
    view.reset(sampleState());
    const events: GameEvent[] = [
      moved(11),
      { type: 'combat.started', version: 12, data: { roomId: 'den', characters: ['thorin'], monsters: denRoom.monsters } },
      { type: 'combat.initiative', version: 13, data: { roomId: 'den', order: [{ kind: 'character', id: 'thorin', name: 'Thorin', initiative: 15 }, { kind: 'monster', id: 'ogre', name: 'ogre', initiative: 3 }] } },
      { type: 'combat.turn', version: 14, data: { roomId: 'den', round: 1, actorKind: 'character', actorId: 'thorin' } },
    ];
    for (const e of events) view.applyEvent(e);
    expect(view.state!.combat).toMatchObject({ myTurn: true, round: 1, active: { id: 'thorin' } });
    view.applyOptimistic('x', { type: 'combat.attack', target: 'ogre' });
    expect(view.state!.combat!.myTurn).toBe(false); // never act twice on one turn
    view.applyEvent({ type: 'combat.damage', version: 15, data: { roomId: 'den', targetKind: 'monster', targetId: 'ogre', hp: 0, clientActionId: 'x' } });
    view.confirmAction('x', 15);
    view.applyEvent({ type: 'combat.death', version: 16, data: { roomId: 'den', kind: 'monster', id: 'ogre' } });
    view.applyEvent({
      type: 'corpse.created',
      version: 17,
      data: { roomId: 'den', corpseOf: { kind: 'monster', id: 'ogre', name: 'ogre' }, ownerId: 'thorin', container_id: '3f1c1f5e-0000-4000-8000-000000000001', grace_period_until: '2026-01-01T00:05:00.000Z' },
    });
    view.applyEvent({ type: 'combat.ended', version: 18, data: { roomId: 'den', result: 'victory' } });
    const s = view.state!;
    expect(s.combat).toBeNull();
    expect(s.room.monsters).toEqual([]);
    expect(s.room.fallen).toEqual([{ id: 'ogre', name: 'ogre' }]);
    expect(s.containers).toEqual({
      '3f1c1f5e-0000-4000-8000-000000000001': { roomId: 'den', kind: 'corpse', ownerId: 'thorin', graceUntil: '2026-01-01T00:05:00.000Z', name: 'corpse of ogre' },
    });
    view.applyEvent({ type: 'system.session_closed', version: 19, data: { outcome: 'victory' } });
    expect(view.state).toMatchObject({ status: 'ended', outcome: 'victory' });
    view.close();
  });

  it('takes the private turn prompt once the state reaches the version it was sent at', () => {
    const view = new LocalView();
    view.reset(sampleState());
    const prompt = (version: number): GameEvent => ({ type: TURN_PROMPT, data: { characterId: 'thorin', roomId: 'den', round: 1, version, timeoutMs: 5000 } });
    view.applyEvent(moved(11));
    // Sent at version 13: the fight's start (12, 13) has not arrived yet, so it waits.
    expect(view.applyEvent(prompt(13))).toBe('buffered');
    expect(view.state!.combat).toBeNull();
    view.applyEvent({ type: 'combat.started', version: 12, data: { roomId: 'den', characters: ['thorin'], monsters: [{ id: 'ogre', name: 'ogre', hp: 30, maxHp: 30 }] } });
    expect(view.state!.combat?.myTurn).toBe(false);
    view.applyEvent({ type: 'combat.initiative', version: 13, data: { roomId: 'den', round: 1, order: [{ kind: 'character', id: 'thorin', name: 'Thorin', initiative: 15 }] } });
    expect(view.state!.combat).toMatchObject({ myTurn: true, active: { kind: 'character', id: 'thorin' }, round: 1 });
    // A prompt older than the state is spent: the state's own events say whose turn it is.
    view.applyEvent({ type: 'combat.turn', version: 14, data: { roomId: 'den', round: 1, actorKind: 'monster', actorId: 'ogre' } });
    expect(view.applyEvent(prompt(13))).toBe('stale');
    expect(view.state!.combat?.myTurn).toBe(false);
    expect(view.applyEvent(prompt(14))).toBe('unversioned');
    expect(view.state!.combat?.myTurn).toBe(true);
    view.close();
  });
});
