import type { Direction } from '@distributed-dungeon/contracts';
import { exitsOf, roomOf, type CharacterState, type GameState } from './state.ts';

// What the outside sees: the registration `gameState`, `GET /api/sessions/{id}/state` and the
// room attached to movement events. Hidden things (armed traps, unfound discoveries, monster
// loot) never leave the engine.

export interface RoomView {
  id: string;
  name: string;
  description: string;
  exits: Partial<Record<Direction, string>>;
  monsters: { id: string; name: string; hp: number; maxHp: number; ac: number; boss: boolean }[];
  /** Monsters that died here (their corpses are item containers). */
  fallen: { id: string; name: string }[];
  npcs: { id: string; name: string; description: string; topics: string[] }[];
  characters: string[];
  container: { id: string; name: string; lock_state: string; capacity_slots: number } | null;
  traps: { id: string; name: string; status: 'spotted' | 'triggered' }[];
  discoveries: { id: string; description: string }[];
}

export function publicRoom(state: GameState, roomId: string): RoomView {
  const room = roomOf(state, roomId);
  const rs = state.rooms[roomId];
  const monsters = Object.values(state.monsters).filter((m) => m.roomId === roomId);
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    exits: exitsOf(state, roomId),
    monsters: monsters.filter((m) => m.alive).map((m) => ({ id: m.id, name: m.name, hp: m.hp, maxHp: m.maxHp, ac: m.ac, boss: m.boss })),
    fallen: monsters.filter((m) => !m.alive).map((m) => ({ id: m.id, name: m.name })),
    npcs: room.npcs.map((n) => ({
      id: n.id,
      name: n.name,
      description: n.description,
      topics: Object.entries(n.topics).filter(([, t]) => t.requires === undefined).map(([k]) => k),
    })),
    characters: Object.values(state.characters).filter((c) => c.present && c.roomId === roomId).map((c) => c.id),
    container: room.container ? { id: room.container.id, name: room.container.name ?? 'container', lock_state: room.container.lock_state, capacity_slots: room.container.capacity_slots } : null,
    traps: room.traps
      .filter((t) => rs?.traps[t.id] !== 'armed')
      .map((t) => ({ id: t.id, name: t.name, status: rs?.traps[t.id] as 'spotted' | 'triggered' })),
    discoveries: room.discoveries.filter((d) => rs?.discoveries[d.id] != null).map((d) => ({ id: d.id, description: d.description })),
  };
}

export interface CombatView {
  roomId: string;
  round: number;
  order: { kind: 'character' | 'monster'; id: string; name: string; initiative: number; hp: number; maxHp: number; alive: boolean }[];
  active: { kind: 'character' | 'monster'; id: string } | null;
}

export interface PartyMember {
  id: string;
  name: string;
  class: string;
  level: number;
  hp: number;
  maxHp: number;
  alive: boolean;
  present: boolean;
  roomId: string;
}

/** The game state one character sees: the SDK's `gameState`. */
export interface CharacterView {
  sessionId: string;
  worldId: string;
  version: number;
  status: 'active' | 'ended';
  outcome: 'victory' | 'defeat' | null;
  characterId: string;
  me: CharacterState;
  room: RoomView;
  combat: (CombatView & { myTurn: boolean }) | null;
  party: PartyMember[];
}

export function combatView(state: GameState, roomId: string): CombatView | null {
  const enc = state.encounters[roomId];
  if (!enc) return null;
  const active = enc.order[enc.turnIndex];
  return {
    roomId,
    round: enc.round,
    order: enc.order.map((s) => {
      const c = s.kind === 'character' ? state.characters[s.id] : state.monsters[s.id];
      return { kind: s.kind, id: s.id, name: c?.name ?? s.id, initiative: s.initiative, hp: c?.hp ?? 0, maxHp: c?.maxHp ?? 0, alive: c?.alive ?? false };
    }),
    active: active ? { kind: active.kind, id: active.id } : null,
  };
}

export function partyOf(state: GameState): PartyMember[] {
  return Object.values(state.characters).map((c) => ({
    id: c.id,
    name: c.name,
    class: c.class,
    level: c.level,
    hp: c.hp,
    maxHp: c.maxHp,
    alive: c.alive,
    present: c.present,
    roomId: c.roomId,
  }));
}

export function characterView(state: GameState, characterId: string): CharacterView {
  const me = state.characters[characterId];
  if (!me) throw new Error(`no character "${characterId}" in session "${state.sessionId}"`);
  const combat = combatView(state, me.roomId);
  return {
    sessionId: state.sessionId,
    worldId: state.worldId,
    version: state.version,
    status: state.status,
    outcome: state.outcome,
    characterId,
    me: structuredClone(me),
    room: publicRoom(state, me.roomId),
    combat: combat ? { ...combat, myTurn: combat.active?.kind === 'character' && combat.active.id === characterId } : null,
    party: partyOf(state),
  };
}

/** The whole session as an admin or a spectator sees it (still without hidden things). */
export interface SessionView {
  sessionId: string;
  worldId: string;
  version: number;
  status: 'active' | 'ended';
  outcome: 'victory' | 'defeat' | null;
  party: PartyMember[];
  rooms: RoomView[];
  combats: CombatView[];
}

export function sessionView(state: GameState): SessionView {
  return {
    sessionId: state.sessionId,
    worldId: state.worldId,
    version: state.version,
    status: state.status,
    outcome: state.outcome,
    party: partyOf(state),
    rooms: state.world.rooms.map((r) => publicRoom(state, r.id)),
    combats: Object.keys(state.encounters).map((id) => combatView(state, id) as CombatView),
  };
}
