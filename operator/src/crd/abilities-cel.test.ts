import { ABILITY_CATALOGUE } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { abilityItemRule, abilitySpecRules } from './abilities-cel.ts';
import { buildCharacterCrd } from './generate.ts';

type Node = Record<string, unknown>;

const crd = buildCharacterCrd() as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
const spec = (crd.spec.versions[0]!.schema.openAPIV3Schema.properties as Record<string, Node>).spec!;
const abilities = (spec.properties as Record<string, Node>).abilities!;
const rules = spec['x-kubernetes-validations'] as { rule: string; message?: string; messageExpression?: string; fieldPath?: string }[];

describe('spec.abilities in the CRD', () => {
  it('is a bounded set of bounded kebab-case strings (bounds keep the CEL cost estimate low)', () => {
    expect(abilities).toMatchObject({ type: 'array', maxItems: 16, 'x-kubernetes-list-type': 'set' });
    expect(abilities.items).toMatchObject({ type: 'string', maxLength: 40 });
    expect((spec.required as string[]).includes('abilities')).toBe(false);
  });

  it('each entry must be in the catalogue, and the message names the entry', () => {
    const item = abilityItemRule();
    expect((abilities.items as Node)['x-kubernetes-validations']).toEqual([item]);
    for (const a of ABILITY_CATALOGUE.abilities) expect(item.rule).toContain(`'${a.id}'`);
    expect(item.messageExpression).toMatch(/^'"' \+ self \+ '" is not an ability or spell of the catalogue/);
  });

  it('one rule per ability on the spec, naming it and who may pick it, pointed at .abilities', () => {
    for (const a of ABILITY_CATALOGUE.abilities) {
      const rule = rules.find((r) => r.rule.includes(`!('${a.id}' in self.abilities)`));
      expect(rule, a.id).toBeDefined();
      expect(rule!.message).toMatch(new RegExp(`^${a.kind} "${a.id}" is only for \\w+ from level \\d`));
      expect(rule!.fieldPath).toBe('.abilities');
      for (const [cls, level] of Object.entries(a.classes)) expect(rule!.rule).toContain(`(self.class == '${cls}' && self.level >= ${level})`);
    }
  });

  it('a count rule for each class and level range whose limit a choice can exceed, and none for the others', () => {
    const countRules = rules.filter((r) => r.message?.includes('picks at most'));
    expect(countRules.map((r) => r.message)).toEqual(['a wizard of level 1 to 2 picks at most 1 spell', 'a cleric of level 1 to 2 picks at most 1 spell', 'a bard of level 1 to 2 picks at most 1 spell']);
    expect(countRules[0]!.rule).toContain('!(self.level >= 1 && self.level < 3)');
    const counted = countRules.map((r) => /self\.class != '(\w+)'/.exec(r.rule)![1]);
    // Wizards, clerics and bards below level 3 hold one of their two spells; a rogue's one
    // ability and a ranger's one spell can never be exceeded.
    expect(counted.sort()).toEqual(['bard', 'cleric', 'wizard']);
    expect(abilitySpecRules()).toEqual(rules.filter((r) => r.fieldPath === '.abilities'));
  });
});
