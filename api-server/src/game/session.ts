import { knownAbilities, knownSpells } from './abilities.ts';
import { CLASSES, maxHpFor, maxManaFor, proficiency, type ClassName } from './classes.ts';
import { beginNextTurn, checkEncounterEnd, checkSessionEnd, engage, removeFromEncounter, settle } from './combat.ts';
import { grant, takeInputs } from './items.ts';
import { createRng, type Rng } from './rng.ts';
import { emit, finish, newCtx, reject, type CharacterState, type GameState, type MonsterState, type RoomState, type RuleResult, type ItemInputs } from './state.ts';
import { partyMember, publicRoom } from './view.ts';
import type { World } from './world.ts';

// A session's life outside single actions: created from a world, characters join and leave.

const RESTS_PER_SESSION = 3;

export function createSession(world: World, sessionId: string, seed: number): RuleResult {
  const monsters: Record<string, MonsterState> = {};
  const rooms: Record<string, RoomState> = {};
  for (const room of world.rooms) {
    rooms[room.id] = {
      traps: Object.fromEntries(room.traps.map((t) => [t.id, 'armed' as const])),
      discoveries: Object.fromEntries(room.discoveries.map((d) => [d.id, null])),
      openedExits: {},
    };
    for (const m of room.monsters) {
      monsters[m.id] = {
        id: m.id,
        name: m.name,
        roomId: room.id,
        hp: m.hp,
        maxHp: m.hp,
        ac: m.ac,
        attackBonus: m.attackBonus,
        damage: m.damage,
        weapon: m.weapon,
        initiativeBonus: m.initiativeBonus,
        attacks: m.attacks,
        tactic: m.tactic,
        fleeAtHp: m.fleeAtHp,
        boss: m.boss,
        xp: m.xp,
        loot: structuredClone(m.loot),
        alive: true,
        lastAttackerId: null,
      };
    }
  }
  const state: GameState = {
    sessionId,
    worldId: world.id,
    world,
    version: 0,
    seed: seed >>> 0,
    rngState: seed >>> 0,
    status: 'active',
    outcome: null,
    characters: {},
    monsters,
    rooms,
    encounters: {},
  };
  const ctx = newCtx(state, createRng(state.rngState));
  emit(ctx, 'system.session_created', { worldId: world.id, worldName: world.name, entrance: world.entrance, rooms: world.rooms.length });
  return finish(ctx);
}

export interface JoiningCharacter {
  characterId: string;
  name: string;
  class: ClassName;
  level: number;
  /** The abilities and spells the player picked (absent: the class's standard set). */
  abilities?: string[];
}

function newCharacter(input: JoiningCharacter, roomId: string): CharacterState {
  const def = CLASSES[input.class];
  const maxHp = maxHpFor(input.class, input.level);
  const maxMana = maxManaFor(input.class, input.level);
  return {
    id: input.characterId,
    name: input.name,
    class: input.class,
    level: input.level,
    hp: maxHp,
    maxHp,
    ac: def.ac,
    attackBonus: def.ability + proficiency(input.level),
    weapon: { name: def.weapon.name, damage: `${def.weapon.damage}+${def.ability}` },
    initiativeBonus: def.initiativeBonus,
    perception: def.perception + proficiency(input.level),
    mana: maxMana,
    maxMana,
    spells: knownSpells(input),
    abilities: knownAbilities(input),
    roomId,
    previousRoomId: null,
    alive: true,
    present: true,
    defending: false,
    restsLeft: RESTS_PER_SESSION,
    xp: 0,
    kills: [],
    topicsHeard: {},
  };
}

/**
 * Adds a character at the entrance. Joining again (a restarted container re-registering) keeps
 * everything it had: a returning character is marked present and carries on where it was.
 */
/**
 * `inputs`: what the item tables hold for the character (recorded in the log with the join): its
 * equipment sets its numbers from the first roll on, and the starting kit is granted only to a
 * character that carries and wears nothing (not again when it joins another session with its things).
 */
export function joinCharacter(state: GameState, input: JoiningCharacter, rng: Rng = createRng(state.rngState), inputs?: ItemInputs): RuleResult {
  if (state.status !== 'active') return reject(state, input.characterId, 'session_ended', 'the session has ended');
  const existing = state.characters[input.characterId];
  if (existing?.present) return { state, events: [], accepted: true };
  const ctx = newCtx(state, rng, { actorId: input.characterId });
  const c = existing ? ctx.state.characters[input.characterId]! : newCharacter(input, state.world.entrance);
  c.present = true;
  ctx.state.characters[c.id] = c;
  if (inputs) takeInputs(ctx, c, inputs);
  const emptyHanded = !inputs || (inputs.inventory.length === 0 && Object.keys(inputs.equipped).length === 0);
  if (!existing && emptyHanded) grant(ctx, c, CLASSES[input.class].startingItems, 'starting-kit');
  const { id, present: _present, ...member } = partyMember(c);
  emit(ctx, 'system.character_joined', { characterId: id, ...member, returning: existing !== undefined, room: publicRoom(ctx.state, c.roomId) });
  if (c.alive) {
    engage(ctx, c.roomId);
    settle(ctx);
  }
  return finish(ctx);
}

/**
 * A character deregistered: it leaves the fight (its turns are skipped) but keeps its place.
 * `reason` (the registry's: deregistered, revoked, moved, heartbeat-expired) goes into the event.
 */
export function leaveCharacter(state: GameState, characterId: string, rng: Rng = createRng(state.rngState), reason?: string): RuleResult {
  const c = state.characters[characterId];
  if (!c) return reject(state, characterId, 'unknown_character', `no character "${characterId}" in this session`);
  if (!c.present) return { state, events: [], accepted: true };
  const ctx = newCtx(state, rng, { actorId: characterId });
  const draft = ctx.state.characters[characterId]!;
  draft.present = false;
  draft.defending = false;
  emit(ctx, 'system.character_left', { characterId, roomId: draft.roomId, ...(reason !== undefined ? { reason } : {}) });
  const enc = ctx.state.encounters[draft.roomId];
  if (enc) {
    const wasUp = enc.order[enc.turnIndex]?.id === characterId;
    removeFromEncounter(ctx, draft.roomId, 'character', characterId);
    checkEncounterEnd(ctx, draft.roomId);
    const still = ctx.state.encounters[draft.roomId];
    if (still && wasUp) beginNextTurn(ctx, still);
  }
  checkSessionEnd(ctx);
  settle(ctx);
  return finish(ctx);
}

/**
 * The game master ends the session: every character leaves the game (their actions are refused
 * from now on), fights stop, and the session is over with the outcome `closed`. Ending an
 * ended session changes nothing.
 */
export function endSession(state: GameState, reason: string, rng: Rng = createRng(state.rngState)): RuleResult {
  if (state.status !== 'active') return { state, events: [], accepted: true };
  const ctx = newCtx(state, rng);
  const members = Object.values(ctx.state.characters).filter((c) => c.present);
  for (const c of members) {
    c.present = false;
    c.defending = false;
  }
  ctx.state.encounters = {};
  ctx.state.status = 'ended';
  ctx.state.outcome = 'closed';
  emit(ctx, 'system.session_closed', {
    sessionId: state.sessionId,
    outcome: 'closed',
    reason,
    closedBy: 'game_master',
    members: members.map((c) => c.id),
    survivors: members.filter((c) => c.alive).map((c) => c.id),
  });
  return finish(ctx);
}
