import type { CharacterGameView, EncounterView, PartyMember, RoomView } from '@distributed-dungeon/contracts';
import { exitsOf, roomOf, type CharacterItems, type CharacterState, type GameState } from './state.ts';

// What the outside sees: the registration `gameState`, `GET /api/sessions/{id}/state` and the
// room attached to movement events, in the shapes of contracts' game-view.ts. Hidden things
// (armed traps, unfound discoveries, monster loot) never leave the engine.

/** What every view of a session starts with. */
type SessionHeader = Pick<CharacterGameView, 'sessionId' | 'worldId' | 'version' | 'status' | 'outcome'>;

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
    container: room.container ? { id: room.container.id, name: room.container.name ?? 'container', lock_state: rs?.containerOpened ? 'unlocked' : room.container.lock_state, capacity_slots: room.container.capacity_slots } : null,
    traps: room.traps
      .filter((t) => rs?.traps[t.id] !== 'armed')
      .map((t) => ({ id: t.id, name: t.name, status: rs?.traps[t.id] as 'spotted' | 'triggered' })),
    discoveries: room.discoveries.filter((d) => rs?.discoveries[d.id] != null).map((d) => ({ id: d.id, description: d.description })),
  };
}

function combatView(state: GameState, roomId: string): EncounterView | null {
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

/** How the party sees a character (also what `system.character_joined` says about it). */
export function partyMember(c: CharacterState): PartyMember {
  return { id: c.id, name: c.name, class: c.class, level: c.level, hp: c.hp, maxHp: c.maxHp, alive: c.alive, present: c.present, roomId: c.roomId };
}

function partyOf(state: GameState): PartyMember[] {
  return Object.values(state.characters).map(partyMember);
}

function sessionHeader(state: GameState): SessionHeader {
  return { sessionId: state.sessionId, worldId: state.worldId, version: state.version, status: state.status, outcome: state.outcome };
}

/**
 * `items`: what the item tables hold for the character (the state keeps no copy): the engine
 * passes them in; without item tables the character carries nothing.
 */
export function characterView(state: GameState, characterId: string, items: CharacterItems = { inventory: [] }): CharacterGameView {
  const me = state.characters[characterId];
  if (!me) throw new Error(`no character "${characterId}" in session "${state.sessionId}"`);
  const combat = combatView(state, me.roomId);
  return {
    ...sessionHeader(state),
    characterId,
    me: { ...structuredClone(me), ...structuredClone(items) },
    room: publicRoom(state, me.roomId),
    combat: combat ? { ...combat, myTurn: combat.active?.kind === 'character' && combat.active.id === characterId } : null,
    party: partyOf(state),
  };
}

/** The whole session as an admin or a spectator sees it (still without hidden things). */
export type SessionView = SessionHeader & { party: PartyMember[]; rooms: RoomView[]; combats: EncounterView[] };

export function sessionView(state: GameState): SessionView {
  return {
    ...sessionHeader(state),
    party: partyOf(state),
    rooms: state.world.rooms.map((r) => publicRoom(state, r.id)),
    combats: Object.keys(state.encounters).map((id) => combatView(state, id) as EncounterView),
  };
}
