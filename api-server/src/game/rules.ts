import type { Action } from '@distributed-dungeon/contracts';
import { attack, cast, defend, endTurn, flee, type Refusal } from './actions-combat.ts';
import { beginNextTurn, runMonsterTurn, settle } from './combat.ts';
import { look, move, rest, search } from './exploration.ts';
import { createRng, type Rng } from './rng.ts';
import { say, talk } from './social.ts';
import { equip, pickLock, takeInputs, unequip, unlock, use } from './items.ts';
import { finish, newCtx, reject, type CharacterState, type Ctx, type GameState, type ItemInputs, type RuleResult } from './state.ts';

// The reducer: one action in, the new state and its events out. Pure — the input state is never
// touched; randomness comes from `rng` (by default the session's own, resumed from its state).

/** `inputs`: what the item tables held for the actor (the engine reads them; the log records them). */
export function applyAction(state: GameState, action: Action, rng: Rng = createRng(state.rngState), inputs?: ItemInputs): RuleResult {
  return run(state, action, rng, false, inputs);
}

/**
 * What a character does when its turn runs out: it defends. `null` when it is not that
 * character's turn (the clock fired late, or the character already acted).
 */
export function timeoutAction(state: GameState, characterId: string): Action | null {
  const c = state.characters[characterId];
  if (!c || state.status !== 'active') return null;
  const enc = state.encounters[c.roomId];
  const slot = enc?.order[enc.turnIndex];
  if (!slot || slot.kind !== 'character' || slot.id !== characterId) return null;
  return { type: 'combat.defend', characterId };
}

/** Applies the timeout: the character defends (the event says `timedOut: true`). */
export function applyTimeout(state: GameState, characterId: string, rng: Rng = createRng(state.rngState)): RuleResult {
  const action = timeoutAction(state, characterId);
  if (!action) return reject(state, characterId, 'not_your_turn', 'it is not this character\'s turn');
  return run(state, action, rng, true);
}

function run(state: GameState, action: Action, rng: Rng, timedOut: boolean, inputs?: ItemInputs): RuleResult {
  const id = action.characterId;
  const refuse = (r: Refusal) => reject(state, id, r.reason, r.message, action.clientActionId);
  if (state.status !== 'active') return refuse({ reason: 'session_ended', message: 'the session has ended' });
  const original = state.characters[id];
  if (!original) return refuse({ reason: 'unknown_character', message: `no character "${id}" in this session` });
  if (!original.present) return refuse({ reason: 'not_present', message: `${original.name} has left the session` });
  if (!original.alive) return refuse({ reason: 'dead', message: `${original.name} is dead` });

  const cause: Ctx['cause'] = { actorId: id };
  if (action.clientActionId !== undefined) cause.clientActionId = action.clientActionId;
  const ctx = newCtx(state, rng, cause);
  const c = ctx.state.characters[id] as CharacterState;
  if (inputs) takeInputs(ctx, c, inputs);
  const refusal = dispatch(ctx, c, action, timedOut, inputs);
  if (refusal) return refuse(refusal);
  if (ctx.events.length > 0 && ctx.events.every((e) => e.version === undefined)) {
    // Nothing changed (a look): hand back the very same state.
    return { state, events: ctx.events, accepted: true };
  }
  return finish(ctx);
}

function dispatch(ctx: Ctx, c: CharacterState, action: Action, timedOut: boolean, inputs: ItemInputs | undefined): Refusal | undefined {
  switch (action.type) {
    case 'combat.attack':
      return attack(ctx, c, action);
    case 'combat.defend':
      return defend(ctx, c, timedOut);
    case 'combat.cast':
      return cast(ctx, c, action);
    case 'combat.flee':
      return flee(ctx, c);
    case 'exploration.move':
      return move(ctx, c, action);
    case 'exploration.search':
      return search(ctx, c);
    case 'exploration.look':
      return look(ctx, c);
    case 'social.say':
      return say(ctx, c, action);
    case 'social.talk':
      return talk(ctx, c, action);
    case 'rest':
      return rest(ctx, c);
    case 'item.equip':
      return itemAction(ctx, c, inputs, (held) => equip(ctx, c, action, held));
    case 'item.unequip':
      return itemAction(ctx, c, inputs, (held) => unequip(ctx, c, action, held));
    case 'item.use':
      return itemAction(ctx, c, inputs, (held) => use(ctx, c, action, held));
    case 'container.unlock':
      return itemAction(ctx, c, inputs, (held) => unlock(ctx, c, action, held));
    case 'container.pick_lock':
      return itemAction(ctx, c, inputs, (held) => pickLock(ctx, c, action, held));
  }
}

/**
 * Item actions need what the character carries (an engine without item tables cannot take
 * them), and in a fight they are the character's action for the turn: only on its turn, and the
 * turn passes.
 */
function itemAction(ctx: Ctx, c: CharacterState, inputs: ItemInputs | undefined, act: (held: ItemInputs) => Refusal | undefined): Refusal | undefined {
  if (!inputs) return { reason: 'no_item_inputs', message: 'this server keeps no item tables' };
  const enc = ctx.state.encounters[c.roomId];
  if (enc) {
    const slot = enc.order[enc.turnIndex];
    if (!slot || slot.kind !== 'character' || slot.id !== c.id) return { reason: 'not_your_turn', message: 'it is not your turn' };
  }
  const refusal = act(inputs);
  if (!refusal && enc) endTurn(ctx, c.roomId, c.id);
  return refusal;
}

/**
 * Building blocks `applyAction` already runs for you (exported for tests and tools): one
 * monster's turn by the built-in AI, and moving a fight's turn on to the next combatant.
 */
export function monsterTurn(state: GameState, monsterId: string, rng: Rng = createRng(state.rngState)): RuleResult {
  const ctx = newCtx(state, rng);
  runMonsterTurn(ctx, monsterId);
  return finish(ctx);
}

export function advanceTurn(state: GameState, roomId: string, rng: Rng = createRng(state.rngState)): RuleResult {
  const ctx = newCtx(state, rng);
  const enc = ctx.state.encounters[roomId];
  if (enc) beginNextTurn(ctx, enc);
  return finish(ctx);
}

/** Runs every monster whose turn it is until each fight waits for a character. */
export function settleMonsters(state: GameState, rng: Rng = createRng(state.rngState)): RuleResult {
  const ctx = newCtx(state, rng);
  settle(ctx);
  return finish(ctx);
}

/** Whose turn it is in every fight, for the clock outside: character id → room. */
export function waitingCharacters(state: GameState): { characterId: string; roomId: string; round: number }[] {
  const out: { characterId: string; roomId: string; round: number }[] = [];
  for (const enc of Object.values(state.encounters)) {
    const slot = enc.order[enc.turnIndex];
    if (slot?.kind === 'character') out.push({ characterId: slot.id, roomId: enc.roomId, round: enc.round });
  }
  return out;
}
