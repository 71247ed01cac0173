import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Action, abilityProblems } from '@distributed-dungeon/contracts';
import { loadAbilitiesFile, loadCharacter, loadCharacterConfig } from '../runtime/config.ts';
import { CLASSES, starterAbilities } from './scaffold.ts';
import { practiceState } from '../practice/state.ts';
import { init } from './init.ts';
import { UsageError } from './usage-error.ts';

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'dd-init-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('dungeon init', () => {
  it('scaffolds every file, and the module it writes plays a valid combat turn', async () => {
    const dir = path.join(await scratch(), 'vex-nightblade');
    const lines: string[] = [];
    const files = await init({ dir, class: 'rogue', level: '4', sdkVersion: '0.1.0' }, (l) => lines.push(l));
    expect(files.sort()).toEqual(['.gitignore', 'Dockerfile', 'abilities.json', 'character.json', 'character.test.mjs', 'character.ts', 'character.yaml', 'package.json']);
    expect(lines).toHaveLength(files.length);
    const config = await loadCharacterConfig(dir);
    expect(config).toMatchObject({ characterId: 'vex-nightblade', name: 'Vex Nightblade', class: 'rogue', level: 4 });
    expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toContain('COPY character.ts abilities.json /app/character/');
    // The runtime reads abilities.json beside the module: a level 4 rogue picks its lock picking.
    expect(await loadAbilitiesFile(dir)).toEqual(['lock-picking']);
    expect(await readFile(path.join(dir, 'character.yaml'), 'utf8')).toMatch(/name: vex-nightblade\n[\s\S]*class: rogue\n\s+level: 4/);

    const character = await loadCharacter(path.join(dir, 'character.ts'), config);
    const action = await character.onCombatTurn(practiceState(config, { monsters: [{ name: 'goblin', hp: 7 }] }));
    expect(Action.safeParse({ ...action, characterId: config.characterId }).success).toBe(true);
  });

  it('writes a CommonJS module with --lang js, the way the seed writes it', async () => {
    const dir = path.join(await scratch(), 'old-school');
    await init({ dir, language: 'js', sdkVersion: '0.1.0' }, () => undefined);
    const source = await readFile(path.join(dir, 'character.js'), 'utf8');
    expect(source).toContain("require('@distributed-dungeon/character-sdk')");
    expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ type: 'commonjs' });
  });

  it('refuses a folder that has files, a bad class, level or name, and writes nothing', async () => {
    const base = await scratch();
    const busy = path.join(base, 'busy');
    await init({ dir: busy, sdkVersion: '0.1.0' }, () => undefined);
    await writeFile(path.join(busy, 'mine.txt'), 'keep me');
    await expect(init({ dir: busy, sdkVersion: '0.1.0' }, () => undefined)).rejects.toThrow(/is not empty/);
    await expect(init({ dir: path.join(base, 'a'), class: 'paladin', sdkVersion: '0.1.0' }, () => undefined)).rejects.toThrow(/--class must be one of fighter, wizard/);
    await expect(init({ dir: path.join(base, 'b'), level: '21', sdkVersion: '0.1.0' }, () => undefined)).rejects.toThrow(/--level must be a whole number from 1 to 20/);
    await expect(init({ dir: path.join(base, 'Bad_Name'), sdkVersion: '0.1.0' }, () => undefined)).rejects.toBeInstanceOf(UsageError);
    expect((await readdir(base)).sort()).toEqual(['busy']);
    expect(await readFile(path.join(busy, 'mine.txt'), 'utf8')).toBe('keep me');
  });

  it('abilities.json picks what the class holds at its level, for every class and level', () => {
    for (const cls of CLASSES) {
      for (let level = 1; level <= 20; level++) {
        const abilities = starterAbilities(cls, level);
        expect(abilityProblems({ class: cls, level, abilities }), `${cls} ${level}`).toEqual([]);
      }
    }
    expect(starterAbilities('wizard', 1)).toEqual(['fire-bolt']);
    expect(starterAbilities('wizard', 5)).toEqual(['fire-bolt', 'magic-missile']);
    expect(starterAbilities('fighter', 5)).toEqual([]);
  });
});
