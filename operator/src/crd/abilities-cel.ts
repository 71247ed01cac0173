// CEL rules for spec.abilities, generated from the ability catalogue (contracts/src/abilities.ts)
// so that `kubectl apply` refuses a choice that breaks the class and level rules, naming the
// ability. They say what abilityProblems() says; the operator and the registry run that one.
import { ABILITY_CATALOGUE, ABILITY_KINDS, abilitiesOpenTo, picksAllowed, CHARACTER_CLASSES, kindNoun, whoMayPick, type AbilityCatalogue, type AbilityKind, type CharacterClass } from '@distributed-dungeon/contracts';

interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;

/** On each entry of spec.abilities: it is in the catalogue. */
export function abilityItemRule(catalogue: AbilityCatalogue = ABILITY_CATALOGUE): CelRule {
  const ids = catalogue.abilities.map((a) => a.id);
  return {
    rule: `self in ${list(ids)}`,
    messageExpression: `'"' + self + '" is not an ability or spell of the catalogue (${ids.join(', ')})'`,
  };
}


/** Whether, at some level from `from` to `to`, a class could pick more of a kind than it holds. */
function canExceedWithin(catalogue: AbilityCatalogue, cls: CharacterClass, kind: AbilityKind, from = 1, to = 20): boolean {
  for (let level = from; level <= to; level++) {
    const open = abilitiesOpenTo(catalogue, cls, level).filter((a) => a.kind === kind).length;
    if (open > picksAllowed(catalogue, cls, level, kind)) return true;
  }
  return false;
}

/** On spec (they need class and level): each ability for its classes and levels; counts per kind. */
export function abilitySpecRules(catalogue: AbilityCatalogue = ABILITY_CATALOGUE): CelRule[] {
  const rules: CelRule[] = [];
  for (const def of catalogue.abilities) {
    const allowed = Object.entries(def.classes).map(([cls, level]) => `(self.class == ${quote(cls)} && self.level >= ${level})`);
    // Static messages: CEL's cost estimate takes an unbounded string for self.class and for
    // string(int), and refuses message expressions that concatenate them.
    rules.push({
      rule: `!has(self.abilities) || !(${quote(def.id)} in self.abilities) || ${allowed.length ? allowed.join(' || ') : 'false'}`,
      message: `${def.kind} "${def.id}" is only for ${whoMayPick(def)}`,
      fieldPath: '.abilities',
    });
  }
  for (const kind of ABILITY_KINDS) {
    for (const cls of CHARACTER_CLASSES) {
      // Only picks the class may have at its level count (a wrong pick is named by its own rule,
      // once), as in abilityProblems(); a limit no choice can exceed gets no rule.
      const open = catalogue.abilities.filter((a) => a.kind === kind && a.classes[cls] !== undefined);
      if (!canExceedWithin(catalogue, cls, kind)) continue;
      const byLevel = new Map<number, string[]>();
      for (const a of open) byLevel.set(a.classes[cls]!, [...(byLevel.get(a.classes[cls]!) ?? []), a.id]);
      const counted = [...byLevel].map(([level, ids]) => `(self.level >= ${level} && a in ${list(ids)})`).join(' || ');
      const count = `self.abilities.filter(a, ${counted}).size()`;
      // One rule per step of the class's limits, each with its level range in a static message.
      const steps = catalogue.picks[cls]?.[kind] ?? [];
      const ranges = steps[0]?.fromLevel === 1 ? steps : [{ fromLevel: 1, count: 0 }, ...steps];
      ranges.forEach((step, i) => {
        const next = ranges[i + 1]?.fromLevel;
        const within = next === undefined ? `self.level >= ${step.fromLevel}` : `self.level >= ${step.fromLevel} && self.level < ${next}`;
        if (!canExceedWithin(catalogue, cls, kind, step.fromLevel, (next ?? 21) - 1)) return;
        const levels = next === undefined ? `level ${step.fromLevel} or more` : next - 1 === step.fromLevel ? `level ${step.fromLevel}` : `level ${step.fromLevel} to ${next - 1}`;
        rules.push({
          rule: `!has(self.abilities) || self.class != ${quote(cls)} || !(${within}) || ${count} <= ${step.count}`,
          message: `a ${cls} of ${levels} picks at most ${step.count} ${kindNoun(kind, step.count)}`,
          fieldPath: '.abilities',
        });
      });
    }
  }
  return rules;
}
