import type { KeySpec, RegistrationRequest } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { specMismatches } from './spec-match.ts';

const spec: KeySpec = { displayName: 'Thorin Ironbeard', class: 'fighter', level: 5, capabilities: ['combat', 'exploration'] };
const req = (extra: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  characterId: 'thorin',
  name: 'Thorin Ironbeard',
  class: 'fighter',
  level: 5,
  containerEndpoint: 'http://thorin:3000',
  capabilities: ['exploration', 'combat'],
  version: '1.0.0',
  ...extra,
});
const paths = (s: KeySpec, r: RegistrationRequest, last: string | null = null) => specMismatches(s, r, last).map((e) => e.path);

describe('specMismatches', () => {
  it('accepts the spec, capabilities in any order', () => {
    expect(specMismatches(spec, req(), null)).toEqual([]);
  });

  it('names every field that departs from the spec', () => {
    expect(paths(spec, req({ name: 'Someone Else', class: 'wizard', level: 20 }))).toEqual(['name', 'class', 'level']);
    expect(paths(spec, req({ capabilities: ['combat', 'exploration', 'social'] }))).toEqual(['capabilities']);
    expect(paths(spec, req({ capabilities: ['combat'] }))).toEqual(['capabilities']);
  });

  it('with a spec.session, allows only that session, none, or the one the registry last assigned', () => {
    const inCrypt = { ...spec, session: 'crypt' };
    expect(paths(inCrypt, req({ sessionId: 'crypt' }))).toEqual([]);
    expect(paths(inCrypt, req())).toEqual([]);
    expect(paths(inCrypt, req({ sessionId: 'elsewhere' }))).toEqual(['sessionId']);
    expect(paths(inCrypt, req({ sessionId: 'fallback' }), 'fallback')).toEqual([]);
  });

  it('without a spec.session, lets the character ask for a session (the assignment decides whether it exists)', () => {
    expect(paths(spec, req({ sessionId: 'any' }))).toEqual([]);
  });

  it('with spec.abilities, the registration must pick exactly those (in any order)', () => {
    const wizard: KeySpec = { ...spec, class: 'wizard', abilities: ['fire-bolt', 'magic-missile'] };
    const asWizard = (abilities?: string[]) => req({ class: 'wizard', ...(abilities ? { abilities } : {}) });
    expect(paths(wizard, asWizard(['magic-missile', 'fire-bolt']))).toEqual([]);
    expect(paths(wizard, asWizard(['fire-bolt']))).toEqual(['abilities']);
    expect(paths(wizard, asWizard(['fire-bolt', 'magic-missile', 'heal']))).toEqual(['abilities']);
    expect(specMismatches(wizard, asWizard(), null)).toEqual([{ path: 'abilities', message: "must be the Character's abilities [fire-bolt, magic-missile]" }]);
  });

  it('without spec.abilities, the registration may pick (the rules check them) or not', () => {
    expect(paths(spec, req({ abilities: ['heal'] }))).toEqual([]);
    expect(paths(spec, req())).toEqual([]);
  });
});
