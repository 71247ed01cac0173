import type { Action, Direction } from '@distributed-dungeon/contracts';
import { applyAction } from '../../src/game/rules.ts';
import { createSession, joinCharacter, type JoiningCharacter } from '../../src/game/session.ts';
import { exitsOf, type GameState } from '../../src/game/state.ts';
import type { World } from '../../src/game/world.ts';
import { SessionLog, type Command } from '../../src/game/log.ts';

// A simple built-in player, used by tests (a whole session played to the end with a fixed seed)
// and handy for balancing worlds: attack the weakest monster, magic missile when there is mana,
// heal when hurt, rest when low, search every room once, then walk to the nearest unseen room.

function autoAction(state: GameState, characterId: string, memory: { searched: Set<string>; visited: Set<string> }): Action | null {
  const c = state.characters[characterId];
  if (!c || !c.alive || !c.present || state.status !== 'active') return null;
  memory.visited.add(c.roomId);
  const enc = state.encounters[c.roomId];
  if (enc) {
    const slot = enc.order[enc.turnIndex];
    if (slot?.kind !== 'character' || slot.id !== characterId) return null;
    const monsters = Object.values(state.monsters).filter((m) => m.alive && m.roomId === c.roomId);
    const target = monsters.reduce((a, b) => (b.hp < a.hp ? b : a), monsters[0]!);
    if (c.spells.includes('heal') && c.mana >= 2 && c.hp < c.maxHp / 3) return { type: 'combat.cast', characterId, spell: 'heal' };
    if (c.spells.includes('magic-missile') && c.mana >= 2) return { type: 'combat.cast', characterId, spell: 'magic-missile', target: target.id };
    return { type: 'combat.attack', characterId, target: target.id };
  }
  if (c.hp < c.maxHp / 2 && c.restsLeft > 0) return { type: 'rest', characterId };
  if (!memory.searched.has(c.roomId)) {
    memory.searched.add(c.roomId);
    return { type: 'exploration.search', characterId };
  }
  const direction = nextStep(state, c.roomId, memory.visited);
  return direction ? { type: 'exploration.move', characterId, direction, cautious: true } : null;
}

/** Breadth-first: the first step towards the nearest room not visited yet (the boss room last). */
function nextStep(state: GameState, from: string, visited: Set<string>): Direction | null {
  const boss = state.world.bossRoom;
  const seen = new Set([from]);
  const queue: { room: string; first: Direction | null }[] = [{ room: from, first: null }];
  let bossStep: Direction | null = null;
  while (queue.length > 0) {
    const { room, first } = queue.shift()!;
    for (const [dir, to] of Object.entries(exitsOf(state, room)) as [Direction, string][]) {
      if (seen.has(to)) continue;
      seen.add(to);
      const step = first ?? dir;
      if (!visited.has(to)) {
        if (to !== boss) return step;
        bossStep ??= step;
      }
      queue.push({ room: to, first: step });
    }
  }
  return bossStep;
}

/** Plays a whole session with `autoAction` for every character; returns the state and the log. */
export function autoplay(world: World, seed: number, party: JoiningCharacter[], maxSteps = 2000): { state: GameState; log: SessionLog; commands: Command[] } {
  const log = new SessionLog();
  const commands: Command[] = [];
  const apply = (command: Command, result: { state: GameState; events: unknown[]; accepted: boolean }) => {
    commands.push(command);
    log.append(command, result as Parameters<SessionLog['append']>[1]);
    return result.state;
  };
  const create: Command = { kind: 'create', sessionId: 'auto', seed };
  let state = apply(create, createSession(world, 'auto', seed));
  for (const p of party) state = apply({ kind: 'join', character: p }, joinCharacter(state, p));
  const memory = new Map(party.map((p) => [p.characterId, { searched: new Set<string>(), visited: new Set<string>() }]));
  for (let step = 0; step < maxSteps && state.status === 'active'; step++) {
    let acted = false;
    for (const p of party) {
      const action = autoAction(state, p.characterId, memory.get(p.characterId)!);
      if (!action) continue;
      state = apply({ kind: 'action', action }, applyAction(state, action));
      acted = true;
      if (state.status !== 'active') break;
    }
    if (!acted) break;
  }
  return { state, log, commands };
}
