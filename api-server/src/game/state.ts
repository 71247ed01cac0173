import type { Direction, EquipmentSlot, GameOutcome, MeView } from '@distributed-dungeon/contracts';
import { cloneData } from './clone.ts';
import type { Rng } from './rng.ts';
import type { MonsterTactic, World, WorldItem } from './world.ts';
import type { GameEvent } from '@distributed-dungeon/contracts';

// The state of one session. Plain JSON (no classes, no Maps) so it can be stored, sent and
// deep-compared; reducers clone it and never mutate their input.

/**
 * A character in the session. The engine ships it as the character's own view (`me`), so its
 * shape is the wire contract's, less what it carries and wears: that lives in the item tables
 * alone, and the view adds it from there (`characterView`'s `items`). Only the numbers equipment
 * gives (`weapon`, `attackBonus`, `ac`) are kept here, set by the item actions that change them.
 */
export type CharacterState = Omit<MeView, 'inventory' | 'equipment'>;

/** What a character carries and wears, as the item tables hold it: added to its view, never kept in the state. */
export type CharacterItems = Pick<MeView, 'inventory' | 'equipment'>;

export interface MonsterState {
  id: string;
  name: string;
  roomId: string;
  hp: number;
  maxHp: number;
  ac: number;
  attackBonus: number;
  damage: string;
  weapon: string;
  initiativeBonus: number;
  attacks: number;
  tactic: MonsterTactic;
  fleeAtHp: number;
  boss: boolean;
  xp: number;
  loot: WorldItem[];
  alive: boolean;
  lastAttackerId: string | null;
}

export type TrapStatus = 'armed' | 'spotted' | 'triggered';

export interface RoomState {
  traps: Record<string, TrapStatus>;
  /** Discovery id → who found it (null: not yet). */
  discoveries: Record<string, string | null>;
  /** Exits opened by discoveries. */
  openedExits: Partial<Record<Direction, string>>;
  /** The room's container was unlocked or unsealed (by key, pick or world event) this session. */
  containerOpened?: boolean;
}

export interface TurnSlot {
  kind: 'character' | 'monster';
  id: string;
  initiative: number;
}

export interface Encounter {
  roomId: string;
  round: number;
  order: TurnSlot[];
  /** Index into `order` of whoever acts now. */
  turnIndex: number;
}

export type SessionOutcome = GameOutcome;

export interface GameState {
  sessionId: string;
  worldId: string;
  world: World;
  /** +1 per published state-change event; the SDK reconciles by it. */
  version: number;
  seed: number;
  rngState: number;
  status: 'active' | 'ended';
  outcome: SessionOutcome | null;
  characters: Record<string, CharacterState>;
  monsters: Record<string, MonsterState>;
  rooms: Record<string, RoomState>;
  /** Room id → the fight going on there. */
  encounters: Record<string, Encounter>;
}

/**
 * What the rules publish (one definition, in the contracts). `version` is set on state changes:
 * they go on the session channels, everyone sees them, in order. Events with `characterId` are
 * private notes to that character (channel `character:{id}`), unversioned.
 */
export type { GameEvent } from '@distributed-dungeon/contracts';

export interface RuleResult {
  state: GameState;
  events: GameEvent[];
  /** False when the action was not allowed now; `reason` says why (state is then unchanged). */
  accepted: boolean;
  reason?: RejectReason;
  message?: string;
  /** Item changes for the engine to apply with the log entry (absent: none). */
  items?: ItemIntent[];
}

export type RejectReason =
  | 'session_ended'
  | 'unknown_character'
  | 'dead'
  | 'not_present'
  | 'in_combat'
  | 'not_in_combat'
  | 'not_your_turn'
  | 'no_such_exit'
  | 'no_such_target'
  | 'no_such_npc'
  | 'unknown_spell'
  | 'no_mana'
  | 'no_rests_left'
  | 'no_item_inputs'
  | 'no_such_item'
  | 'not_equippable'
  | 'slot_empty'
  | 'not_usable'
  | 'no_such_container'
  | 'not_locked'
  | 'sealed'
  | 'wrong_key'
  | 'not_a_rogue'
  | 'not_picked'
  | 'cannot_pick';

/**
 * What the item tables held for the acting character when the engine took its action, and the
 * container the action names: read by the engine, recorded in the log with the action, so the
 * rules stay pure and a replay needs no database.
 */
export interface ItemInputs {
  /** Slot → the item id equipped there. */
  equipped: Partial<Record<EquipmentSlot, string>>;
  inventory: { item_id: string; name: string; quantity: number }[];
  container?: { containerId: string; roomId: string | null; lockState: 'unlocked' | 'locked' | 'sealed' };
}

/** What the rules ask the engine to do to the item tables, in the transaction of the log entry. */
export type ItemIntent =
  | { kind: 'grant'; characterId: string; items: { item_id: string; name: string; quantity: number }[]; source: string }
  | { kind: 'consume'; characterId: string; itemId: string; quantity: number }
  | { kind: 'equip'; characterId: string; itemId: string; slot: EquipmentSlot }
  | { kind: 'unequip'; characterId: string; slot: EquipmentSlot }
  /** By the container's API id (keys, lock picks) or by the room whose container it is (world events). */
  | { kind: 'unlock'; containerId?: string; roomId?: string; by: 'key' | 'pick' | 'event' }
  /** A pick that failed: nothing changes but the audit trail, which records the attempt. */
  | { kind: 'pick_failed'; containerId: string; total: number; dc: number };

/** The mutable working copy a reducer builds its result in. */
export interface Ctx {
  state: GameState;
  events: GameEvent[];
  rng: Rng;
  /** Added to the data of every event an action causes, so clients match their optimistic updates. */
  cause: { actorId?: string; clientActionId?: string };
  items: ItemIntent[];
}

export function newCtx(state: GameState, rng: Rng, cause: Ctx['cause'] = {}): Ctx {
  // The world is static: every working copy shares it (frozen, so a rule that tried to change it
  // would throw), and only the session's own part is copied: three quarters of a clone's cost.
  const { world, ...own } = state;
  const copy = cloneData(own) as GameState;
  copy.world = frozen(world);
  return { state: copy, events: [], rng, cause, items: [] };
}

const FROZEN = new WeakSet<object>();

function frozen<T extends object>(value: T): T {
  if (FROZEN.has(value)) return value;
  deepFreeze(value);
  FROZEN.add(value);
  return value;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** Publishes a state change: bumps the version and stamps it on the event. */
export function emit(ctx: Ctx, type: string, data: Record<string, unknown>): void {
  ctx.state.version += 1;
  // What the event says of itself wins: a monster fleeing on a character's action is the actor of its flee.
  ctx.events.push({ type, version: ctx.state.version, data: { ...causeData(ctx), ...data } });
}

/** A private, unversioned note to one character (a look, a rejection). */
export function tell(ctx: Ctx, to: string, type: string, data: Record<string, unknown>): void {
  ctx.events.push({ type, characterId: to, data: { ...data, ...causeData(ctx) } });
}

function causeData(ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx.cause.actorId !== undefined) out.actorId = ctx.cause.actorId;
  if (ctx.cause.clientActionId !== undefined) out.clientActionId = ctx.cause.clientActionId;
  return out;
}

export function finish(ctx: Ctx): RuleResult {
  ctx.state.rngState = ctx.rng.state;
  return { state: ctx.state, events: ctx.events, accepted: true, ...(ctx.items.length > 0 ? { items: ctx.items } : {}) };
}

export function reject(state: GameState, actorId: string, reason: RejectReason, message: string, clientActionId?: string): RuleResult {
  const data: Record<string, unknown> = { code: reason, message, actorId };
  if (clientActionId !== undefined) data.clientActionId = clientActionId;
  return { state, events: [{ type: 'system.error', characterId: actorId, data }], accepted: false, reason, message };
}

export function roomOf(state: GameState, roomId: string) {
  const room = state.world.rooms.find((r) => r.id === roomId);
  if (!room) throw new Error(`no room "${roomId}" in world "${state.worldId}"`);
  return room;
}

export function exitsOf(state: GameState, roomId: string): Partial<Record<Direction, string>> {
  return { ...roomOf(state, roomId).exits, ...state.rooms[roomId]?.openedExits };
}

export function livingMonstersIn(state: GameState, roomId: string): MonsterState[] {
  return Object.values(state.monsters).filter((m) => m.alive && m.roomId === roomId);
}

export function activeCharactersIn(state: GameState, roomId: string): CharacterState[] {
  return Object.values(state.characters).filter((c) => c.alive && c.present && c.roomId === roomId);
}
