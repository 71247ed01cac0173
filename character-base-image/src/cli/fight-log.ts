// The lines `dungeon test` prints for the rules' events: who moves, who hits whom for how much,
// who dies, how the fight and the session end. Bookkeeping events (turn order, prompts) say nothing.

type D = Record<string, unknown>;
const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const items = (list: unknown): string =>
  Array.isArray(list) && list.length > 0 ? (list as D[]).map((i) => `${s(i.quantity)}× ${s(i.name ?? i.item_id)}`).join(', ') : 'nothing';

/** `names` (id → name) is filled in as characters and monsters appear. */
export function describeEvent(e: { type: string; data: D }, names: Map<string, string>): string[] {
  const d = e.data;
  const name = (id: unknown) => names.get(s(id)) ?? s(id);
  switch (e.type) {
    case 'system.character_joined':
      names.set(s(d.characterId), s(d.name));
      return [`➕ ${s(d.name)} (${s(d.class)} ${s(d.level)}, ${s(d.hp)} hp) enters at ${s(d.roomId)}`];
    case 'exploration.moved':
      if ((d.room as D | undefined)?.name) names.set(s(d.to), s((d.room as D).name));
      return [`${d.fled ? '🏃' : '🚶'} ${name(d.characterId)} ${d.fled ? 'flees' : 'moves'} ${s(d.direction)} to ${s((d.room as D | undefined)?.name ?? d.to)}`];
    case 'exploration.search':
      return [`🔎 ${name(d.characterId)} searches (${s(d.total)})${Array.isArray(d.found) && d.found.length > 0 ? '' : ': nothing'}`];
    case 'exploration.discovery':
      return [`✨ ${name(d.characterId)} finds ${s(d.description)}`];
    case 'exploration.trap':
      return [d.outcome === 'spotted' ? `👁 ${name(d.characterId)} spots the ${s(d.name)}` : `💥 the ${s(d.name)} goes off under ${name(d.characterId)}`];
    case 'combat.started': {
      const monsters = (Array.isArray(d.monsters) ? d.monsters : []) as D[];
      for (const m of monsters) names.set(s(m.id), s(m.name));
      return [`⚔ fight in ${name(d.roomId)}: ${monsters.map((m) => `${s(m.name)} (${s(m.hp)} hp, AC ${s(m.ac)}${m.boss ? ', boss' : ''})`).join(', ')}`];
    }
    case 'combat.initiative':
      return [`   initiative: ${((Array.isArray(d.order) ? d.order : []) as D[]).map((o) => `${s(o.name)} ${s(o.initiative)}`).join(', ')}`];
    case 'combat.attack': {
      const roll = `(${s(d.roll)}+${s(d.bonus)} vs AC ${s(d.targetAc)})`;
      const who = `${name(d.attackerId)} ${d.hit ? (d.critical ? 'CRITICALLY hits' : 'hits') : 'misses'} ${name(d.targetId)}`;
      return [`   ${who}${d.weapon ? ` with ${s(d.weapon)}` : ''} ${roll}`];
    }
    case 'combat.cast':
      return [`   ${name(d.casterId)} casts ${s(d.spell)}${d.targetId ? ` at ${name(d.targetId)}` : ''}`];
    case 'combat.damage':
      return [`     ${name(d.targetId)} takes ${s(d.amount)}${d.cause === 'trap' ? ' from a trap' : ''} (${s(d.hp)}/${s(d.maxHp)} hp left)`];
    case 'combat.healing':
      return [`     ${name(d.targetId)} heals ${s(d.amount)} (${s(d.hp)}/${s(d.maxHp)} hp)`];
    case 'combat.defend':
      return [`   ${name(d.characterId)} defends${d.timedOut ? ' (no decision)' : ''}`];
    case 'combat.flee':
      // A monster's flee names the action's actor, not the monster: say which kind fled.
      return [`   ${d.actorKind === 'monster' ? 'a monster' : name(d.characterId ?? d.actorId)} ${d.success ? 'flees' : 'tries to flee and fails'}`];
    case 'combat.death':
      return [`☠ ${s(d.name) || name(d.id)} dies${d.killerId ? ` (killed by ${name(d.killerId)})` : ''}`];
    case 'corpse.created':
      return [`   the corpse holds ${items(d.items)}`];
    case 'combat.ended':
      return [`🏁 the fight ends after ${s(d.round)} round(s): ${s(d.result)}`];
    case 'item.used':
      return [`   ${name(d.characterId)} uses ${s(d.name ?? d.itemId)}`];
    case 'item.equipped':
      return [`   ${name(d.characterId)} equips ${s(d.name ?? d.itemId)} (AC ${s(d.ac)}, attack +${s(d.attackBonus)})`];
    case 'item.unequipped':
      return [`   ${name(d.characterId)} takes off ${s(d.itemId)} (AC ${s(d.ac)})`];
    case 'system.rest':
      return [`💤 ${name(d.characterId)} rests (${s(d.hp)}/${s(d.maxHp)} hp)`];
    case 'social.npc_reply':
      return [`💬 ${name(d.characterId)} talks with ${s(d.name ?? d.npcId)}`];
    case 'system.session_closed':
      return [`🏁 the session ends in ${s(d.outcome)}: ${s(d.reason)}`];
    default:
      return [];
  }
}
