import { z } from 'zod';
import { ABILITIES_MAX, AbilityId, AbilityList } from './ability-list.ts';
import { CharacterClass, Level } from './registry.ts';

export * from './ability-list.ts';

// The abilities and spells a player may pick for a character (the character-containers seed's
// config/abilities.json): which class may pick which, from which level, and how many of each kind
// a class holds at a level. One catalogue serves every check: the Character CRD's CEL rules are
// generated from it (operator/src/crd), the operator and the registry run `abilityProblems`, and
// the Dungeon Master lets a character cast only what it picked (api-server/src/game/abilities.ts).

export const ABILITY_KINDS = ['spell', 'ability'] as const;
export const AbilityKind = z.enum(ABILITY_KINDS);
export type AbilityKind = z.infer<typeof AbilityKind>;

export const AbilityDefSchema = z
  .object({
    id: AbilityId,
    kind: AbilityKind,
    name: z.string().min(1).max(64),
    description: z.string().min(1).max(300),
    /** The classes that may pick it, each from the level given. */
    classes: z.partialRecord(CharacterClass, Level),
  })
  .strict();
export type AbilityDef = z.infer<typeof AbilityDefSchema>;

/** From `fromLevel` on, a class holds up to `count` picks of a kind (until a later step). */
export const PickStepSchema = z.object({ fromLevel: Level, count: z.int().min(0).max(ABILITIES_MAX) }).strict();
export type PickStep = z.infer<typeof PickStepSchema>;

const PickStepsSchema = z
  .array(PickStepSchema)
  .max(20)
  .refine((steps) => steps.every((s, i) => i === 0 || s.fromLevel > steps[i - 1]!.fromLevel), { message: 'steps must go up by level' });

export const ClassPicksSchema = z.object({ spell: PickStepsSchema.default([]), ability: PickStepsSchema.default([]) }).strict();
export type ClassPicks = z.infer<typeof ClassPicksSchema>;

export const AbilityCatalogueSchema = z
  .object({
    abilities: z.array(AbilityDefSchema).min(1).max(200),
    picks: z.partialRecord(CharacterClass, ClassPicksSchema),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.abilities.forEach((a, i) => {
      if (seen.has(a.id)) ctx.addIssue({ code: 'custom', path: ['abilities', i, 'id'], message: `ability "${a.id}" is listed twice` });
      seen.add(a.id);
    });
  });
export type AbilityCatalogue = z.infer<typeof AbilityCatalogueSchema>;

/**
 * The platform's catalogue: what the game implements (api-server/src/game/classes.ts SPELLS and
 * the rogue's lock picking). A caster below level 3 holds one spell, so it must choose; from level 3
 * on it may hold both of its class's, as the bundled level-5 examples do.
 */
export const ABILITY_CATALOGUE: AbilityCatalogue = AbilityCatalogueSchema.parse({
  abilities: [
    { id: 'fire-bolt', kind: 'spell', name: 'Fire bolt', description: 'A cantrip: a mote of fire at one enemy (1d10, more dice at levels 5, 11 and 17).', classes: { wizard: 1 } },
    { id: 'magic-missile', kind: 'spell', name: 'Magic missile', description: 'Three darts that never miss (3d4+3), for 2 mana.', classes: { wizard: 1 } },
    { id: 'sacred-flame', kind: 'spell', name: 'Sacred flame', description: 'A cantrip: radiant flame on one enemy (1d8, more dice with levels).', classes: { cleric: 1 } },
    { id: 'vicious-mockery', kind: 'spell', name: 'Vicious mockery', description: 'A cantrip: an insult that wounds (1d6, more dice with levels).', classes: { bard: 1 } },
    { id: 'heal', kind: 'spell', name: 'Heal', description: 'Restores 1d8+3 hit points to the caster or an ally, for 2 mana; also outside a fight.', classes: { cleric: 1, bard: 1, ranger: 2 } },
    // Rogues only: the Dungeon Master lets no other class pick a lock (game/items.ts).
    { id: 'lock-picking', kind: 'ability', name: 'Lock picking', description: "Opens a locked container without its key (a check against the lock's difficulty).", classes: { rogue: 1 } },
  ],
  picks: {
    wizard: { spell: [{ fromLevel: 1, count: 1 }, { fromLevel: 3, count: 2 }] },
    cleric: { spell: [{ fromLevel: 1, count: 1 }, { fromLevel: 3, count: 2 }] },
    bard: { spell: [{ fromLevel: 1, count: 1 }, { fromLevel: 3, count: 2 }] },
    ranger: { spell: [{ fromLevel: 2, count: 1 }] },
    rogue: { ability: [{ fromLevel: 1, count: 1 }] },
  },
});

/** How many abilities of a kind a class holds at a level (0 when it has none). */
export function picksAllowed(catalogue: AbilityCatalogue, cls: CharacterClass, level: number, kind: AbilityKind): number {
  let count = 0;
  for (const step of catalogue.picks[cls]?.[kind] ?? []) if (level >= step.fromLevel) count = step.count;
  return count;
}

/** The abilities a class may pick at a level. */
export function abilitiesOpenTo(catalogue: AbilityCatalogue, cls: CharacterClass, level: number): AbilityDef[] {
  return catalogue.abilities.filter((a) => (a.classes[cls] ?? Infinity) <= level);
}

/** "wizard from level 1, cleric from level 3". */
export function whoMayPick(def: AbilityDef): string {
  return Object.entries(def.classes)
    .map(([cls, level]) => `${cls} from level ${level}`)
    .join(', ');
}

/** "1 spell", "3 abilities". */
export function kindNoun(kind: AbilityKind, n: number): string {
  if (kind === 'spell') return n === 1 ? 'spell' : 'spells';
  return n === 1 ? 'ability' : 'abilities';
}

export interface AbilityProblem {
  /** The ability the problem is about; absent for a count over the limit. */
  ability?: string;
  /** Index in the list, when the problem is one entry. */
  index?: number;
  message: string;
}

export interface AbilityChoice {
  class: CharacterClass;
  level: number;
  abilities: readonly string[];
}

/**
 * Everything wrong with a character's choice, each problem naming the ability: unknown, listed
 * twice, not for this class, not yet at this level, or more of a kind than the class holds.
 * Empty when the choice keeps the rules.
 */
export function abilityProblems(choice: AbilityChoice, catalogue: AbilityCatalogue = ABILITY_CATALOGUE): AbilityProblem[] {
  const problems: AbilityProblem[] = [];
  const byId = new Map(catalogue.abilities.map((a) => [a.id, a]));
  const seen = new Set<string>();
  const counts: Record<AbilityKind, number> = { spell: 0, ability: 0 };
  choice.abilities.forEach((id, index) => {
    if (seen.has(id)) {
      problems.push({ ability: id, index, message: `ability "${id}" is picked twice` });
      return;
    }
    seen.add(id);
    const def = byId.get(id);
    if (!def) {
      problems.push({ ability: id, index, message: `"${id}" is not an ability or spell of the catalogue (${catalogue.abilities.map((a) => a.id).join(', ')})` });
      return;
    }
    const from = def.classes[choice.class];
    if (from === undefined) problems.push({ ability: id, index, message: `${def.kind} "${id}" is not for a ${choice.class} (${whoMayPick(def)})` });
    else if (choice.level < from) problems.push({ ability: id, index, message: `${def.kind} "${id}" needs a level ${from} ${choice.class}, this one is level ${choice.level}` });
    // Only picks the class may have count against its limit: one wrong pick, one message.
    else counts[def.kind] += 1;
  });
  for (const kind of ABILITY_KINDS) {
    const allowed = picksAllowed(catalogue, choice.class, choice.level, kind);
    if (counts[kind] > allowed) {
      problems.push({ message: `a level ${choice.level} ${choice.class} picks at most ${allowed} ${kindNoun(kind, allowed)}, not ${counts[kind]}` });
    }
  }
  return problems;
}

/** The seed's config/abilities.json in a character image: the player's picks. */
export const AbilitiesFileSchema = z.object({ abilities: AbilityList }).strict();
export type AbilitiesFile = z.infer<typeof AbilitiesFileSchema>;
