import { abilityProblems, type CharacterClass } from '@distributed-dungeon/contracts';
import { appError, type FieldError } from '../http/errors.ts';

// The registry refuses abilities that break the catalogue's class and level rules
// (contracts/src/abilities.ts), whether a registration claims them or a key is minted with them:
// the CRD's CEL rules guard `kubectl apply`, this guards everything that reaches the API.

/** Each problem of the choice as a field error under `where` (e.g. `abilities.1`). */
export function abilityFieldErrors(choice: { class: CharacterClass; level: number; abilities?: readonly string[] | undefined }, where = 'abilities'): FieldError[] {
  if (!choice.abilities) return [];
  return abilityProblems({ class: choice.class, level: choice.level, abilities: choice.abilities }).map((p) => ({
    path: p.index === undefined ? where : `${where}.${p.index}`,
    message: p.message,
  }));
}

/** 400 request.invalid naming each ability that breaks the rules. */
export function assertAbilities(choice: { class: CharacterClass; level: number; abilities?: readonly string[] | undefined }, where = 'abilities'): void {
  const errors = abilityFieldErrors(choice, where);
  if (errors.length) throw appError('request.invalid', `invalid body: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}
