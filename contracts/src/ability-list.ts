import { z } from 'zod';

// The shape of a character's picked abilities, apart from the catalogue (abilities.ts) so that the
// registration (registry.ts) can carry them without importing the catalogue, which needs the
// classes of registry.ts.

/** Ability ids are kebab-case words, as the game's spell names (`magic-missile`). */
export const ABILITY_ID_PATTERN = '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$';
export const ABILITY_ID_MAX = 40;
/** The most abilities one character may list; bounds the CEL cost of the CRD's rules too. */
export const ABILITIES_MAX = 16;

export const AbilityId = z
  .string()
  .min(1)
  .max(ABILITY_ID_MAX)
  .regex(new RegExp(ABILITY_ID_PATTERN), 'a kebab-case ability id such as magic-missile');
export type AbilityId = z.infer<typeof AbilityId>;

/** A character's picks, as the Character's spec, the registration and abilities.json carry them. */
export const AbilityList = z
  .array(AbilityId)
  .max(ABILITIES_MAX)
  .refine((v) => new Set(v).size === v.length, { message: 'abilities must not repeat' });
