import { d20, rollDice } from './dice.ts';
import { equippedStats } from './equipment-stats.ts';
import { unsealOnBossDeath } from './items.ts';
import { decideMonsterAction } from './monster-ai.ts';
import {
  activeCharactersIn,
  emit,
  livingMonstersIn,
  type CharacterState,
  type Ctx,
  type Encounter,
  type MonsterState,
  type TurnSlot,
} from './state.ts';

// Combat: initiative, turns and rounds, d20 attacks against armour class, damage, death and the
// corpse it leaves, and the end of a fight or of the session. Everything works on a Ctx draft.

export const DEFEND_AC_BONUS = 2;

type Combatant = { kind: 'character'; c: CharacterState } | { kind: 'monster'; c: MonsterState };

export function combatant(ctx: Ctx, slot: Pick<TurnSlot, 'kind' | 'id'>): Combatant | undefined {
  if (slot.kind === 'character') {
    const c = ctx.state.characters[slot.id];
    return c ? { kind: 'character', c } : undefined;
  }
  const m = ctx.state.monsters[slot.id];
  return m ? { kind: 'monster', c: m } : undefined;
}

/** Whether a slot can still act in this encounter (alive, present, still in the room). */
function slotActive(ctx: Ctx, enc: Encounter, slot: TurnSlot): boolean {
  const who = combatant(ctx, slot);
  if (!who || !who.c.alive || who.c.roomId !== enc.roomId) return false;
  return who.kind === 'monster' || who.c.present;
}

function activeSlot(enc: Encounter): TurnSlot | undefined {
  return enc.order[enc.turnIndex];
}

function rollInitiative(ctx: Ctx, kind: TurnSlot['kind'], id: string, bonus: number): TurnSlot {
  return { kind, id, initiative: d20(ctx.rng) + bonus };
}

function sortOrder(ctx: Ctx, order: TurnSlot[]): TurnSlot[] {
  const bonus = (s: TurnSlot) => combatant(ctx, s)?.c.initiativeBonus ?? 0;
  // Ties: higher bonus first, then characters, then id — deterministic without another roll.
  return order.sort(
    (a, b) =>
      b.initiative - a.initiative ||
      bonus(b) - bonus(a) ||
      (a.kind === b.kind ? 0 : a.kind === 'character' ? -1 : 1) ||
      a.id.localeCompare(b.id),
  );
}

function orderData(ctx: Ctx, order: TurnSlot[]) {
  return order.map((s) => ({ kind: s.kind, id: s.id, name: combatant(ctx, s)?.c.name ?? s.id, initiative: s.initiative }));
}

/**
 * Starts a fight in a room that has both living monsters and characters, or adds newcomers to
 * the fight already there (they act at the end of the current round).
 */
export function engage(ctx: Ctx, roomId: string): void {
  const monsters = livingMonstersIn(ctx.state, roomId);
  const characters = activeCharactersIn(ctx.state, roomId);
  if (monsters.length === 0 || characters.length === 0 || ctx.state.status !== 'active') return;
  const existing = ctx.state.encounters[roomId];
  if (existing) {
    const known = new Set(existing.order.map((s) => `${s.kind}:${s.id}`));
    const joined: TurnSlot[] = [];
    for (const c of characters) if (!known.has(`character:${c.id}`)) joined.push(rollInitiative(ctx, 'character', c.id, c.initiativeBonus));
    for (const m of monsters) if (!known.has(`monster:${m.id}`)) joined.push(rollInitiative(ctx, 'monster', m.id, m.initiativeBonus));
    if (joined.length === 0) return;
    existing.order.push(...sortOrder(ctx, joined));
    emit(ctx, 'combat.initiative', { roomId, round: existing.round, order: orderData(ctx, existing.order), joined: joined.map((s) => s.id) });
    return;
  }
  const order = sortOrder(ctx, [
    ...characters.map((c) => rollInitiative(ctx, 'character', c.id, c.initiativeBonus)),
    ...monsters.map((m) => rollInitiative(ctx, 'monster', m.id, m.initiativeBonus)),
  ]);
  const enc: Encounter = { roomId, round: 1, order, turnIndex: -1 };
  ctx.state.encounters[roomId] = enc;
  emit(ctx, 'combat.started', {
    roomId,
    characters: characters.map((c) => c.id),
    monsters: monsters.map((m) => ({ id: m.id, name: m.name, hp: m.hp, maxHp: m.maxHp, ac: m.ac, boss: m.boss })),
  });
  emit(ctx, 'combat.initiative', { roomId, round: 1, order: orderData(ctx, order) });
  beginNextTurn(ctx, enc);
}

/** Moves the turn to the next combatant that can act, starting a new round when it wraps. */
export function beginNextTurn(ctx: Ctx, enc: Encounter): void {
  if (ctx.state.encounters[enc.roomId] !== enc) return;
  for (let step = 0; step < enc.order.length; step++) {
    enc.turnIndex += 1;
    if (enc.turnIndex >= enc.order.length) {
      enc.turnIndex = 0;
      enc.round += 1;
    }
    const slot = enc.order[enc.turnIndex];
    if (slot && slotActive(ctx, enc, slot)) {
      const who = combatant(ctx, slot);
      if (who?.kind === 'character') who.c.defending = false;
      emit(ctx, 'combat.turn', { roomId: enc.roomId, round: enc.round, actorKind: slot.kind, actorId: slot.id });
      return;
    }
  }
}

/** Drops someone from the turn order (fled, left), keeping whoever acts next in place. */
export function removeFromEncounter(ctx: Ctx, roomId: string, kind: TurnSlot['kind'], id: string): void {
  const enc = ctx.state.encounters[roomId];
  if (!enc) return;
  const i = enc.order.findIndex((s) => s.kind === kind && s.id === id);
  if (i < 0) return;
  enc.order.splice(i, 1);
  if (i <= enc.turnIndex) enc.turnIndex -= 1;
}

interface AttackSpec {
  attackerId: string;
  attackerKind: TurnSlot['kind'];
  bonus: number;
  dice: string;
  weapon: string;
  /** Skip the attack roll (magic missile, heal). */
  autoHit?: boolean;
  cause: 'attack' | 'spell';
  spell?: string;
}

/** d20 + bonus against AC: natural 20 always hits and doubles the dice, natural 1 always misses. */
export function resolveAttack(ctx: Ctx, spec: AttackSpec, target: { kind: TurnSlot['kind']; id: string }): { hit: boolean; critical: boolean; damage: number } {
  const who = combatant(ctx, target);
  if (!who) return { hit: false, critical: false, damage: 0 };
  const ac = who.c.ac + (who.kind === 'character' && who.c.defending ? DEFEND_AC_BONUS : 0);
  let roll: number | null = null;
  let hit = true;
  let critical = false;
  if (!spec.autoHit) {
    roll = d20(ctx.rng);
    critical = roll === 20;
    hit = roll !== 1 && (critical || roll + spec.bonus >= ac);
  }
  const damage = hit ? rollDice(spec.dice, ctx.rng, { critical }) : null;
  emit(ctx, 'combat.attack', {
    roomId: who.c.roomId,
    attackerKind: spec.attackerKind,
    attackerId: spec.attackerId,
    targetKind: who.kind,
    targetId: who.c.id,
    weapon: spec.weapon,
    ...(spec.spell ? { spell: spec.spell } : {}),
    roll,
    bonus: spec.bonus,
    total: roll === null ? null : roll + spec.bonus,
    targetAc: ac,
    hit,
    critical,
    damageRolls: damage?.rolls ?? [],
  });
  if (who.kind === 'monster') who.c.lastAttackerId = spec.attackerKind === 'character' ? spec.attackerId : who.c.lastAttackerId;
  if (damage) applyDamage(ctx, who.kind, who.c.id, damage.total, { sourceId: spec.attackerId, cause: spec.cause });
  return { hit, critical, damage: damage?.total ?? 0 };
}

export function applyDamage(ctx: Ctx, kind: TurnSlot['kind'], id: string, amount: number, source: { sourceId: string; cause: string }): void {
  const who = combatant(ctx, { kind, id });
  if (!who || !who.c.alive) return;
  who.c.hp = Math.max(0, who.c.hp - amount);
  emit(ctx, 'combat.damage', { roomId: who.c.roomId, targetKind: kind, targetId: id, amount, hp: who.c.hp, maxHp: who.c.maxHp, ...source });
  if (who.c.hp === 0) kill(ctx, who, source.sourceId);
}

export function heal(ctx: Ctx, target: CharacterState, amount: number, sourceId: string): void {
  const before = target.hp;
  target.hp = Math.min(target.maxHp, target.hp + amount);
  emit(ctx, 'combat.healing', { roomId: target.roomId, targetId: target.id, amount: target.hp - before, hp: target.hp, maxHp: target.maxHp, sourceId });
}

function kill(ctx: Ctx, who: Combatant, killerId: string): void {
  const { c } = who;
  c.alive = false;
  if (who.kind === 'character') who.c.defending = false;
  emit(ctx, 'combat.death', { roomId: c.roomId, kind: who.kind, id: c.id, name: c.name, killerId });
  // A character's things are in the item tables: the engine moves its inventory and equipment
  // into the corpse; a monster's loot lives in the world and travels with the event.
  const items = who.kind === 'monster' ? who.c.loot : [];
  // The item-container service turns this into a corpse container: the owner (the dead
  // character, or whoever killed the monster) gets the grace period.
  const killer = ctx.state.characters[killerId];
  emit(ctx, 'corpse.created', {
    roomId: c.roomId,
    corpseOf: { kind: who.kind, id: c.id, name: c.name },
    ownerId: who.kind === 'character' ? c.id : killer ? killer.id : null,
    items: structuredClone(items),
  });
  if (who.kind === 'monster') {
    who.c.loot = [];
    if (killer) {
      killer.xp += who.c.xp;
      killer.kills.push(c.id);
    }
    if (who.c.boss) unsealOnBossDeath(ctx);
  } else {
    // Its things went into the corpse, and with them what they added to its numbers.
    Object.assign(who.c, equippedStats(who.c, {}, ctx.state.world.items));
  }
  checkSessionEnd(ctx);
}

/** Ends the fight in a room when one side is gone. */
export function checkEncounterEnd(ctx: Ctx, roomId: string): void {
  const enc = ctx.state.encounters[roomId];
  if (!enc) return;
  const monsters = livingMonstersIn(ctx.state, roomId);
  const characters = enc.order.filter((s) => s.kind === 'character' && slotActive(ctx, enc, s));
  if (monsters.length > 0 && characters.length > 0 && ctx.state.status === 'active') return;
  delete ctx.state.encounters[roomId];
  // Fled and departed characters were taken out of the order: whoever is left in it fell here.
  const fighters = enc.order.filter((s) => s.kind === 'character');
  const everyoneDead = fighters.length > 0 && fighters.every((s) => !ctx.state.characters[s.id]?.alive);
  const result = ctx.state.status !== 'active' && monsters.length > 0 && characters.length > 0
    ? 'session_ended'
    : monsters.length === 0
      ? 'victory'
      : everyoneDead
        ? 'defeat'
        : 'escaped';
  emit(ctx, 'combat.ended', { roomId, round: enc.round, result });
}

export function checkSessionEnd(ctx: Ctx): void {
  const s = ctx.state;
  if (s.status !== 'active') return;
  const bosses = Object.values(s.monsters).filter((m) => m.boss);
  const joined = Object.values(s.characters).filter((c) => c.present);
  let outcome: 'victory' | 'defeat' | null = null;
  let reason = '';
  if (bosses.length > 0 && bosses.every((m) => !m.alive)) {
    outcome = 'victory';
    reason = `${bosses.map((b) => b.name).join(' and ')} defeated`;
  } else if (joined.length > 0 && joined.every((c) => !c.alive)) {
    outcome = 'defeat';
    reason = 'every character has fallen';
  }
  if (!outcome) return;
  s.status = 'ended';
  s.outcome = outcome;
  emit(ctx, 'system.session_closed', {
    outcome,
    reason,
    survivors: Object.values(s.characters).filter((c) => c.alive && c.present).map((c) => c.id),
  });
  for (const roomId of Object.keys(s.encounters)) checkEncounterEnd(ctx, roomId);
}

/** One monster's turn, decided by the built-in AI. */
export function runMonsterTurn(ctx: Ctx, monsterId: string): void {
  const m = ctx.state.monsters[monsterId];
  if (!m || !m.alive) return;
  const decision = decideMonsterAction(ctx.state, monsterId, ctx.rng);
  const from = m.roomId;
  if (decision.kind === 'flee') {
    removeFromEncounter(ctx, from, 'monster', m.id);
    m.roomId = decision.to;
    emit(ctx, 'combat.flee', { roomId: from, actorKind: 'monster', actorId: m.id, success: true, direction: decision.direction, to: decision.to });
    checkEncounterEnd(ctx, from);
    engage(ctx, decision.to);
    return;
  }
  if (decision.kind === 'wait') return;
  let targetId = decision.targetId;
  for (let i = 0; i < m.attacks && m.alive && ctx.state.status === 'active'; i++) {
    const target = ctx.state.characters[targetId];
    if (!target || !target.alive || target.roomId !== from) {
      // The first target fell: the rest of the attacks go to the next choice.
      const next = decideMonsterAction(ctx.state, monsterId, ctx.rng);
      if (next.kind !== 'attack') break;
      targetId = next.targetId;
    }
    resolveAttack(ctx, { attackerId: m.id, attackerKind: 'monster', bonus: m.attackBonus, dice: m.damage, weapon: m.weapon, cause: 'attack' }, { kind: 'character', id: targetId });
  }
  checkEncounterEnd(ctx, from);
}

/**
 * Runs monster turns in every fight until each one waits for a character (or ends). The loop
 * bound only guards against a bug; a real fight hands over to a character long before.
 */
export function settle(ctx: Ctx): void {
  for (let guard = 0; guard < 10_000; guard++) {
    if (ctx.state.status !== 'active') return;
    // A fight needs the rules to move on when a monster is up or whoever is up can no longer act.
    const enc = Object.values(ctx.state.encounters).find((e) => {
      const s = activeSlot(e);
      return !s || s.kind === 'monster' || !slotActive(ctx, e, s);
    });
    if (!enc) return;
    const slot = activeSlot(enc);
    if (slot && slot.kind === 'monster' && slotActive(ctx, enc, slot)) runMonsterTurn(ctx, slot.id);
    checkEncounterEnd(ctx, enc.roomId);
    const still = ctx.state.encounters[enc.roomId];
    if (still) beginNextTurn(ctx, still);
  }
  throw new Error('combat did not settle');
}
