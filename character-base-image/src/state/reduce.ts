import { TURN_PROMPT, type GameEvent, type GameState, type ItemStack, type MonsterView, type PartyMember, type RoomView } from '../types.ts';

// How an authoritative event changes the character's view. Events carry absolute values (hp
// after the hit, the room entered), so applying one never depends on arithmetic over history.

type Data = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function addItems(inv: ItemStack[], items: unknown): void {
  if (!Array.isArray(items)) return;
  for (const item of items as ItemStack[]) {
    const stack = inv.find((s) => s.item_id === item.item_id);
    if (stack) stack.quantity += item.quantity;
    else inv.push({ ...item });
  }
}

function party(s: GameState, id: string) {
  return s.party.find((p) => p.id === id);
}

function monsterIn(room: RoomView, id: string): MonsterView | undefined {
  return room.monsters.find((m) => m.id === id);
}

/** Mutates `s` (the caller passes a copy). Unknown event types are ignored. */
export function reduceEvent(s: GameState, event: GameEvent): void {
  const d = (event.data ?? {}) as Data;
  const me = s.characterId;
  const inMyRoom = str(d.roomId) === s.me.roomId;
  switch (event.type) {
    case 'exploration.moved': {
      const who = str(d.characterId)!;
      const to = str(d.to)!;
      const from = str(d.from);
      const p = party(s, who);
      if (p) p.roomId = to;
      if (who === me) {
        s.me.previousRoomId = from ?? null;
        s.me.roomId = to;
        s.me.defending = false;
        if (d.room && typeof d.room === 'object') s.room = structuredClone(d.room as RoomView);
        s.combat = null;
      } else {
        if (from === s.room.id) s.room.characters = s.room.characters.filter((c) => c !== who);
        if (to === s.room.id && !s.room.characters.includes(who)) s.room.characters.push(who);
      }
      return;
    }
    case 'combat.started':
      if (inMyRoom) {
        s.combat = { roomId: s.me.roomId, round: 1, order: [], active: null, myTurn: false };
        if (Array.isArray(d.monsters)) s.room.monsters = structuredClone(d.monsters as MonsterView[]);
      }
      return;
    case 'combat.initiative':
      if (inMyRoom && s.combat && Array.isArray(d.order)) {
        s.combat.order = (d.order as Data[]).map((o) => {
          const id = str(o.id)!;
          const who = o.kind === 'monster' ? monsterIn(s.room, id) : party(s, id);
          return { kind: o.kind as 'character' | 'monster', id, name: str(o.name) ?? id, initiative: num(o.initiative) ?? 0, hp: who?.hp ?? 0, maxHp: who?.maxHp ?? 0, alive: true };
        });
      }
      return;
    case 'combat.turn':
      if (inMyRoom && s.combat) {
        s.combat.round = num(d.round) ?? s.combat.round;
        s.combat.active = { kind: d.actorKind as 'character' | 'monster', id: str(d.actorId)! };
        s.combat.myTurn = d.actorKind === 'character' && d.actorId === me;
        if (s.combat.myTurn) s.me.defending = false;
      }
      return;
    case 'combat.damage':
    case 'combat.healing': {
      const id = str(d.targetId)!;
      const hp = num(d.hp) ?? 0;
      if (d.targetKind === 'monster') {
        const m = monsterIn(s.room, id);
        if (m) m.hp = hp;
      } else {
        const p = party(s, id);
        if (p) p.hp = hp;
        if (id === me) s.me.hp = hp;
      }
      const c = s.combat?.order.find((o) => o.id === id);
      if (c) c.hp = hp;
      return;
    }
    case 'combat.death': {
      const id = str(d.id)!;
      if (d.kind === 'monster') {
        const m = monsterIn(s.room, id);
        if (m) {
          s.room.monsters = s.room.monsters.filter((x) => x.id !== id);
          s.room.fallen.push({ id, name: m.name });
        }
      } else {
        const p = party(s, id);
        if (p) p.alive = false;
        if (id === me) {
          s.me.alive = false;
          s.me.hp = 0;
          s.me.inventory = [];
        }
      }
      const c = s.combat?.order.find((o) => o.id === id);
      if (c) c.alive = false;
      return;
    }
    case 'combat.ended':
      if (inMyRoom) s.combat = null;
      return;
    case 'combat.defend':
      if (d.characterId === me) s.me.defending = true;
      return;
    case 'combat.cast':
      if (d.casterId === me && num(d.mana) !== undefined) s.me.mana = num(d.mana)!;
      return;
    case 'combat.flee':
      if (d.actorKind === 'monster' && inMyRoom) s.room.monsters = s.room.monsters.filter((m) => m.id !== d.actorId);
      return;
    case 'exploration.trap':
      if (inMyRoom && !s.room.traps.some((t) => t.id === d.trapId)) s.room.traps.push({ id: str(d.trapId)!, name: str(d.name) ?? 'trap', status: d.outcome === 'spotted' ? 'spotted' : 'triggered' });
      return;
    case 'exploration.discovery':
      if (inMyRoom) {
        s.room.discoveries.push({ id: str(d.discoveryId)!, description: str(d.description) ?? '' });
        const exit = d.revealsExit as { direction?: string; roomId?: string } | undefined;
        if (exit?.direction && exit.roomId) (s.room.exits as Record<string, string>)[exit.direction] = exit.roomId;
      }
      if (d.characterId === me) addItems(s.me.inventory, d.items);
      return;
    case 'system.rest':
      if (d.characterId === me) {
        s.me.hp = num(d.hp) ?? s.me.hp;
        s.me.mana = num(d.mana) ?? s.me.mana;
        s.me.restsLeft = num(d.restsLeft) ?? s.me.restsLeft;
      }
      if (party(s, str(d.characterId)!)) party(s, str(d.characterId)!)!.hp = num(d.hp) ?? 0;
      return;
    case 'social.npc_reply':
      if (d.characterId === me) {
        addItems(s.me.inventory, d.items);
        const npc = s.room.npcs.find((n) => n.id === d.npcId);
        if (npc && Array.isArray(d.topics)) npc.topics = [...(d.topics as string[])];
      }
      return;
    case 'system.character_joined': {
      const id = str(d.characterId)!;
      const entry: PartyMember = { id, name: str(d.name) ?? id, class: (str(d.class) ?? '') as PartyMember['class'], level: num(d.level) ?? 1, hp: num(d.hp) ?? 0, maxHp: num(d.maxHp) ?? 0, alive: d.alive !== false, present: true, roomId: str(d.roomId) ?? '' };
      const p = party(s, id);
      if (p) Object.assign(p, entry);
      else s.party.push(entry);
      if (entry.roomId === s.room.id && !s.room.characters.includes(id)) s.room.characters.push(id);
      return;
    }
    case 'system.character_left': {
      const p = party(s, str(d.characterId)!);
      if (p) p.present = false;
      s.room.characters = s.room.characters.filter((c) => c !== d.characterId);
      return;
    }
    case 'system.session_closed':
      s.status = 'ended';
      s.outcome = (d.outcome as GameState['outcome']) ?? null;
      s.combat = null;
      return;
    case TURN_PROMPT: {
      // Private and unversioned; LocalView hands it over once the state is at its version.
      if (d.characterId !== me || str(d.roomId) !== s.me.roomId || !s.me.alive) return;
      s.combat ??= { roomId: s.me.roomId, round: num(d.round) ?? 1, order: [], active: null, myTurn: false };
      s.combat.round = num(d.round) ?? s.combat.round;
      s.combat.active = { kind: 'character', id: me };
      s.combat.myTurn = true;
      s.me.defending = false;
      return;
    }
    case 'corpse.created': {
      // The item-container service made the corpse; its id is what `/api/containers/*` takes.
      const id = str(d.container_id);
      if (!id) return;
      const of = d.corpseOf as { name?: unknown } | undefined;
      s.containers ??= {};
      s.containers[id] = {
        ...s.containers[id],
        roomId: str(d.roomId) ?? null,
        kind: 'corpse',
        ownerId: str(d.ownerId) ?? null,
        graceUntil: str(d.grace_period_until) ?? null,
        ...(typeof of?.name === 'string' ? { name: `corpse of ${of.name}` } : {}),
      };
      return;
    }
    case 'container.opened':
    case 'container.updated':
    case 'container.closed':
    case 'container.decayed': {
      const id = str(d.container_id) ?? str(d.containerId);
      if (!id) return;
      s.containers ??= {};
      if (event.type === 'container.decayed') delete s.containers[id];
      else s.containers[id] ??= { roomId: str(d.roomId) ?? str(d.room_id) ?? null, kind: 'container' };
      return;
    }
    default:
      return;
  }
}
