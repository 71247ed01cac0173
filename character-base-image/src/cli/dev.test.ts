import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../runtime/config.ts';
import { dev } from './dev.ts';

// `dungeon dev` checks the abilities.json beside the module before it connects anywhere: a file
// the platform would refuse is named, with the entry that is wrong. (Playing with a valid one
// against a real api-server is dev.int.test.ts.)

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A character folder with a wizard's character.json and the given abilities.json text. */
async function folder(abilitiesJson: string | null, character: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dd-dev-unit-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'character.mjs'), 'export default class {}\n');
  await writeFile(path.join(dir, 'character.json'), JSON.stringify({ characterId: 'elara', name: 'Elara', class: 'wizard', level: 1, ...character }));
  if (abilitiesJson !== null) await writeFile(path.join(dir, 'abilities.json'), abilitiesJson);
  return dir;
}

// The module exports no character: a folder that passes the abilities check fails next, on
// loading it, before anything connects (nothing listens at the server's address either).
const play = (dir: string) =>
  dev({ module: path.join(dir, 'character.mjs'), server: 'http://127.0.0.1:9', key: 'k', data: path.join(dir, '.data'), watch: false }, {}, pino({ level: 'silent' }));

async function refusal(dir: string): Promise<string> {
  const err = await play(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as Error).message;
}

describe('dungeon dev and abilities.json', () => {
  it('names the file and the entry a wizard may not pick', async () => {
    const dir = await folder(JSON.stringify({ abilities: ['fire-bolt', 'lock-picking'] }));
    const message = await refusal(dir);
    expect(message).toContain(path.join(dir, 'abilities.json'));
    expect(message).toMatch(/abilities\[1\]: ability "lock-picking" is not for a wizard/);
    expect(message).not.toContain('abilities[0]');
  });

  it('names a pick that is no ability at all, and more picks than the level holds', async () => {
    const unknown = await refusal(await folder(JSON.stringify({ abilities: ['fireball', 'fire-bolt'] })));
    expect(unknown).toMatch(/abilities\[0\]: "fireball" is not an ability or spell of the catalogue/);
    const tooMany = await refusal(await folder(JSON.stringify({ abilities: ['fire-bolt', 'magic-missile'] })));
    expect(tooMany).toMatch(/abilities\.json: a level 1 wizard picks at most 1 spell, not 2/);
  });

  it('names the entry that is not an ability id, and a file that is not JSON', async () => {
    const badId = await refusal(await folder(JSON.stringify({ abilities: ['Fire Bolt'] })));
    expect(badId).toMatch(/abilities\.json: abilities\.0: a kebab-case ability id/);
    const notJson = await refusal(await folder('{ abilities: '));
    expect(notJson).toMatch(/abilities\.json is not JSON/);
  });

  it("character.json's own picks win over the file, as in the image's runtime", async () => {
    // The file's wrong pick is never checked: dev goes on to load the module (and stops there).
    const dir = await folder(JSON.stringify({ abilities: ['lock-picking'] }), { abilities: ['fire-bolt'] });
    expect(await refusal(dir)).toMatch(/character\.mjs must export a class extending CharacterBase/);
    const valid = await folder(JSON.stringify({ abilities: ['fire-bolt'] }));
    expect(await refusal(valid)).toMatch(/character\.mjs must export a class extending CharacterBase/);
  });
});
