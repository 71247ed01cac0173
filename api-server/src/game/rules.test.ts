import { describe, expect, it } from 'vitest';
import type { Action } from '@distributed-dungeon/contracts';
import { applyAction, applyTimeout, timeoutAction, waitingCharacters } from './rules.ts';
import { createRng, scriptedRng } from './rng.ts';
import { endSession, leaveCharacter } from './session.ts';
import { CLERIC, FIGHTER, tinySession, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';
import type { GameEvent, GameState } from './state.ts';
import { decideMonsterAction } from './monster-ai.ts';

// Rules with fixed dice: scriptedRng hands out exactly the faces listed (and fails the test if
// the rules roll more than that), so every roll below is the one the assertion is about.

const types = (events: GameEvent[]) => events.map((e) => e.type);
const find = (events: GameEvent[], type: string) => events.find((e) => e.type === type)?.data as Record<string, unknown>;

/** Thorin walks into the den and wins initiative (15 vs the ogre's 5): his turn. */
function inDen(state = tinySession()): GameState {
  const r = applyAction(state, { type: 'exploration.move', characterId: 'thorin', direction: 'north' }, scriptedRng([15, 5]));
  expect(types(r.events)).toEqual(['exploration.moved', 'combat.started', 'combat.initiative', 'combat.turn']);
  expect(find(r.events, 'combat.turn')).toMatchObject({ actorKind: 'character', actorId: 'thorin', round: 1 });
  return r.state;
}

const attackOgre: Action = { type: 'combat.attack', characterId: 'thorin', target: 'ogre' };

describe('attacks', () => {
  it('hits when d20 + bonus reaches the armour class, and rolls damage', () => {
    // 8 + 5 = 13 vs AC 13: hit; 1d8+3 with a 5 → 8. The ogre answers with a 3: miss.
    const r = applyAction(inDen(), attackOgre, scriptedRng([8, 5, 3]));
    expect(find(r.events, 'combat.attack')).toMatchObject({ attackerId: 'thorin', roll: 8, total: 13, targetAc: 13, hit: true, critical: false });
    expect(find(r.events, 'combat.damage')).toMatchObject({ targetId: 'ogre', amount: 8, hp: 22 });
    expect(r.state.monsters.ogre!.hp).toBe(22);
    // Then the ogre's turn (a miss), then Thorin's again in round 2.
    const ogre = r.events.filter((e) => e.type === 'combat.attack')[1]!.data;
    expect(ogre).toMatchObject({ attackerId: 'ogre', targetId: 'thorin', hit: false });
    expect(r.events.at(-1)).toMatchObject({ type: 'combat.turn', data: { actorId: 'thorin', round: 2 } });
  });

  it('misses below the armour class, and a natural 1 always misses', () => {
    const miss = applyAction(inDen(), attackOgre, scriptedRng([7, 3]));
    expect(find(miss.events, 'combat.attack')).toMatchObject({ roll: 7, total: 12, hit: false });
    expect(miss.state.monsters.ogre!.hp).toBe(30);

    const state = inDen();
    state.characters.thorin!.attackBonus = 30;
    const fumble = applyAction(state, attackOgre, scriptedRng([1, 3]));
    expect(find(fumble.events, 'combat.attack')).toMatchObject({ roll: 1, total: 31, hit: false });
  });

  it('a natural 20 is a critical hit that doubles the damage dice', () => {
    const state = inDen();
    state.monsters.ogre!.ac = 30; // a 20 hits anyway
    const r = applyAction(state, attackOgre, scriptedRng([20, 4, 6, 3]));
    expect(find(r.events, 'combat.attack')).toMatchObject({ roll: 20, hit: true, critical: true, damageRolls: [4, 6] });
    expect(find(r.events, 'combat.damage')).toMatchObject({ amount: 13 }); // 4 + 6 + 3 once
  });

  it('a monster at 0 hp dies and leaves a corpse with its loot for its killer; the fight ends', () => {
    const state = tinySession(undefined, tinyWorld({ ogreHp: 6 }));
    const r = applyAction(inDen(state), attackOgre, scriptedRng([15, 3]));
    expect(types(r.events)).toEqual(['combat.attack', 'combat.damage', 'combat.death', 'corpse.created', 'combat.ended']);
    expect(find(r.events, 'combat.death')).toMatchObject({ kind: 'monster', id: 'ogre', killerId: 'thorin' });
    expect(find(r.events, 'corpse.created')).toEqual({
      roomId: 'den',
      corpseOf: { kind: 'monster', id: 'ogre', name: 'ogre' },
      ownerId: 'thorin',
      items: [{ item_id: 'club', name: 'Club', quantity: 1 }],
      actorId: 'thorin',
    });
    expect(find(r.events, 'combat.ended')).toMatchObject({ result: 'victory' });
    expect(r.state.encounters).toEqual({});
    expect(r.state.characters.thorin!.xp).toBe(10);
  });

  it('a character at 0 hp dies, its corpse event leaves its items to the engine, and a party of one is defeated', () => {
    const state = inDen();
    state.characters.thorin!.hp = 3;
    // Thorin misses (2); the ogre hits (15 + 4 ≥ 17) for 1d6+2 = 5.
    const r = applyAction(state, attackOgre, scriptedRng([2, 15, 3]));
    expect(find(r.events, 'combat.death')).toMatchObject({ kind: 'character', id: 'thorin', killerId: 'ogre' });
    expect(find(r.events, 'corpse.created')).toMatchObject({ ownerId: 'thorin', corpseOf: { kind: 'character', id: 'thorin' } });
    // Its things are in the item tables: the engine moves them into the corpse (engine/items.int.test.ts).
    expect(find(r.events, 'corpse.created').items).toEqual([]);
    expect(r.state.characters.thorin).toMatchObject({ alive: false, hp: 0 });
    expect(r.state).toMatchObject({ status: 'ended', outcome: 'defeat' });
    expect(types(r.events)).toContain('system.session_closed');
    const after = applyAction(r.state, { type: 'exploration.look', characterId: 'thorin' });
    expect(after).toMatchObject({ accepted: false, reason: 'session_ended' });
  });

  it('a character that leaves mid-fight is out of the order, and the one departure event says where it was and why', () => {
    const r = leaveCharacter(inDen(), 'thorin', undefined, 'deregistered');
    expect(find(r.events, 'system.character_left')).toMatchObject({ characterId: 'thorin', roomId: 'den', reason: 'deregistered' });
    expect(r.state.characters.thorin).toMatchObject({ present: false, alive: true });
    expect(r.state.encounters.den).toBeUndefined();
    expect(applyAction(r.state, attackOgre)).toMatchObject({ accepted: false, reason: 'not_present' });
    expect(leaveCharacter(r.state, 'thorin', undefined, 'again')).toMatchObject({ accepted: true, events: [] });
  });

  it('the game master ends a session mid-fight: members leave, the fight stops, the outcome is closed, once', () => {
    const r = endSession(inDen(), 'the tavern closes');
    expect(r.state).toMatchObject({ status: 'ended', outcome: 'closed', encounters: {} });
    expect(r.state.characters.thorin).toMatchObject({ present: false, alive: true });
    expect(types(r.events)).toEqual(['system.session_closed']);
    expect(find(r.events, 'system.session_closed')).toMatchObject({ outcome: 'closed', reason: 'the tavern closes', closedBy: 'game_master', members: ['thorin'], survivors: ['thorin'] });
    expect(applyAction(r.state, attackOgre)).toMatchObject({ accepted: false, reason: 'session_ended' });
    const again = endSession(r.state, 'again');
    expect(again).toMatchObject({ accepted: true, events: [] });
    expect(again.state).toBe(r.state);
  });

  it('killing the boss ends the session in victory', () => {
    let state = inDen(tinySession(undefined, tinyWorld({ ogreHp: 1 })));
    state = applyAction(state, attackOgre, scriptedRng([15, 1])).state;
    // Into the lair: Thorin first (18 vs 2), then one blow fells the 5-hp boss.
    state = applyAction(state, { type: 'exploration.move', characterId: 'thorin', direction: 'north' }, scriptedRng([18, 2])).state;
    const r = applyAction(state, { type: 'combat.attack', characterId: 'thorin', target: 'boss' }, scriptedRng([15, 4]));
    expect(r.state).toMatchObject({ status: 'ended', outcome: 'victory' });
    expect(find(r.events, 'system.session_closed')).toMatchObject({ outcome: 'victory', survivors: ['thorin'] });
  });
});

describe('turns', () => {
  it('refuses combat actions out of turn and movement in a fight, leaving the state as it was', () => {
    const two = tinySession([FIGHTER, WIZARD]);
    // Both walk in; the ogre rolls 20 and goes first, attacking Thorin (who entered first).
    let state = applyAction(two, { type: 'exploration.move', characterId: 'elara', direction: 'north' }, scriptedRng([2, 20, 1])).state;
    const notYours = applyAction(state, { type: 'combat.attack', characterId: 'thorin', target: 'ogre', clientActionId: 'a-1' });
    expect(notYours).toMatchObject({ accepted: false, reason: 'not_in_combat' });
    state = applyAction(state, { type: 'exploration.move', characterId: 'thorin', direction: 'north' }, scriptedRng([3])).state;
    const r = applyAction(state, attackOgre);
    expect(r).toMatchObject({ accepted: false, reason: 'not_your_turn' });
    expect(r.state).toBe(state);
    expect(r.events).toEqual([{ type: 'system.error', characterId: 'thorin', data: { code: 'not_your_turn', message: 'it is not your turn', actorId: 'thorin' } }]);
    const move = applyAction(state, { type: 'exploration.move', characterId: 'elara', direction: 'south' });
    expect(move).toMatchObject({ accepted: false, reason: 'in_combat' });
  });

  it('numbers every state change with the next version and never versions private events', () => {
    const start = tinySession();
    const r = applyAction(inDen(start), attackOgre, scriptedRng([8, 5, 3]));
    const versioned = r.events.filter((e) => e.version !== undefined).map((e) => e.version);
    expect(versioned.length).toBe(r.events.length);
    const first = versioned[0]!;
    expect(versioned).toEqual(versioned.map((_, i) => first + i));
    expect(r.state.version).toBe(versioned.at(-1));
    const look = applyAction(r.state, { type: 'exploration.look', characterId: 'thorin' });
    expect(look.state).toBe(r.state);
    expect(look.events[0]).toMatchObject({ type: 'exploration.look', characterId: 'thorin' });
    expect(look.events[0]!.version).toBeUndefined();
  });

  it('a timed-out character defends: +2 AC until its next turn', () => {
    const state = inDen();
    expect(timeoutAction(state, 'thorin')).toEqual({ type: 'combat.defend', characterId: 'thorin' });
    expect(timeoutAction(state, 'nobody')).toBeNull();
    expect(waitingCharacters(state)).toEqual([{ characterId: 'thorin', roomId: 'den', round: 1 }]);
    // The ogre rolls 14 + 4 = 18: a hit against AC 17, a miss against 19.
    const r = applyTimeout(state, 'thorin', scriptedRng([14]));
    expect(find(r.events, 'combat.defend')).toMatchObject({ characterId: 'thorin', ac: 19, timedOut: true });
    expect(r.events.filter((e) => e.type === 'combat.attack')[0]!.data).toMatchObject({ attackerId: 'ogre', total: 18, targetAc: 19, hit: false });
    // Thorin's next turn has begun, so the bonus is gone.
    expect(r.state.characters.thorin!.defending).toBe(false);
    expect(timeoutAction(r.state, 'thorin')).not.toBeNull();
    expect(applyTimeout(inDen(), 'elara')).toMatchObject({ accepted: false, reason: 'not_your_turn' });
  });

  it('fleeing succeeds on d20 + initiative ≥ 10 (back where it came from) and fails below', () => {
    const ok = applyAction(inDen(), { type: 'combat.flee', characterId: 'thorin' }, scriptedRng([12]));
    expect(find(ok.events, 'combat.flee')).toMatchObject({ success: true, to: 'gate', total: 13 });
    expect(find(ok.events, 'combat.ended')).toMatchObject({ roomId: 'den', result: 'escaped' });
    expect(ok.state.characters.thorin!.roomId).toBe('gate');
    expect(ok.state.encounters).toEqual({});

    const fail = applyAction(inDen(), { type: 'combat.flee', characterId: 'thorin' }, scriptedRng([5, 2]));
    expect(find(fail.events, 'combat.flee')).toMatchObject({ success: false });
    expect(fail.state.characters.thorin!.roomId).toBe('den');
    expect(types(fail.events)).toContain('combat.attack'); // the ogre's turn followed
  });
});

describe('spells', () => {
  it('magic missile never misses and costs mana; fire bolt rolls to hit', () => {
    let state = tinySession([WIZARD]);
    state = applyAction(state, { type: 'exploration.move', characterId: 'elara', direction: 'north' }, scriptedRng([15, 1])).state;
    const mm = applyAction(state, { type: 'combat.cast', characterId: 'elara', spell: 'magic-missile', target: 'ogre' }, scriptedRng([1, 2, 3, 2]));
    expect(find(mm.events, 'combat.cast')).toMatchObject({ spell: 'magic-missile', mana: 4 });
    expect(find(mm.events, 'combat.attack')).toMatchObject({ roll: null, hit: true, damageRolls: [1, 2, 3] });
    expect(mm.state.monsters.ogre!.hp).toBe(30 - 9);
    expect(mm.state.characters.elara!.mana).toBe(4);

    const bolt = applyAction(mm.state, { type: 'combat.cast', characterId: 'elara', spell: 'fire-bolt' }, scriptedRng([3, 2]));
    expect(find(bolt.events, 'combat.attack')).toMatchObject({ spell: 'fire-bolt', roll: 3, hit: false });
    expect(bolt.state.characters.elara!.mana).toBe(4);

    const broke = structuredClone(mm.state);
    broke.characters.elara!.mana = 1;
    expect(applyAction(broke, { type: 'combat.cast', characterId: 'elara', spell: 'magic-missile' })).toMatchObject({ accepted: false, reason: 'no_mana' });
    expect(applyAction(mm.state, { type: 'combat.cast', characterId: 'elara', spell: 'heal' })).toMatchObject({ accepted: false, reason: 'unknown_spell' });
  });

  it('heal restores hit points up to the maximum, in or out of a fight', () => {
    const state = tinySession([CLERIC, FIGHTER]);
    state.characters.thorin!.hp = 2;
    const r = applyAction(state, { type: 'combat.cast', characterId: 'mira', spell: 'heal', target: 'thorin' }, scriptedRng([4]));
    expect(find(r.events, 'combat.healing')).toMatchObject({ targetId: 'thorin', amount: 7, hp: 9 });
    expect(r.state.characters.mira!.mana).toBe(4);
  });
});

describe('exploration', () => {
  const east: Action = { type: 'exploration.move', characterId: 'thorin', direction: 'east', cautious: true };

  it('a cautious character that spots a trap avoids it', () => {
    const r = applyAction(tinySession(), east, scriptedRng([12])); // 12 + 3 ≥ 15
    expect(find(r.events, 'exploration.trap')).toMatchObject({ trapId: 'spikes', outcome: 'spotted', total: 15 });
    expect(r.state.characters.thorin!.hp).toBe(12);
    expect(r.state.rooms.hall!.traps.spikes).toBe('spotted');
  });

  it('a trap that is not spotted goes off, once', () => {
    const r = applyAction(tinySession(), east, scriptedRng([5, 3, 4])); // 5 + 3 < 15; 2d4 = 7
    expect(find(r.events, 'exploration.trap')).toMatchObject({ outcome: 'triggered', damage: 7 });
    expect(find(r.events, 'combat.damage')).toMatchObject({ targetId: 'thorin', cause: 'trap', hp: 5 });
    const back = applyAction(r.state, { type: 'exploration.move', characterId: 'thorin', direction: 'west' }).state;
    const again = applyAction(back, { ...east, cautious: false });
    expect(types(again.events)).toEqual(['exploration.moved']);
  });

  it('a careless character gets no roll to spot it', () => {
    const r = applyAction(tinySession(), { ...east, cautious: false }, scriptedRng([1, 1]));
    expect(find(r.events, 'exploration.trap')).toMatchObject({ outcome: 'triggered', roll: null, damage: 2 });
  });

  it('search finds discoveries at or above their DC and refuses unknown exits', () => {
    const hall = applyAction(tinySession(), east, scriptedRng([20])).state;
    const miss = applyAction(hall, { type: 'exploration.search', characterId: 'thorin' }, scriptedRng([2]));
    expect(find(miss.events, 'exploration.search')).toMatchObject({ found: [] });
    const hit = applyAction(miss.state, { type: 'exploration.search', characterId: 'thorin' }, scriptedRng([9]));
    expect(find(hit.events, 'exploration.discovery')).toMatchObject({ discoveryId: 'coin', items: [{ item_id: 'gold-coin' }] });
    expect(hit.items).toEqual([{ kind: 'grant', characterId: 'thorin', items: [expect.objectContaining({ item_id: 'gold-coin' })], source: expect.any(String) }]);
    expect(applyAction(hall, { type: 'exploration.move', characterId: 'thorin', direction: 'up' })).toMatchObject({ accepted: false, reason: 'no_such_exit' });
  });

  it('rest restores half the hit points and all mana, three times a session', () => {
    let state = tinySession([WIZARD]);
    state.characters.elara!.hp = 1;
    state.characters.elara!.mana = 0;
    const r = applyAction(state, { type: 'rest', characterId: 'elara' });
    expect(r.state.characters.elara).toMatchObject({ hp: 5, mana: 6, restsLeft: 2 });
    state = r.state;
    state = applyAction(state, { type: 'rest', characterId: 'elara' }).state;
    state = applyAction(state, { type: 'rest', characterId: 'elara' }).state;
    expect(applyAction(state, { type: 'rest', characterId: 'elara' })).toMatchObject({ accepted: false, reason: 'no_rests_left' });
  });
});

describe('social', () => {
  const talk = (topic?: string): Action => ({ type: 'social.talk', characterId: 'thorin', npc: 'sage', ...(topic ? { topic } : {}) });

  it('NPCs greet, answer by topic, unlock topics and give gifts once', () => {
    let state = tinySession();
    const hello = applyAction(state, talk());
    expect(find(hello.events, 'social.npc_reply')).toMatchObject({ text: 'Hello, traveller.', topics: ['lair'] });
    const locked = applyAction(hello.state, talk('boss'));
    expect(find(locked.events, 'social.npc_reply')).toMatchObject({ text: 'Hm?', known: false });
    state = applyAction(locked.state, talk('lair')).state;
    const boss = applyAction(state, talk('BOSS'));
    expect(find(boss.events, 'social.npc_reply')).toMatchObject({ text: 'The boss fears fire.', known: true, items: [{ item_id: 'torch' }], topics: ['lair', 'boss'] });
    const again = applyAction(boss.state, talk('boss'));
    expect(find(again.events, 'social.npc_reply')).toMatchObject({ items: [] });
    expect(boss.items).toEqual([{ kind: 'grant', characterId: 'thorin', items: [{ item_id: 'torch', name: 'Torch', quantity: 1 }], source: 'npc:sage:boss' }]);
    expect(again.items).toBeUndefined();
    expect(applyAction(state, { type: 'social.talk', characterId: 'thorin', npc: 'nobody' })).toMatchObject({ accepted: false, reason: 'no_such_npc' });
  });

  it('say is heard by the room', () => {
    const r = applyAction(tinySession(), { type: 'social.say', characterId: 'thorin', message: 'For the dawn!', clientActionId: 'c-7' });
    expect(r.events).toEqual([
      { type: 'social.say', version: r.state.version, data: { roomId: 'gate', characterId: 'thorin', name: 'Thorin', message: 'For the dawn!', actorId: 'thorin', clientActionId: 'c-7' } },
    ]);
  });
});

describe('monster AI', () => {
  it('picks the weakest target by tactic and flees when badly hurt', () => {
    let state = tinySession([FIGHTER, WIZARD], tinyWorld({ ogreFlee: 0.5 }));
    state = applyAction(state, { type: 'exploration.move', characterId: 'thorin', direction: 'north' }, scriptedRng([15, 5])).state;
    state = applyAction(state, { type: 'combat.defend', characterId: 'thorin' }, scriptedRng([1])).state;
    state = applyAction(state, { type: 'exploration.move', characterId: 'elara', direction: 'north' }, createRng(1)).state;
    const draft = structuredClone(state);
    draft.monsters.ogre!.tactic = 'weakest';
    expect(decideMonsterAction(draft, 'ogre', createRng(1))).toEqual({ kind: 'attack', targetId: 'elara' });
    draft.monsters.ogre!.hp = 10;
    expect(decideMonsterAction(draft, 'ogre', createRng(1))).toMatchObject({ kind: 'flee' });
    draft.monsters.ogre!.boss = true;
    expect(decideMonsterAction(draft, 'ogre', createRng(1))).toMatchObject({ kind: 'attack' });
  });

  it('leaves the input state untouched', () => {
    const state = inDen();
    const before = structuredClone(state);
    applyAction(state, attackOgre, scriptedRng([8, 5, 3]));
    expect(state).toEqual(before);
  });
});
