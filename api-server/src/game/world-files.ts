import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorld, WorldValidationError, type World } from './world.ts';

// The only impure part of the game: reading world files from disk at start-up.

/** `api-server/worlds`, where the bundled worlds live (works from src/ and from dist/). */
export const BUNDLED_WORLDS_DIR = fileURLToPath(new URL('../../worlds/', import.meta.url));

export async function loadWorldFile(file: string): Promise<World> {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorldValidationError(undefined, [{ field: '(file)', message: `not JSON: ${(err as Error).message}` }], file);
  }
  const world = parseWorld(json, file);
  const expected = path.basename(file, '.json');
  if (world.id !== expected) {
    throw new WorldValidationError(world.id, [{ field: 'id', message: `must match the file name "${expected}"` }], file);
  }
  return world;
}

/** Every `*.json` world in a directory, keyed by id. One bad file fails the whole load. */
export async function loadWorlds(dir: string = BUNDLED_WORLDS_DIR): Promise<Map<string, World>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const worlds = new Map<string, World>();
  for (const name of names) {
    const world = await loadWorldFile(path.join(dir, name));
    worlds.set(world.id, world);
  }
  return worlds;
}
