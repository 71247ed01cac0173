// The client's one reducer: every snapshot, server event and API answer goes through it, so the
// map, the log, the sheet and the container UI can never disagree.
import type { CharacterGameView, CharacterInventory, ContainerComponent, EventEnvelope, InventoryStack, MyCharacter, OpenContainer, PlatformStatus, RoomView, SessionView } from '../types.ts';
import { applyItemsDiff, diffKey, itemsDiff } from './items.ts';
import { logLine, type LogEntry, type Names } from './log.ts';

export const LOG_LIMIT = 300;
const ECHO_LIMIT = 20;
const capped = (list: string[], item: string) => [...list.slice(-(ECHO_LIMIT - 1)), item];
const without = (list: string[], item: string) => {
  const i = list.indexOf(item);
  return i < 0 ? list : [...list.slice(0, i), ...list.slice(i + 1)];
};

export interface GameState {
  version: number;
  loaded: boolean;
  session: SessionView | null;
  me: CharacterGameView | null;
  containers: Record<string, ContainerComponent>;
  inventory: CharacterInventory | null;
  open: OpenContainer | null;
  notice: { tone: 'error' | 'info'; text: string } | null;
  log: LogEntry[];
  names: Names;
  turn: { actorId: string; since: string } | null;
  /** Set when an event says the snapshot is out of date (a gap in versions, a new room...). */
  needsResync: boolean;
  /** Events applied since the page loaded (the budget script reads it). */
  applied: number;
  connection: 'connecting' | 'live' | 'reconnecting';
  /** The player acts by hand (its character's module is paused). */
  manual: boolean;
  platform: PlatformStatus | null;
  /**
   * Our own transfers come back as `container.updated` too, before or after the HTTP answer.
   * An answer that still changes what we show expects its event: `echoes` are those, skipped
   * when they come (an event that came first already made the answer change nothing).
   */
  echoes: string[];
}

export const initialState: GameState = {
  version: 0,
  loaded: false,
  session: null,
  me: null,
  containers: {},
  inventory: null,
  open: null,
  notice: null,
  log: [],
  names: {},
  turn: null,
  needsResync: false,
  applied: 0,
  connection: 'connecting',
  manual: false,
  platform: null,
  echoes: [],
};

export type Action =
  | { type: 'gmSnapshot'; view: SessionView }
  | { type: 'playerSnapshot'; data: MyCharacter }
  | { type: 'events'; events: EventEnvelope[] }
  | { type: 'opened'; open: OpenContainer; container: ContainerComponent }
  | { type: 'transferred'; container: ContainerComponent; inventory: CharacterInventory; text?: string }
  | { type: 'closed'; containerId: string }
  | { type: 'refused'; text: string }
  | { type: 'dismiss' }
  | { type: 'manual'; manual: boolean }
  | { type: 'info'; text: string }
  | { type: 'connection'; status: GameState['connection'] };

function namesOfRooms(names: Names, rooms: RoomView[]): void {
  for (const r of rooms) {
    names[r.id] = r.name;
    for (const m of r.monsters) names[m.id] = m.name;
    for (const f of r.fallen) names[f.id] = f.name;
  }
}

const byId = (list: ContainerComponent[]) => Object.fromEntries(list.map((c) => [c.container_id, c]));

export function reducer(state: GameState, action: Action): GameState {
  switch (action.type) {
    case 'gmSnapshot': {
      const names = { ...state.names };
      for (const p of action.view.party) names[p.id] = p.name;
      namesOfRooms(names, action.view.rooms);
      return { ...state, loaded: true, session: action.view, version: Math.max(state.version, action.view.version), names, needsResync: false };
    }
    case 'playerSnapshot': {
      const { view, containers, inventory } = action.data;
      const names = { ...state.names };
      if (view) {
        for (const p of view.party) names[p.id] = p.name;
        namesOfRooms(names, [view.room]);
      }
      const open = state.open && containers.some((c) => c.container_id === state.open!.containerId) ? state.open : null;
      return { ...state, loaded: true, me: view, containers: byId(containers), inventory, open, manual: action.data.manual ?? false, platform: action.data.platform ?? null, version: Math.max(state.version, view?.version ?? 0), names, needsResync: false };
    }
    case 'events': {
      let s = state;
      for (const e of action.events) s = applyEvent(s, e);
      return s;
    }
    case 'opened':
      return { ...state, open: action.open, containers: { ...state.containers, [action.container.container_id]: action.container }, notice: null };
    case 'transferred': {
      const id = action.container.container_id;
      const change = itemsDiff(state.containers[id]?.items ?? [], action.container.items);
      const pending = change.added.length + change.removed.length > 0;
      return {
        ...state,
        echoes: pending ? capped(state.echoes, diffKey(id, change)) : state.echoes,
        containers: { ...state.containers, [id]: action.container },
        inventory: action.inventory,
        notice: action.text ? { tone: 'info', text: action.text } : null,
      };
    }
    case 'closed':
      return { ...state, open: state.open?.containerId === action.containerId ? null : state.open };
    case 'refused':
      return { ...state, notice: { tone: 'error', text: action.text } };
    case 'dismiss':
      return { ...state, notice: null };
    case 'manual':
      return { ...state, manual: action.manual };
    case 'info':
      return { ...state, notice: { tone: 'info', text: action.text } };
    case 'connection':
      return { ...state, connection: action.status };
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function mapRooms(view: SessionView, f: (r: RoomView) => RoomView): SessionView {
  return { ...view, rooms: view.rooms.map(f) };
}

const STRUCTURAL = new Set(['combat.started', 'combat.ended', 'system.character_joined', 'system.character_left', 'corpse.created', 'system.session_closed', 'system.rest', 'exploration.discovery']);

/** One event: skipped when the snapshot already holds it, applied otherwise. */
export function applyEvent(state: GameState, e: EventEnvelope): GameState {
  if (typeof e.version === 'number') {
    if (state.loaded && e.version <= state.version) return state;
  }
  let s: GameState = { ...state, applied: state.applied + 1 };
  if (typeof e.version === 'number') {
    // A gap means events went by while we were not listening: reconcile from the state.
    if (state.loaded && state.version > 0 && e.version > state.version + 1) s.needsResync = true;
    s.version = Math.max(state.version, e.version);
  }
  const d = e.data;
  if (e.type === 'system.character_joined' && typeof d.characterId === 'string' && typeof d.name === 'string') s.names = { ...s.names, [d.characterId]: d.name };
  const line = logLine(e, s.names);
  if (line) s.log = s.log.length >= LOG_LIMIT ? [...s.log.slice(s.log.length - LOG_LIMIT + 1), line] : [...s.log, line];
  if (STRUCTURAL.has(e.type)) s.needsResync = true;

  switch (e.type) {
    case 'exploration.moved':
      s = moved(s, String(d.characterId), String(d.from), String(d.to), d.room as RoomView | undefined);
      break;
    case 'combat.damage':
    case 'combat.healing':
      s = hpChanged(s, String(d.targetId), num(d.hp));
      break;
    case 'combat.death':
      s = died(s, String(d.id), String(d.roomId));
      break;
    case 'combat.turn':
      s.turn = { actorId: String(d.actorId), since: e.timestamp };
      break;
    case 'combat.ended':
      s.turn = null;
      break;
    case 'container.updated': {
      const id = String(d.container_id);
      const c = s.containers[id];
      const diff = (d.diff as { items?: { added: InventoryStack[]; removed: InventoryStack[] } } | undefined)?.items;
      const key = diff ? diffKey(id, diff) : '';
      if (c && diff && s.echoes.includes(key)) s.echoes = without(s.echoes, key);
      else if (c && diff) s.containers = { ...s.containers, [id]: { ...c, items: applyItemsDiff(c.items, diff) } };
      // Room broadcasts reach the whole session: only a new container in our own room matters.
      else if (s.me && d.room_id === s.me.room.id) s.needsResync = true;
      break;
    }
    case 'container.decayed': {
      const id = String(d.container_id);
      const { [id]: gone, ...rest } = s.containers;
      s.containers = rest;
      if (s.open?.containerId === id) {
        s.open = null;
        s.notice = { tone: 'info', text: `${containerName(gone)} decayed and is gone` };
      }
      break;
    }
    case 'container.opened':
      if (!s.open) s.open = { containerId: String(d.container_id), mutationToken: String(d.mutation_token), expiresAt: String(d.expires_at) };
      break;
  }
  return s;
}

function moved(s: GameState, who: string, from: string, to: string, room: RoomView | undefined): GameState {
  const names = { ...s.names };
  if (room) namesOfRooms(names, [room]);
  let session = s.session;
  if (session) {
    session = mapRooms(session, (r) => {
      if (room && r.id === room.id) return room;
      if (r.id === from) return { ...r, characters: r.characters.filter((c) => c !== who) };
      if (r.id === to && !r.characters.includes(who)) return { ...r, characters: [...r.characters, who] };
      return r;
    });
    session = { ...session, party: session.party.map((p) => (p.id === who ? { ...p, roomId: to } : p)) };
  }
  let me = s.me;
  let needsResync = s.needsResync;
  if (me) {
    me = { ...me, party: me.party.map((p) => (p.id === who ? { ...p, roomId: to } : p)) };
    // The character's own move brings a new room with other containers.
    if (who === me.characterId) needsResync = true;
    else if (me.room.id === from) me = { ...me, room: { ...me.room, characters: me.room.characters.filter((c) => c !== who) } };
    else if (me.room.id === to && !me.room.characters.includes(who)) me = { ...me, room: { ...me.room, characters: [...me.room.characters, who] } };
  }
  return { ...s, session, me, names, needsResync };
}

function hpChanged(s: GameState, id: string, hp: number | undefined): GameState {
  if (hp === undefined) return s;
  const setHp = <T extends { id: string; hp: number }>(x: T): T => (x.id === id ? { ...x, hp } : x);
  let { session, me } = s;
  if (session) session = mapRooms({ ...session, party: session.party.map(setHp) }, (r) => (r.monsters.some((m) => m.id === id) ? { ...r, monsters: r.monsters.map(setHp) } : r));
  if (me) me = { ...me, party: me.party.map(setHp), me: setHp(me.me), room: { ...me.room, monsters: me.room.monsters.map(setHp) } };
  return { ...s, session, me };
}

function died(s: GameState, id: string, roomId: string): GameState {
  const fall = (r: RoomView): RoomView => {
    const m = r.monsters.find((x) => x.id === id);
    return m ? { ...r, monsters: r.monsters.filter((x) => x.id !== id), fallen: [...r.fallen, { id: m.id, name: m.name }] } : r;
  };
  let { session, me } = s;
  if (session) session = mapRooms({ ...session, party: session.party.map((p) => (p.id === id ? { ...p, alive: false, hp: 0 } : p)) }, (r) => (r.id === roomId ? fall(r) : r));
  if (me) me = { ...me, party: me.party.map((p) => (p.id === id ? { ...p, alive: false, hp: 0 } : p)), room: fall(me.room) };
  return { ...s, session, me };
}

export function containerName(c: ContainerComponent | undefined): string {
  if (!c) return 'The container';
  const name = c.metadata.name;
  if (typeof name === 'string' && name) return name;
  return c.source_type === 'corpse' ? 'A corpse' : c.source_type === 'environment' ? 'A chest' : 'A container';
}
