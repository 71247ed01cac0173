import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { abilityProblems, type CharacterClass } from '@distributed-dungeon/contracts';
import type { CharacterConfig } from '../character/base.ts';
import { ConfigError, loadAbilitiesFile, loadCharacter, loadCharacterConfig } from '../runtime/config.ts';
import { CharacterRuntime } from '../runtime/runtime.ts';
import type { Logger, RuntimeSettings } from '../runtime/settings.ts';
import { readBundle } from './bundle.ts';
import { UsageError } from './usage-error.ts';

export interface DevArgs {
  module: string;
  server?: string;
  key?: string;
  id?: string;
  config?: string;
  data?: string;
  port?: string;
  session?: string;
  transport?: string;
  /** A connection bundle file (an external Character's, from its credentials Secret). */
  bundle?: string;
  watch: boolean;
}

export interface DevSession {
  /** The runtime playing now (a new one after each reload). */
  readonly runtime: CharacterRuntime;
  readonly reloads: number;
  stop(): Promise<void>;
}

/** Edits arrive as bursts of file events: one reload per burst. */
const RELOAD_DEBOUNCE_MS = 150;

/**
 * `dungeon dev <module> --server URL`: plays the module from this machine against a running
 * platform, and on every save stops the character (keeping its registration and /data state)
 * and starts it again with the new code.
 */
export async function dev(args: DevArgs, env: NodeJS.ProcessEnv, log: Logger): Promise<DevSession> {
  const modulePath = path.resolve(args.module);
  const found = await stat(modulePath).catch(() => null);
  if (!found?.isFile()) throw new UsageError(`no character module at ${modulePath}`);
  const bundleFile = args.bundle ?? env.DUNGEON_BUNDLE;
  const bundle = bundleFile ? await readBundle(path.resolve(bundleFile)) : undefined;
  const server = args.server ?? bundle?.apiUrl ?? env.DUNGEON_REGISTRY_URL;
  if (!server) throw new UsageError('--server URL is required: the platform\'s api-server, e.g. https://dungeon.example.com');
  if (!/^https?:\/\//.test(server)) throw new UsageError(`--server must be an http(s) URL, got "${server}"`);
  const apiKey = args.key ?? bundle?.apiKey ?? env.DUNGEON_API_KEY;
  if (!apiKey) {
    throw new UsageError('no API key: pass --key or set DUNGEON_API_KEY (your game master mints one, or read it from your Character\'s Secret)');
  }
  const config = bundle ? await bundleConfig(bundle.character, args.config ?? path.dirname(modulePath)) : await loadCharacterConfig(args.config ?? path.dirname(modulePath));
  // As the image's runtime does: abilities.json beside the module (as `dungeon init` writes it)
  // holds the picks when character.json (or the bundle's, from spec.abilities) names none.
  config.abilities ??= await abilitiesBeside(modulePath, config);
  const characterId = args.id ?? bundle?.characterId ?? env.CHARACTER_ID ?? config.characterId;
  if (!characterId) throw new UsageError('no character id: pass --id or put "characterId" in character.json');
  const port = Number(args.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${args.port}"`);
  // Outside the cluster the event bus is out of reach: a bundle means the WebSocket gateway.
  const transport = args.transport ?? (bundle ? 'websocket' : 'auto');
  const heartbeat = env.HEARTBEAT_INTERVAL_MS;
  const heartbeatMs = heartbeat ? Number(heartbeat) : undefined;
  if (heartbeatMs !== undefined && (!Number.isInteger(heartbeatMs) || heartbeatMs < 100)) throw new UsageError(`HEARTBEAT_INTERVAL_MS must be a whole number of milliseconds (100 or more), got "${heartbeat}"`);
  if (transport !== 'auto' && transport !== 'websocket' && transport !== 'redis') throw new UsageError(`--transport must be auto, websocket or redis, got "${transport}"`);

  const settings = (actualPort: number): RuntimeSettings => ({
    characterId,
    registryUrl: server.replace(/\/$/, ''),
    apiKey,
    endpoint: `http://127.0.0.1:${actualPort}`,
    dataDir: path.resolve(args.data ?? path.join(path.dirname(modulePath), '.dungeon-data')),
    port: actualPort,
    host: '127.0.0.1',
    transport,
    ...(heartbeatMs ? { heartbeatMs } : {}),
    ...(args.session ? { sessionId: args.session } : config.session ? { sessionId: config.session } : {}),
  });

  const first = new CharacterRuntime(await loadCharacter(modulePath, config), settings(port), { logger: log });
  await first.start();
  let runtime = first;
  let reloads = 0;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let chain = Promise.resolve();
  const reload = () => {
    chain = chain
      .then(async () => {
        let character;
        try {
          character = await loadCharacter(modulePath, config, { fresh: true });
        } catch (err) {
          // A save with a mistake in it: the previous code plays on until the next save.
          log.error({ err: String(err) }, 'reload failed; still playing the previous code: fix the module and save again');
          return;
        }
        const keepPort = runtime.port;
        await runtime.stop({ deregister: false });
        runtime = new CharacterRuntime(character, settings(keepPort), { logger: log });
        await runtime.start();
        reloads++;
        log.info({ reloads }, 'reloaded');
      })
      .catch((err: unknown) => log.error({ err: String(err) }, 'restarting after the reload failed'));
  };
  if (args.watch) {
    watcher = watch(modulePath, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, RELOAD_DEBOUNCE_MS);
    });
  }
  // Said once the watch is on, so a save from now on is seen.
  log.info({ sessionId: runtime.sessionId, port: runtime.port }, args.watch ? `playing ${characterId}; save ${path.basename(modulePath)} to reload` : `playing ${characterId}`);
  return {
    get runtime() {
      return runtime;
    },
    get reloads() {
      return reloads;
    },
    async stop() {
      watcher?.close();
      if (timer) clearTimeout(timer);
      await chain;
      await runtime.stop();
    },
  };
}

/**
 * character.json from a bundle: the identity the key was minted for (which a registration must
 * claim exactly), over the player's own character.json when there is one beside the module.
 */
async function bundleConfig(character: Record<string, unknown>, configDir: string): Promise<CharacterConfig> {
  const own = await loadCharacterConfig(configDir).catch((err: unknown) => {
    if (err instanceof ConfigError && /cannot read/.test(err.message)) return {};
    throw err;
  });
  const merged = { ...own, ...character } as Partial<CharacterConfig>;
  if (typeof merged.name !== 'string' || typeof merged.class !== 'string' || typeof merged.level !== 'number') {
    throw new UsageError('the connection bundle has no character name, class and level: save it again from the Character\'s credentials Secret');
  }
  return merged as CharacterConfig;
}

/**
 * The picks of the abilities.json beside the module, checked against the class and level rules
 * here, so a wrong pick is named with its file and place before the platform refuses the
 * registration. No file: undefined.
 */
async function abilitiesBeside(modulePath: string, config: CharacterConfig): Promise<string[] | undefined> {
  const dir = path.dirname(modulePath);
  const picks = await loadAbilitiesFile(dir);
  if (!picks) return undefined;
  const problems = abilityProblems({ class: config.class as CharacterClass, level: config.level, abilities: picks });
  if (problems.length > 0) {
    const what = problems.map((p) => (p.index !== undefined ? `abilities[${p.index}]: ${p.message}` : p.message));
    throw new ConfigError(`${path.join(dir, 'abilities.json')}: ${what.join('; ')}`);
  }
  return picks;
}
