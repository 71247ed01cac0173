import { describe, expect, it } from 'vitest';
import { ABILITY_CATALOGUE, AbilityCatalogueSchema, abilityProblems, abilitiesOpenTo, picksAllowed } from './abilities.ts';
import { CharacterSpecSchema } from './character.ts';

const spec = (extra: Record<string, unknown>) => ({ displayName: 'Elara', class: 'wizard', level: 5, image: 'registry.example/a/b:1', ...extra });

describe('ability rules', () => {
  it('a valid choice has no problems', () => {
    expect(abilityProblems({ class: 'wizard', level: 5, abilities: ['fire-bolt', 'magic-missile'] })).toEqual([]);
    expect(abilityProblems({ class: 'rogue', level: 1, abilities: ['lock-picking'] })).toEqual([]);
    expect(abilityProblems({ class: 'fighter', level: 20, abilities: [] })).toEqual([]);
  });

  it('names an unknown ability', () => {
    expect(abilityProblems({ class: 'wizard', level: 5, abilities: ['fireball'] })).toEqual([
      { ability: 'fireball', index: 0, message: expect.stringMatching(/^"fireball" is not an ability or spell of the catalogue \(fire-bolt, magic-missile/) },
    ]);
  });

  it('names an ability of another class, and says who may pick it', () => {
    expect(abilityProblems({ class: 'fighter', level: 5, abilities: ['magic-missile'] })).toEqual([
      { ability: 'magic-missile', index: 0, message: 'spell "magic-missile" is not for a fighter (wizard from level 1)' },
    ]);
  });

  it('names an ability picked below its level', () => {
    expect(abilityProblems({ class: 'ranger', level: 1, abilities: ['heal'] })[0]).toEqual({ ability: 'heal', index: 0, message: 'spell "heal" needs a level 2 ranger, this one is level 1' });
    expect(abilityProblems({ class: 'ranger', level: 2, abilities: ['heal'] })).toEqual([]);
  });

  it('refuses more of a kind than the class holds at its level', () => {
    expect(picksAllowed(ABILITY_CATALOGUE, 'wizard', 2, 'spell')).toBe(1);
    expect(picksAllowed(ABILITY_CATALOGUE, 'wizard', 3, 'spell')).toBe(2);
    expect(picksAllowed(ABILITY_CATALOGUE, 'fighter', 20, 'spell')).toBe(0);
    expect(abilityProblems({ class: 'bard', level: 3, abilities: ['heal', 'vicious-mockery'] })).toEqual([]);
    expect(abilityProblems({ class: 'bard', level: 3, abilities: ['lock-picking'] })).toEqual([{ ability: 'lock-picking', index: 0, message: 'ability "lock-picking" is not for a bard (rogue from level 1)' }]);
    expect(abilityProblems({ class: 'wizard', level: 2, abilities: ['fire-bolt', 'magic-missile'] })).toEqual([{ message: 'a level 2 wizard picks at most 1 spell, not 2' }]);
    // Another catalogue: its limits are the ones applied.
    const generous = { ...ABILITY_CATALOGUE, picks: { ...ABILITY_CATALOGUE.picks, cleric: { spell: [{ fromLevel: 1, count: 2 }], ability: [] } } };
    expect(abilityProblems({ class: 'cleric', level: 1, abilities: ['sacred-flame', 'heal'] }, generous)).toEqual([]);
    // A wrong pick is named once, and does not count against the limit too.
    const problems = abilityProblems({ class: 'rogue', level: 1, abilities: ['lock-picking', 'heal'] });
    expect(problems.map((p) => p.message)).toEqual(['spell "heal" is not for a rogue (cleric from level 1, bard from level 1, ranger from level 2)']);
  });

  it('names a repeated ability', () => {
    expect(abilityProblems({ class: 'cleric', level: 3, abilities: ['heal', 'heal'] })).toEqual([{ ability: 'heal', index: 1, message: 'ability "heal" is picked twice' }]);
  });

  it('lists what a class may pick at a level', () => {
    expect(abilitiesOpenTo(ABILITY_CATALOGUE, 'bard', 3).map((a) => a.id)).toEqual(['vicious-mockery', 'heal']);
    expect(abilitiesOpenTo(ABILITY_CATALOGUE, 'ranger', 1).map((a) => a.id)).toEqual([]);
    expect(abilitiesOpenTo(ABILITY_CATALOGUE, 'rogue', 1).map((a) => a.id)).toEqual(['lock-picking']);
  });

  it('the catalogue schema refuses an id listed twice and steps out of order', () => {
    const dup = AbilityCatalogueSchema.safeParse({
      abilities: [ABILITY_CATALOGUE.abilities[0], ABILITY_CATALOGUE.abilities[0]],
      picks: { wizard: { spell: [{ fromLevel: 5, count: 1 }, { fromLevel: 1, count: 2 }] } },
    });
    expect(dup.success).toBe(false);
    const messages = dup.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('abilities.1.id: ability "fire-bolt" is listed twice');
    expect(messages).toContain('picks.wizard.spell: steps must go up by level');
  });
});

describe('Character spec abilities', () => {
  it('accepts a valid choice and no choice', () => {
    expect(CharacterSpecSchema.parse(spec({ abilities: ['magic-missile'] })).abilities).toEqual(['magic-missile']);
    expect(CharacterSpecSchema.parse(spec({})).abilities).toBeUndefined();
  });

  it('refuses a choice that breaks the rules, naming the ability and its place', () => {
    const r = CharacterSpecSchema.safeParse(spec({ class: 'fighter', abilities: ['magic-missile'] }));
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([expect.objectContaining({ path: ['abilities', 0], message: 'spell "magic-missile" is not for a fighter (wizard from level 1)' })]);
  });

  it('refuses an id that is not kebab-case', () => {
    const r = CharacterSpecSchema.safeParse(spec({ abilities: ['Magic Missile'] }));
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['abilities', 0]);
  });
});
