import type { ActionOf } from '@distributed-dungeon/contracts';
import { spellRefusal } from './abilities.ts';
import { SPELLS, scaledDice } from './classes.ts';
import { d20, rollDice } from './dice.ts';
import { beginNextTurn, checkEncounterEnd, DEFEND_AC_BONUS, engage, heal, removeFromEncounter, resolveAttack, settle } from './combat.ts';
import { exitsOf, emit, livingMonstersIn, type CharacterState, type Ctx, type RejectReason } from './state.ts';
import { publicRoom } from './view.ts';

// The combat actions a character takes on its turn.

export type Refusal = { reason: RejectReason; message: string };

const FLEE_DC = 10;

function requireTurn(ctx: Ctx, c: CharacterState): Refusal | undefined {
  const enc = ctx.state.encounters[c.roomId];
  if (!enc) return { reason: 'not_in_combat', message: 'there is no fight here' };
  const slot = enc.order[enc.turnIndex];
  if (!slot || slot.kind !== 'character' || slot.id !== c.id) return { reason: 'not_your_turn', message: 'it is not your turn' };
  return undefined;
}

/** After a character's action: the next combatant is up, and monsters act until a character is. */
export function endTurn(ctx: Ctx, roomId: string, characterId: string): void {
  checkEncounterEnd(ctx, roomId);
  const enc = ctx.state.encounters[roomId];
  if (enc && enc.order[enc.turnIndex]?.id === characterId) beginNextTurn(ctx, enc);
  settle(ctx);
}

export function attack(ctx: Ctx, c: CharacterState, action: ActionOf<'combat.attack'>): Refusal | undefined {
  const refusal = requireTurn(ctx, c);
  if (refusal) return refusal;
  const target = ctx.state.monsters[action.target];
  if (!target || !target.alive || target.roomId !== c.roomId) return { reason: 'no_such_target', message: `no living "${action.target}" here` };
  resolveAttack(
    ctx,
    { attackerId: c.id, attackerKind: 'character', bonus: c.attackBonus, dice: c.weapon.damage, weapon: action.weapon ?? c.weapon.name, cause: 'attack' },
    { kind: 'monster', id: target.id },
  );
  endTurn(ctx, c.roomId, c.id);
  return undefined;
}

export function defend(ctx: Ctx, c: CharacterState, timedOut = false): Refusal | undefined {
  const refusal = requireTurn(ctx, c);
  if (refusal) return refusal;
  c.defending = true;
  emit(ctx, 'combat.defend', { roomId: c.roomId, characterId: c.id, ac: c.ac + DEFEND_AC_BONUS, timedOut });
  endTurn(ctx, c.roomId, c.id);
  return undefined;
}

export function cast(ctx: Ctx, c: CharacterState, action: ActionOf<'combat.cast'>): Refusal | undefined {
  const unpicked = spellRefusal(c, action.spell);
  if (unpicked) return unpicked;
  const spell = SPELLS[action.spell]!;
  const inCombat = ctx.state.encounters[c.roomId] !== undefined;
  // Healing works outside a fight too; everything else is a combat turn.
  if (inCombat || spell.kind === 'damage') {
    const refusal = requireTurn(ctx, c);
    if (refusal) return refusal;
  }
  if (c.mana < spell.cost) return { reason: 'no_mana', message: `"${action.spell}" needs ${spell.cost} mana, ${c.name} has ${c.mana}` };

  if (spell.kind === 'damage') {
    const targetId = action.target ?? livingMonstersIn(ctx.state, c.roomId)[0]?.id;
    const target = targetId === undefined ? undefined : ctx.state.monsters[targetId];
    if (!target || !target.alive || target.roomId !== c.roomId) return { reason: 'no_such_target', message: `no living "${action.target ?? 'monster'}" here` };
    c.mana -= spell.cost;
    emit(ctx, 'combat.cast', { roomId: c.roomId, casterId: c.id, spell: action.spell, targetId: target.id, cost: spell.cost, mana: c.mana });
    resolveAttack(
      ctx,
      { attackerId: c.id, attackerKind: 'character', bonus: c.attackBonus, dice: scaledDice(spell, c.level), weapon: action.spell, spell: action.spell, autoHit: spell.autoHit, cause: 'spell' },
      { kind: 'monster', id: target.id },
    );
  } else {
    const target = ctx.state.characters[action.target ?? c.id];
    if (!target || !target.alive || !target.present || target.roomId !== c.roomId) return { reason: 'no_such_target', message: `no living ally "${action.target}" here` };
    c.mana -= spell.cost;
    emit(ctx, 'combat.cast', { roomId: c.roomId, casterId: c.id, spell: action.spell, targetId: target.id, cost: spell.cost, mana: c.mana });
    const { total } = rollDice(spell.dice, ctx.rng);
    heal(ctx, target, total, c.id);
  }
  if (inCombat) endTurn(ctx, c.roomId, c.id);
  return undefined;
}

export function flee(ctx: Ctx, c: CharacterState): Refusal | undefined {
  const refusal = requireTurn(ctx, c);
  if (refusal) return refusal;
  const from = c.roomId;
  const exits = Object.entries(exitsOf(ctx.state, from)).filter((e): e is [string, string] => e[1] !== undefined);
  const back = exits.find(([, to]) => to === c.previousRoomId) ?? exits[0];
  const roll = d20(ctx.rng);
  const success = back !== undefined && roll + c.initiativeBonus >= FLEE_DC;
  emit(ctx, 'combat.flee', {
    roomId: from,
    actorKind: 'character',
    actorId: c.id,
    roll,
    total: roll + c.initiativeBonus,
    dc: FLEE_DC,
    success,
    ...(success && back ? { direction: back[0], to: back[1] } : {}),
  });
  if (!success || !back) {
    endTurn(ctx, from, c.id);
    return undefined;
  }
  const enc = ctx.state.encounters[from];
  const wasUp = enc?.order[enc.turnIndex]?.id === c.id;
  removeFromEncounter(ctx, from, 'character', c.id);
  c.previousRoomId = from;
  c.roomId = back[1];
  c.defending = false;
  emit(ctx, 'exploration.moved', { characterId: c.id, from, to: back[1], direction: back[0], cautious: false, fled: true, room: publicRoom(ctx.state, back[1]) });
  checkEncounterEnd(ctx, from);
  const still = ctx.state.encounters[from];
  if (still && wasUp) beginNextTurn(ctx, still);
  engage(ctx, back[1]);
  settle(ctx);
  return undefined;
}
