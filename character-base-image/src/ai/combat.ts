import type { ActionDraft, GameState, MonsterView } from '../types.ts';
import { DecisionEngine, type DecisionRule } from './decision.ts';

// Combat AI: a personality (aggressive, defensive, caster...) expressed as weights on a few
// scored rules. `decideCombatAction(gameState)` returns the action for the character's turn.

export interface CombatAIOptions {
  /** Press the attack: higher attack scores, never defends while healthy. */
  aggressive?: boolean;
  /** Play safe: defends and flees earlier. */
  defensive?: boolean;
  /** Prefer spells over weapons when there is mana. */
  preferSpells?: boolean;
  /** Heal (self or ally) below this fraction of max hp. Default 0.35. */
  healBelow?: number;
  /** Flee below this fraction of max hp (0 = never). Default 0.15, 0.3 when defensive, 0 aggressive. */
  fleeBelow?: number;
  /** Which monster to attack: the weakest (default), the strongest, or the boss first. */
  targetPriority?: 'weakest' | 'strongest' | 'boss';
  /** Extra rules, scored along with the built-in ones. */
  rules?: DecisionRule[];
}

const DAMAGE_SPELLS: Record<string, { cost: number; power: number }> = {
  'magic-missile': { cost: 2, power: 10 },
  'fire-bolt': { cost: 0, power: 5 },
  'sacred-flame': { cost: 0, power: 4 },
  'vicious-mockery': { cost: 0, power: 3 },
};

export class CombatAI {
  readonly options: Required<Omit<CombatAIOptions, 'rules'>>;
  readonly engine: DecisionEngine;

  constructor(options: CombatAIOptions = {}) {
    this.options = {
      aggressive: options.aggressive ?? false,
      defensive: options.defensive ?? false,
      preferSpells: options.preferSpells ?? false,
      healBelow: options.healBelow ?? 0.35,
      fleeBelow: options.fleeBelow ?? (options.aggressive ? 0 : options.defensive ? 0.3 : 0.15),
      targetPriority: options.targetPriority ?? 'weakest',
    };
    this.engine = new DecisionEngine([...this.#builtinRules(), ...(options.rules ?? [])]);
  }

  /** The action for this turn; always something (defend when nothing else applies). */
  decideCombatAction(gameState: GameState): ActionDraft & { characterId: string } {
    const decision = this.engine.decide(gameState);
    const action = decision?.action ?? { type: 'combat.defend' };
    return { ...action, characterId: gameState.characterId } as ActionDraft & { characterId: string };
  }

  chooseTarget(gameState: GameState): MonsterView | undefined {
    const monsters = (gameState.room?.monsters ?? []).filter((m) => m.hp > 0);
    if (monsters.length === 0) return undefined;
    const byHp = [...monsters].sort((a, b) => a.hp - b.hp || a.id.localeCompare(b.id));
    switch (this.options.targetPriority) {
      case 'strongest':
        return byHp.at(-1);
      case 'boss':
        return monsters.find((m) => m.boss) ?? byHp[0];
      default:
        return byHp[0];
    }
  }

  #builtinRules(): DecisionRule[] {
    const o = this.options;
    const hpFraction = (s: GameState) => (s.me.maxHp > 0 ? s.me.hp / s.me.maxHp : 1);
    const knows = (s: GameState, spell: string) => s.me.spells?.includes(spell) ?? false;
    const woundedAlly = (s: GameState) =>
      [...(s.party ?? [])]
        .filter((p) => p.alive && p.present && p.roomId === s.me.roomId && p.maxHp > 0 && p.hp / p.maxHp < o.healBelow)
        .sort((a, b) => a.hp / a.maxHp - b.hp / b.maxHp)[0];
    return [
      {
        name: 'heal',
        propose: (s) => {
          if (!knows(s, 'heal') || s.me.mana < 2) return null;
          const ally = woundedAlly(s);
          return ally ? { type: 'combat.cast', spell: 'heal', target: ally.id } : null;
        },
        score: (s) => 60 + (1 - (woundedAlly(s)?.hp ?? 0) / (woundedAlly(s)?.maxHp || 1)) * 30,
      },
      {
        name: 'flee',
        propose: (s) => (o.fleeBelow > 0 && hpFraction(s) < o.fleeBelow ? { type: 'combat.flee' } : null),
        score: (s) => 70 + (o.fleeBelow - hpFraction(s)) * 100,
      },
      {
        name: 'spell',
        propose: (s) => {
          const target = this.chooseTarget(s);
          if (!target) return null;
          const best = Object.entries(DAMAGE_SPELLS)
            .filter(([name, d]) => knows(s, name) && s.me.mana >= d.cost)
            .sort((a, b) => b[1].power - a[1].power)[0];
          return best ? { type: 'combat.cast', spell: best[0], target: target.id } : null;
        },
        score: (s) => {
          const power = Object.entries(DAMAGE_SPELLS).filter(([n, d]) => knows(s, n) && s.me.mana >= d.cost).reduce((m, [, d]) => Math.max(m, d.power), 0);
          return (o.preferSpells ? 45 : 25) + power * 2;
        },
      },
      {
        name: 'attack',
        propose: (s) => {
          const target = this.chooseTarget(s);
          return target ? { type: 'combat.attack', target: target.id } : null;
        },
        score: (s) => (o.aggressive ? 50 : 35) + (o.defensive ? -10 : 0) + hpFraction(s) * 5,
      },
      {
        name: 'defend',
        propose: () => ({ type: 'combat.defend' }),
        score: (s) => (o.aggressive ? 1 : o.defensive ? 10 + (1 - hpFraction(s)) * 40 : 5 + (1 - hpFraction(s)) * 20),
      },
    ];
  }
}
