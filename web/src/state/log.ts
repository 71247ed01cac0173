import type { EventEnvelope } from '../types.ts';

export interface LogEntry {
  id: string;
  at: string;
  kind: 'initiative' | 'hit' | 'miss' | 'critical' | 'death' | 'damage' | 'move' | 'loot' | 'info';
  text: string;
}

export type Names = Record<string, string>;

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One line of the combat log for an event, or null for events the log does not show. */
export function logLine(e: EventEnvelope, names: Names): LogEntry | null {
  const d = e.data;
  const name = (id: unknown) => names[str(id)] ?? str(id);
  const base = { id: e.id, at: e.timestamp };
  switch (e.type) {
    case 'combat.started':
      return { ...base, kind: 'initiative', text: `Fight in ${name(d.roomId)}` };
    case 'combat.initiative': {
      const order = Array.isArray(d.order) ? (d.order as { id?: unknown; name?: unknown; initiative?: unknown }[]) : [];
      return { ...base, kind: 'initiative', text: `Round ${str(d.round)} initiative: ${order.map((o) => `${str(o.name) || name(o.id)} (${str(o.initiative)})`).join(', ')}` };
    }
    case 'combat.attack': {
      const who = `${name(d.attackerId)} → ${name(d.targetId)}`;
      const roll = `${str(d.total)} vs AC ${str(d.targetAc)}`;
      if (d.critical) return { ...base, kind: 'critical', text: `Critical! ${who} with ${str(d.weapon)} (${roll})` };
      return d.hit ? { ...base, kind: 'hit', text: `Hit: ${who} with ${str(d.weapon)} (${roll})` } : { ...base, kind: 'miss', text: `Miss: ${who} (${roll})` };
    }
    case 'combat.damage':
      return { ...base, kind: 'damage', text: `${name(d.targetId)} takes ${str(d.amount)} (${str(d.hp)}/${str(d.maxHp)} hp)` };
    case 'combat.death':
      return { ...base, kind: 'death', text: `☠ ${str(d.name) || name(d.id)} dies` };
    case 'combat.ended':
      return { ...base, kind: 'info', text: `Fight over: ${str(d.result)}` };
    case 'combat.cast':
      return { ...base, kind: 'info', text: `${name(d.casterId)} casts ${str(d.spell)} on ${name(d.targetId)}` };
    case 'combat.flee':
      return { ...base, kind: 'move', text: `${name(d.actorId ?? d.characterId)} flees` };
    case 'exploration.moved':
      return { ...base, kind: 'move', text: `${name(d.characterId)} goes ${str(d.direction)} to ${name(d.to)}` };
    case 'system.character_joined':
      return { ...base, kind: 'info', text: `${str(d.name) || name(d.characterId)} joins` };
    case 'system.session_closed':
      return { ...base, kind: 'info', text: `Session closed${d.reason ? `: ${str(d.reason)}` : ''}` };
    default:
      return null;
  }
}
