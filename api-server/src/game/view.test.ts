import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CharacterGameViewSchema,
  EncounterViewSchema,
  PartyMemberSchema,
  RoomContainerDefinitionSchema,
  RoomViewSchema,
  TURN_PROMPT,
  type CharacterGameView,
} from '@distributed-dungeon/contracts';
import { TURN_PROMPT as ENGINE_TURN_PROMPT } from './dungeon-master.ts';
import { applyAction } from './rules.ts';
import { scriptedRng } from './rng.ts';
import type { GameEvent, GameState } from './state.ts';
import { FIGHTER, tinySession, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';
import { characterView, sessionView } from './view.ts';

// The engine's views against contracts' game-view.ts: parsing must succeed and drop nothing, so
// a field added, removed or reshaped on either side fails here rather than in a character.

/** Parses and checks that the schema kept every field the engine sent. */
function roundTrip(view: CharacterGameView): void {
  expect(CharacterGameViewSchema.parse(view)).toEqual(view);
}

function roomsOf(events: GameEvent[]): unknown[] {
  return events.map((e) => e.data.room).filter((r) => r !== undefined);
}

/** The tiny world with a chest at the gate and an ogre that dies at the first hit. */
function world() {
  const w = tinyWorld({ ogreHp: 1 });
  w.rooms.find((r) => r.id === 'gate')!.container = RoomContainerDefinitionSchema.parse({ id: 'chest', name: 'Old chest', capacity_slots: 4 });
  return w;
}

describe('the character view matches the contract', () => {
  it('at the gate: a chest, an NPC, the party, no fight', () => {
    const state = tinySession([FIGHTER, WIZARD], world());
    const view = characterView(state, 'thorin');
    roundTrip(view);
    expect(view.room.container).toEqual({ id: 'chest', name: 'Old chest', lock_state: 'unlocked', capacity_slots: 4 });
    expect(view.party.map((p) => p.id)).toEqual(['thorin', 'elara']);
    // The api-server adds the chest's id in the item-container API.
    roundTrip({ ...view, room: { ...view.room, container: { ...view.room.container!, container_id: randomUUID() } } });
  });

  it('in a fight, after a kill, after a trap and a search', () => {
    let state: GameState = tinySession([FIGHTER], world());
    const events: GameEvent[] = [];
    const act = (action: Parameters<typeof applyAction>[1], rolls: number[]) => {
      const r = applyAction(state, action, scriptedRng(rolls));
      expect(r.accepted).toBe(true);
      events.push(...r.events);
      state = r.state;
      return characterView(state, 'thorin');
    };

    // Thorin wins initiative (15 vs 5): his turn.
    const fighting = act({ type: 'exploration.move', characterId: 'thorin', direction: 'north' }, [15, 5]);
    roundTrip(fighting);
    expect(fighting.combat).toMatchObject({ roomId: 'den', myTurn: true, active: { kind: 'character', id: 'thorin' } });
    expect(fighting.room.monsters).toHaveLength(1);

    // 19 + 5 hits, 1d8+3 kills the ogre: it lies among the fallen and the fight is over.
    const won = act({ type: 'combat.attack', characterId: 'thorin', target: 'ogre' }, [19, 5]);
    roundTrip(won);
    expect(won.combat).toBeNull();
    expect(won.room.fallen).toEqual([{ id: 'ogre', name: 'ogre' }]);

    // Into the hall carelessly: the spikes go off (2d4). Then a search finds the coin.
    act({ type: 'exploration.move', characterId: 'thorin', direction: 'south' }, []);
    act({ type: 'exploration.move', characterId: 'thorin', direction: 'east' }, [2, 2]);
    const searched = act({ type: 'exploration.search', characterId: 'thorin' }, [18]);
    roundTrip(searched);
    expect(searched.room.traps).toEqual([{ id: 'spikes', name: 'spikes', status: 'triggered' }]);
    expect(searched.room.discoveries.map((d) => d.id)).toEqual(['coin']);
    // What it carries is the item tables' (the engine passes it in); the state keeps no copy.
    expect(searched.me.inventory).toEqual([]);
    const carrying = characterView(state, 'thorin', { inventory: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 1 }], equipment: { weapon: { item_id: 'longsword', name: 'Longsword', quantity: 1 } } });
    roundTrip(carrying);
    expect(carrying.me).toMatchObject({ inventory: [{ item_id: 'gold-coin' }], equipment: { weapon: { item_id: 'longsword' } } });

    // The rooms carried by events are room views too.
    const rooms = roomsOf(events);
    expect(rooms.length).toBeGreaterThan(0);
    for (const room of rooms) expect(RoomViewSchema.parse(room)).toEqual(room);
  });

  it('the session view is made of the same parts', () => {
    const state = applyAction(tinySession([FIGHTER], world()), { type: 'exploration.move', characterId: 'thorin', direction: 'north' }, scriptedRng([15, 5])).state;
    const view = sessionView(state);
    expect(view.combats).toHaveLength(1);
    for (const c of view.combats) expect(EncounterViewSchema.parse(c)).toEqual(c);
    for (const r of view.rooms) expect(RoomViewSchema.parse(r)).toEqual(r);
    for (const p of view.party) expect(PartyMemberSchema.parse(p)).toEqual(p);
  });

  it('announces turns with the contract’s event type', () => {
    expect(ENGINE_TURN_PROMPT).toBe(TURN_PROMPT);
  });
});
