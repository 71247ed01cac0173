import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AbilitiesFileSchema } from '@distributed-dungeon/contracts';
import { CharacterBase, type CharacterConfig } from '../character/base.ts';
import type { RuntimeSettings } from './settings.ts';

// Reading what the container is given: environment, /config/character.json, the player's module.

export class ConfigError extends Error {}

export function settingsFromEnv(env: NodeJS.ProcessEnv, config: CharacterConfig): RuntimeSettings {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new ConfigError(`${name} must be set`);
    return v;
  };
  const int = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
    return n;
  };
  const characterId = env.CHARACTER_ID || config.characterId;
  if (!characterId) throw new ConfigError('CHARACTER_ID must be set (or characterId in character.json)');
  const port = int('PORT', 3000);
  const transport = env.EVENT_TRANSPORT ?? 'redis';
  if (transport !== 'redis' && transport !== 'websocket' && transport !== 'auto') throw new ConfigError(`EVENT_TRANSPORT must be redis, websocket or auto, got "${transport}"`);
  return {
    characterId,
    registryUrl: need('DUNGEON_REGISTRY_URL'),
    apiKey: need('DUNGEON_API_KEY'),
    endpoint: env.CHARACTER_ENDPOINT || `http://localhost:${port}`,
    dataDir: env.DATA_DIR || '/data',
    port,
    ...(env.HOST ? { host: env.HOST } : {}),
    // The environment wins over character.json, whose `session` mirrors the resource's spec.session.
    ...(env.DUNGEON_SESSION_ID || config.session ? { sessionId: env.DUNGEON_SESSION_ID || config.session } : {}),
    transport,
    actIntervalMs: int('ACT_INTERVAL_MS', 750),
    decisionTimeoutMs: int('DECISION_TIMEOUT_MS', 5000),
    heartbeatMs: int('HEARTBEAT_INTERVAL_MS', 15_000),
    snapshotMs: int('SNAPSHOT_INTERVAL_MS', 60_000),
    keepSnapshots: int('KEEP_SNAPSHOTS', 5),
  };
}

/** `$CONFIG_DIR/character.json` (default /config). */
export async function loadCharacterConfig(configDir: string): Promise<CharacterConfig> {
  const file = path.join(configDir, 'character.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const c = json as Partial<CharacterConfig>;
  if (!c || typeof c !== 'object') throw new ConfigError(`${file} must hold a JSON object`);
  for (const [field, type] of [['name', 'string'], ['class', 'string'], ['level', 'number']] as const) {
    if (typeof c[field] !== type) throw new ConfigError(`${file}: "${field}" must be a ${type}`);
  }
  if (c.abilities !== undefined && (!Array.isArray(c.abilities) || c.abilities.some((a) => typeof a !== 'string'))) {
    throw new ConfigError(`${file}: "abilities" must be a list of ability ids`);
  }
  return c as CharacterConfig;
}

/**
 * The seed's abilities.json beside the player's file (`{ "abilities": [...] }`): the image's
 * picks, used when character.json has none (the Character's spec.abilities win, and the registry
 * refuses a registration that departs from them). Absent file: undefined.
 */
export async function loadAbilitiesFile(dir: string): Promise<string[] | undefined> {
  const file = path.join(dir, 'abilities.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = AbilitiesFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data.abilities;
}

/** The player's file: CHARACTER_MODULE, else the first `character.*` in the character directory. */
export async function findCharacterModule(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.CHARACTER_MODULE) return env.CHARACTER_MODULE;
  const dir = env.CHARACTER_DIR || '/app/character';
  for (const name of ['character.js', 'character.mjs', 'character.cjs', 'character.ts', 'index.js', 'index.mjs', 'index.cjs', 'index.ts']) {
    try {
      await access(path.join(dir, name));
      return path.join(dir, name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return undefined;
}

type CharacterClassCtor = new (config: CharacterConfig) => CharacterBase;

/**
 * Whether `c` is a class built on CharacterBase. By name along the prototype chain rather than
 * `instanceof`: a CommonJS module that `require`s the SDK can hold a second copy of the class.
 */
export function isCharacterClass(c: unknown): c is CharacterClassCtor {
  if (typeof c !== 'function' || !/^class\b/.test(Function.prototype.toString.call(c))) return false;
  for (let p: unknown = c; typeof p === 'function'; p = Object.getPrototypeOf(p)) {
    if (p === CharacterBase || (p as { name?: string }).name === 'CharacterBase') return true;
  }
  return false;
}

function isCharacter(v: unknown): v is CharacterBase {
  return typeof v === 'object' && v !== null && typeof (v as CharacterBase).onCombatTurn === 'function' && typeof (v as CharacterBase).exportMemory === 'function';
}

/**
 * Loads the player's module and builds the character: its default export (or `module.exports`),
 * or a `Character` export — a class extending CharacterBase, a character instance, or a factory
 * `(config) => character`. No module at all gives a plain CharacterBase with the default AIs.
 */
export async function loadCharacter(modulePath: string | undefined, config: CharacterConfig, options: { fresh?: boolean } = {}): Promise<CharacterBase> {
  if (!modulePath) return new CharacterBase(config);
  const file = path.resolve(modulePath);
  let url = pathToFileURL(file).href;
  if (options.fresh) {
    // A reload after an edit (`dungeon dev`): a new URL makes a new ES module; a CommonJS one
    // is cached by file name, so its cache entry goes.
    url += `?reload=${Date.now()}`;
    delete createRequire(file).cache[file];
  }
  const mod = (await import(url)) as Record<string, unknown>;
  const candidates = [mod.default, mod.Character, (mod.default as Record<string, unknown> | undefined)?.default, ...Object.values(mod)];
  for (const c of candidates) if (isCharacterClass(c)) return new c(config);
  for (const c of candidates) if (isCharacter(c)) return c;
  for (const c of candidates) {
    if (typeof c !== 'function' || /^class\b/.test(Function.prototype.toString.call(c))) continue;
    const made: unknown = await (c as (config: CharacterConfig) => unknown)(config);
    if (isCharacter(made)) return made;
  }
  throw new ConfigError(`${modulePath} must export a class extending CharacterBase (default export or module.exports)`);
}
