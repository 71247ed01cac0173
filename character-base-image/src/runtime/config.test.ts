import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CharacterBase } from '../character/base.ts';
import { sampleState } from '../../test/fixtures.ts';
import { abilityProblems, type CharacterClass } from '@distributed-dungeon/contracts';
import { ConfigError, findCharacterModule, isCharacterClass, loadAbilitiesFile, loadCharacter, loadCharacterConfig, settingsFromEnv } from './config.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

describe('runtime configuration', () => {
  it('loads the three examples — TypeScript and plain CommonJS JavaScript — as CharacterBase subclasses', async () => {
    const loaded = [];
    for (const [dir, file] of [['fighter', 'character.ts'], ['wizard', 'character.cjs'], ['rogue', 'character.ts']] as const) {
      const config = await loadCharacterConfig(path.join(examples, dir));
      const character = await loadCharacter(path.join(examples, dir, file), config);
      expect(isCharacterClass(character.constructor)).toBe(true);
      loaded.push(character);
    }
    const [fighter, wizard, rogue] = loaded;
    expect(fighter!.constructor.name).toBe('MyFighter');
    expect(wizard!.constructor.name).toBe('MyWizard');
    // Distinct personalities: the fighter never flees, the wizard prefers spells, the rogue loots.
    expect(fighter!.combatAI!.options).toMatchObject({ aggressive: true, fleeBelow: 0 });
    expect(wizard!.combatAI!.options).toMatchObject({ preferSpells: true, defensive: true });
    const s = sampleState({ containers: { 'c-1': { roomId: 'gate', kind: 'corpse' }, 'c-2': { roomId: 'den', kind: 'corpse' } } });
    expect(await rogue!.onLoot(s)).toEqual(['c-1']);
    expect(await fighter!.onLoot(s)).toEqual([]);
    expect(await wizard!.onExplore(sampleState({ me: { ...s.me, class: 'wizard', mana: 0, maxMana: 10 } }))).toEqual({ type: 'rest' });
  });

  it('without a module plays a plain CharacterBase; a module without a character is an error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dd-mod-'));
    try {
      expect(await loadCharacter(undefined, { name: 'X', class: 'fighter', level: 1 })).toBeInstanceOf(CharacterBase);
      expect(await findCharacterModule({ CHARACTER_DIR: dir })).toBeUndefined();
      await writeFile(path.join(dir, 'character.mjs'), 'export const x = 1;\n');
      expect(await findCharacterModule({ CHARACTER_DIR: dir })).toBe(path.join(dir, 'character.mjs'));
      await expect(loadCharacter(path.join(dir, 'character.mjs'), { name: 'X', class: 'fighter', level: 1 })).rejects.toThrow(ConfigError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the environment, naming what is missing or wrong', () => {
    const config = { name: 'T', class: 'fighter', level: 1 };
    expect(() => settingsFromEnv({ CHARACTER_ID: 't' }, config)).toThrow('DUNGEON_REGISTRY_URL must be set');
    const env = { CHARACTER_ID: 't', DUNGEON_REGISTRY_URL: 'http://api:8080', DUNGEON_API_KEY: 'k' };
    expect(settingsFromEnv(env, config)).toMatchObject({ characterId: 't', port: 3000, dataDir: '/data', endpoint: 'http://localhost:3000', transport: 'redis' });
    expect(() => settingsFromEnv({ ...env, PORT: 'abc' }, config)).toThrow('PORT must be a whole number, got "abc"');
  });

  it("asks for the session the Character resource names (character.json's session), unless the environment overrides it", () => {
    const env = { CHARACTER_ID: 't', DUNGEON_REGISTRY_URL: 'http://api:8080', DUNGEON_API_KEY: 'k' };
    const config = { name: 'T', class: 'fighter', level: 1, session: 'crypt-of-dawn' };
    expect(settingsFromEnv(env, config).sessionId).toBe('crypt-of-dawn');
    expect(settingsFromEnv({ ...env, DUNGEON_SESSION_ID: 'other' }, config).sessionId).toBe('other');
    expect(settingsFromEnv(env, { name: 'T', class: 'fighter', level: 1 }).sessionId).toBeUndefined();
  });

  it("reads abilities.json beside the player's file, and the examples pick what their class and level allow", async () => {
    for (const dir of ['fighter', 'wizard', 'rogue']) {
      const config = await loadCharacterConfig(path.join(examples, dir));
      const abilities = await loadAbilitiesFile(path.join(examples, dir));
      expect(abilities, dir).toBeDefined();
      expect(abilityProblems({ class: config.class as CharacterClass, level: config.level, abilities: abilities! }), dir).toEqual([]);
    }
    expect(await loadAbilitiesFile(path.join(examples, 'wizard'))).toEqual(['fire-bolt', 'magic-missile']);
    expect(await loadAbilitiesFile(path.join(examples, 'rogue'))).toEqual(['lock-picking']);
  });

  it('an absent abilities.json is no choice; a bad one is a configuration error naming the file and field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'abilities-'));
    try {
      expect(await loadAbilitiesFile(dir)).toBeUndefined();
      await writeFile(path.join(dir, 'abilities.json'), JSON.stringify({ abilities: ['Fire Bolt'] }));
      await expect(loadAbilitiesFile(dir)).rejects.toThrow(/abilities\.json: abilities\.0: a kebab-case ability id/);
      await writeFile(path.join(dir, 'abilities.json'), '{ nope');
      await expect(loadAbilitiesFile(dir)).rejects.toThrow(ConfigError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
