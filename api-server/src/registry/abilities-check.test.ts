import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.ts';
import { abilityFieldErrors, assertAbilities } from './abilities-check.ts';

describe('the registry checks abilities against the catalogue', () => {
  it('no picks, or valid picks, pass', () => {
    expect(abilityFieldErrors({ class: 'fighter', level: 5 })).toEqual([]);
    expect(abilityFieldErrors({ class: 'wizard', level: 5, abilities: ['fire-bolt', 'magic-missile'] })).toEqual([]);
    expect(() => assertAbilities({ class: 'rogue', level: 1, abilities: ['lock-picking'] })).not.toThrow();
  });

  it('names each bad ability by its place in the list', () => {
    expect(abilityFieldErrors({ class: 'fighter', level: 5, abilities: ['magic-missile', 'fireball'] })).toEqual([
      { path: 'abilities.0', message: 'spell "magic-missile" is not for a fighter (wizard from level 1)' },
      { path: 'abilities.1', message: expect.stringMatching(/^"fireball" is not an ability or spell of the catalogue/) },
    ]);
    expect(abilityFieldErrors({ class: 'wizard', level: 1, abilities: ['fire-bolt', 'magic-missile'] }, 'spec.abilities')).toEqual([
      { path: 'spec.abilities', message: 'a level 1 wizard picks at most 1 spell, not 2' },
    ]);
  });

  it('refuses with 400 request.invalid, the detail naming the ability', () => {
    let thrown: unknown;
    try {
      assertAbilities({ class: 'ranger', level: 1, abilities: ['heal'] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ status: 400, code: 'request.invalid', detail: 'invalid body: abilities.0: spell "heal" needs a level 2 ranger, this one is level 1' });
  });
});
