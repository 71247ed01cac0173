import type { ActionDraft, GameState } from '../types.ts';

// A small utility-scoring decision engine: rules propose an action with a score, the best wins.
// Ties go to the rule listed first, so the same state always gives the same decision.

export interface DecisionRule {
  name: string;
  /** The action this rule proposes, or null when it does not apply. */
  propose(state: GameState): ActionDraft | null;
  /** How much this rule wants to act now (higher wins); a number or a function of the state. */
  score: number | ((state: GameState) => number);
  /** Multiplies the score (a personality knob). */
  weight?: number;
}

export interface Decision {
  rule: string;
  action: ActionDraft;
  score: number;
}

export class DecisionEngine {
  readonly rules: DecisionRule[];
  constructor(rules: DecisionRule[] = []) {
    this.rules = [...rules];
  }

  add(rule: DecisionRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Every applicable rule with its score, best first. */
  evaluate(state: GameState): Decision[] {
    const out: (Decision & { index: number })[] = [];
    this.rules.forEach((rule, index) => {
      const action = rule.propose(state);
      if (!action) return;
      const base = typeof rule.score === 'function' ? rule.score(state) : rule.score;
      const score = base * (rule.weight ?? 1);
      if (Number.isFinite(score) && score > 0) out.push({ rule: rule.name, action, score, index });
    });
    out.sort((a, b) => b.score - a.score || a.index - b.index);
    return out.map(({ rule, action, score }) => ({ rule, action, score }));
  }

  decide(state: GameState): Decision | null {
    return this.evaluate(state)[0] ?? null;
  }
}
