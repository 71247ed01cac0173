import { describe, expect, it } from 'vitest';
import { decideAccess, type Actor } from './access.ts';
import { canAccessCorpse, corpsePhase, corpseTimers, isCorpseDecayed } from './corpse-timers.ts';
import { characterUuid } from './ids.ts';
import type { ContainerRecord } from './model.ts';

const T0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function container(over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    container_id: '2f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c',
    source_type: 'environment',
    owner_id: null,
    room_id: 'hall',
    entity_id: null,
    lock_state: 'unlocked',
    capacity_slots: 5,
    weight_limit: null,
    decay_at: null,
    allowed_roles: [],
    items: [],
    metadata: { game_session: 's1' },
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}
const actor = (id: string, roomId: string | null = 'hall', roles: string[] = [], sessionId = 's1'): Actor => ({
  characterId: id,
  uuid: characterUuid(id),
  roles,
  location: roomId ? { sessionId, roomId } : null,
});

function corpse(owner: string) {
  const { graceUntil, decayAt } = corpseTimers(T0);
  return container({ source_type: 'corpse', owner_id: characterUuid(owner), decay_at: decayAt, metadata: { game_session: 's1', grace_period_until: graceUntil.toISOString() } });
}

describe('decideAccess', () => {
  it('allows someone in the same room of the same session', () => {
    expect(decideAccess(container(), actor('ann'), T0)).toEqual({ allowed: true });
  });
  it('refuses another room, another session, or nowhere (proximity)', () => {
    expect(decideAccess(container(), actor('ann', 'crypt'), T0)).toMatchObject({ allowed: false, status: 403, reason: 'not_in_room' });
    expect(decideAccess(container(), actor('ann', 'hall', [], 's2'), T0)).toMatchObject({ reason: 'not_in_room' });
    expect(decideAccess(container(), actor('ann', null), T0)).toMatchObject({ reason: 'not_in_room' });
  });
  it('requires ownership for equipment, and that it is worn, wherever the wearer is', () => {
    const worn = container({ source_type: 'equipment', room_id: null, owner_id: characterUuid('ann'), entity_id: characterUuid('ann') });
    expect(decideAccess(worn, actor('ann', 'crypt'), T0)).toEqual({ allowed: true });
    expect(decideAccess(worn, actor('bob'), T0)).toMatchObject({ status: 403, reason: 'not_owner' });
    expect(decideAccess({ ...worn, entity_id: null }, actor('ann'), T0)).toMatchObject({ status: 403, reason: 'not_equipped' });
  });
  it('checks allowed_roles', () => {
    const c = container({ allowed_roles: ['cleric', 'gm'] });
    expect(decideAccess(c, actor('ann', 'hall', ['fighter']), T0)).toMatchObject({ status: 403, reason: 'missing_role' });
    expect(decideAccess(c, actor('ann', 'hall', ['cleric']), T0)).toEqual({ allowed: true });
  });
  it('answers 423 for locked and sealed, after the access checks', () => {
    expect(decideAccess(container({ lock_state: 'locked' }), actor('ann'), T0)).toMatchObject({ status: 423, reason: 'locked' });
    expect(decideAccess(container({ lock_state: 'sealed' }), actor('ann'), T0)).toMatchObject({ status: 423, reason: 'sealed' });
    expect(decideAccess(container({ lock_state: 'locked' }), actor('ann', 'crypt'), T0)).toMatchObject({ status: 403 });
  });
  it('gives the corpse owner the grace period, then everyone, then nobody', () => {
    const c = corpse('ann');
    expect(decideAccess(c, actor('ann'), at(10))).toEqual({ allowed: true });
    expect(decideAccess(c, actor('bob'), at(10))).toMatchObject({ status: 403, reason: 'grace_period' });
    expect(decideAccess(c, actor('bob'), at(300))).toEqual({ allowed: true });
    expect(decideAccess(c, actor('ann'), at(3600))).toMatchObject({ status: 404, reason: 'decayed' });
    expect(decideAccess(c, actor('ann', 'crypt'), at(10))).toMatchObject({ reason: 'not_in_room' });
  });
});

describe('corpse timers', () => {
  it('default to 5 minutes of grace and 1 hour to decay', () => {
    const { graceUntil, decayAt } = corpseTimers(T0);
    expect(graceUntil).toEqual(at(300));
    expect(decayAt).toEqual(at(3600));
  });
  it('moves through grace → public → decayed', () => {
    const c = corpse('ann');
    expect(corpsePhase(c, at(0))).toBe('grace');
    expect(corpsePhase(c, at(299))).toBe('grace');
    expect(corpsePhase(c, at(300))).toBe('public');
    expect(corpsePhase(c, at(3599))).toBe('public');
    expect(corpsePhase(c, at(3600))).toBe('decayed');
    expect(isCorpseDecayed(c, at(3600))).toBe(true);
    expect(canAccessCorpse(c, characterUuid('bob'), at(299))).toBe(false);
    expect(canAccessCorpse(c, characterUuid('ann'), at(299))).toBe(true);
    expect(canAccessCorpse(c, characterUuid('bob'), at(301))).toBe(true);
  });
  it('refuses nonsense durations', () => {
    expect(() => corpseTimers(T0, { gracePeriodSeconds: -1 })).toThrow();
    expect(() => corpseTimers(T0, { decaySeconds: 0 })).toThrow();
    expect(() => corpseTimers(T0, { gracePeriodSeconds: 600, decaySeconds: 60 })).toThrow();
  });
});

describe('characterUuid', () => {
  it('is stable, a valid v5 UUID, and keeps real UUIDs', () => {
    expect(characterUuid('thorin')).toBe(characterUuid('thorin'));
    expect(characterUuid('thorin')).not.toBe(characterUuid('thorin2'));
    expect(characterUuid('thorin')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(characterUuid('2F1A7D2E-8B4C-4C1E-9A6B-0D5E1F2A3B4C')).toBe('2f1a7d2e-8b4c-4c1e-9a6b-0d5e1f2a3b4c');
  });
});
