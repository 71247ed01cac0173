import type { Rng } from './rng.ts';

// Dice expressions as worlds write them: "1d6+1", "d20", "3d4-1", "7".

export interface DiceSpec {
  count: number;
  sides: number;
  modifier: number;
}

export interface DiceRoll {
  expression: string;
  rolls: number[];
  modifier: number;
  /** Never below zero: a weak hit still does no negative damage. */
  total: number;
}

const DICE = /^(\d*)d(\d+)(?:([+-])(\d+))?$/i;
const CONSTANT = /^\d+$/;

export class DiceError extends Error {}

export function parseDice(expression: string): DiceSpec {
  const text = expression.replace(/\s+/g, '');
  if (CONSTANT.test(text)) return { count: 0, sides: 1, modifier: Number(text) };
  const m = DICE.exec(text);
  if (!m) throw new DiceError(`"${expression}" is not a dice expression such as 1d6+1`);
  const count = m[1] === '' || m[1] === undefined ? 1 : Number(m[1]);
  const sides = Number(m[2]);
  const modifier = m[4] === undefined ? 0 : (m[3] === '-' ? -1 : 1) * Number(m[4]);
  if (count < 1 || count > 100) throw new DiceError(`"${expression}": between 1 and 100 dice`);
  if (sides < 2 || sides > 1000) throw new DiceError(`"${expression}": dice have 2 to 1000 sides`);
  return { count, sides, modifier };
}

export function isDice(expression: string): boolean {
  try {
    parseDice(expression);
    return true;
  } catch {
    return false;
  }
}

/** Rolls the dice; a critical hit rolls twice as many dice (the modifier is added once). */
export function rollDice(expression: string, rng: Rng, options: { critical?: boolean } = {}): DiceRoll {
  const spec = parseDice(expression);
  const count = spec.count * (options.critical ? 2 : 1);
  const rolls: number[] = [];
  for (let i = 0; i < count; i++) rolls.push(rng.die(spec.sides));
  const total = Math.max(0, rolls.reduce((a, b) => a + b, 0) + spec.modifier);
  return { expression, rolls, modifier: spec.modifier, total };
}

export function d20(rng: Rng): number {
  return rng.die(20);
}
