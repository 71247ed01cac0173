import type { Direction } from '@distributed-dungeon/contracts';
import type { Rng } from './rng.ts';
import { exitsOf, type CharacterState, type GameState } from './state.ts';

// The built-in monster AI: a pure decision from the state. Monsters pick a target by their
// tactic; cowards (fleeAtHp > 0, never bosses) run through a random exit when badly hurt.

export type MonsterDecision =
  | { kind: 'attack'; targetId: string }
  | { kind: 'flee'; direction: Direction; to: string }
  | { kind: 'wait' };

export function decideMonsterAction(state: GameState, monsterId: string, rng: Rng): MonsterDecision {
  const m = state.monsters[monsterId];
  if (!m || !m.alive) return { kind: 'wait' };
  const enc = state.encounters[m.roomId];
  const inOrder = enc ? enc.order.filter((s) => s.kind === 'character').map((s) => s.id) : [];
  const targets = inOrder
    .map((id) => state.characters[id])
    .filter((c): c is CharacterState => !!c && c.alive && c.present && c.roomId === m.roomId);
  if (targets.length === 0) return { kind: 'wait' };

  if (!m.boss && m.fleeAtHp > 0 && m.hp <= m.maxHp * m.fleeAtHp) {
    const exits = Object.entries(exitsOf(state, m.roomId)).filter((e): e is [Direction, string] => e[1] !== undefined);
    if (exits.length > 0) {
      const [direction, to] = exits[Math.floor(rng.next() * exits.length)] as [Direction, string];
      return { kind: 'flee', direction, to };
    }
  }

  let target: CharacterState;
  switch (m.tactic) {
    case 'weakest':
      target = targets.reduce((a, b) => (b.hp < a.hp ? b : a));
      break;
    case 'strongest':
      target = targets.reduce((a, b) => (b.hp > a.hp ? b : a));
      break;
    case 'random':
      target = targets[Math.floor(rng.next() * targets.length)] as CharacterState;
      break;
    case 'nearest': {
      // "Nearest" in a room-sized fight: whoever hit it last, else the first in the order.
      const last = targets.find((t) => t.id === m.lastAttackerId);
      target = last ?? (targets[0] as CharacterState);
      break;
    }
  }
  return { kind: 'attack', targetId: target.id };
}
