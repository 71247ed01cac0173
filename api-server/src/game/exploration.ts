import type { ActionOf } from '@distributed-dungeon/contracts';
import type { Refusal } from './actions-combat.ts';
import { applyDamage, engage, settle } from './combat.ts';
import { d20, rollDice } from './dice.ts';
import { grant } from './items.ts';
import { emit, exitsOf, roomOf, tell, type CharacterState, type Ctx } from './state.ts';
import { publicRoom } from './view.ts';

// Exploration: moving through exits (and into traps), searching for discoveries, looking, resting.

function outOfCombat(ctx: Ctx, c: CharacterState): Refusal | undefined {
  if (ctx.state.encounters[c.roomId]) return { reason: 'in_combat', message: 'not while fighting (flee first)' };
  return undefined;
}

export function move(ctx: Ctx, c: CharacterState, action: ActionOf<'exploration.move'>): Refusal | undefined {
  const refusal = outOfCombat(ctx, c);
  if (refusal) return refusal;
  const to = exitsOf(ctx.state, c.roomId)[action.direction];
  if (to === undefined) return { reason: 'no_such_exit', message: `no exit ${action.direction} from here` };
  const from = c.roomId;
  const cautious = action.cautious === true;
  c.previousRoomId = from;
  c.roomId = to;
  emit(ctx, 'exploration.moved', { characterId: c.id, from, to, direction: action.direction, cautious, room: publicRoom(ctx.state, to) });
  springTraps(ctx, c, cautious);
  if (c.alive) {
    engage(ctx, to);
    settle(ctx);
  }
  return undefined;
}

/**
 * Armed traps in the room just entered. A cautious character rolls d20 + perception against each
 * trap's DC: spotted traps are avoided (and shown to everyone); the rest go off, once.
 */
function springTraps(ctx: Ctx, c: CharacterState, cautious: boolean): void {
  const roomState = ctx.state.rooms[c.roomId];
  if (!roomState) return;
  for (const trap of roomOf(ctx.state, c.roomId).traps) {
    if (roomState.traps[trap.id] !== 'armed' || !c.alive) continue;
    const roll = cautious ? d20(ctx.rng) : null;
    const spotted = roll !== null && roll + c.perception >= trap.dc;
    const base = { roomId: c.roomId, characterId: c.id, trapId: trap.id, name: trap.name, description: trap.description, dc: trap.dc, roll, total: roll === null ? null : roll + c.perception };
    if (spotted) {
      roomState.traps[trap.id] = 'spotted';
      emit(ctx, 'exploration.trap', { ...base, outcome: 'spotted' });
      continue;
    }
    roomState.traps[trap.id] = 'triggered';
    const damage = rollDice(trap.damage, ctx.rng);
    emit(ctx, 'exploration.trap', { ...base, outcome: 'triggered', damage: damage.total, damageRolls: damage.rolls });
    applyDamage(ctx, 'character', c.id, damage.total, { sourceId: trap.id, cause: 'trap' });
  }
}

export function search(ctx: Ctx, c: CharacterState): Refusal | undefined {
  const refusal = outOfCombat(ctx, c);
  if (refusal) return refusal;
  const roomState = ctx.state.rooms[c.roomId];
  const room = roomOf(ctx.state, c.roomId);
  const roll = d20(ctx.rng);
  const total = roll + c.perception;
  const found = room.discoveries.filter((d) => roomState?.discoveries[d.id] === null && total >= d.dc);
  emit(ctx, 'exploration.search', { roomId: c.roomId, characterId: c.id, roll, total, found: found.map((d) => d.id) });
  for (const d of found) {
    if (roomState) roomState.discoveries[d.id] = c.id;
    grant(ctx, c, d.items, `discovery:${d.id}`);
    if (d.revealsExit && roomState) roomState.openedExits[d.revealsExit.direction] = d.revealsExit.roomId;
    emit(ctx, 'exploration.discovery', {
      roomId: c.roomId,
      characterId: c.id,
      discoveryId: d.id,
      description: d.description,
      items: structuredClone(d.items),
      ...(d.revealsExit ? { revealsExit: d.revealsExit } : {}),
    });
  }
  return undefined;
}

/** A look changes nothing: a private, unversioned description. */
export function look(ctx: Ctx, c: CharacterState): Refusal | undefined {
  tell(ctx, c.id, 'exploration.look', { characterId: c.id, room: publicRoom(ctx.state, c.roomId) });
  return undefined;
}

export function rest(ctx: Ctx, c: CharacterState): Refusal | undefined {
  const refusal = outOfCombat(ctx, c);
  if (refusal) return refusal;
  if (c.restsLeft <= 0) return { reason: 'no_rests_left', message: `${c.name} has no rests left this session` };
  c.restsLeft -= 1;
  const before = c.hp;
  c.hp = Math.min(c.maxHp, c.hp + Math.ceil(c.maxHp / 2));
  c.mana = c.maxMana;
  emit(ctx, 'system.rest', { roomId: c.roomId, characterId: c.id, healed: c.hp - before, hp: c.hp, maxHp: c.maxHp, mana: c.mana, restsLeft: c.restsLeft });
  return undefined;
}
