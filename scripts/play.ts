// `make play`: one adventure on this machine, no cluster. PostgreSQL and Redis (testkit), the
// api-server in this process, and the three example characters as separate processes through
// the SDK runtime, each with the environment its Deployment would give it. The adventure is
// printed as it happens; when the session ends everything stops and the exit code is 0 (1 if it
// did not end within PLAY_TIMEOUT_MS).
//
//   make play                                   the fighter, the wizard and the rogue
//   make play CHARACTER=path/to/my-character.ts your module replaces the example of its class
//                                               (or joins the party when no example has it)
//
// Environment: CHARACTER (or CHARACTER_MODULE), CHARACTER_CONFIG (a directory with its
// character.json; else the one next to the module, else a level-3 fighter), DUNGEON_SEED (42),
// DUNGEON_TURN_TIMEOUT_MS (3000), CORPSE_GRACE_SECONDS (20), PLAY_TIMEOUT_MS (600000), PLAY_LOG_DIR.
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, start, type RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, startPostgres, startRedis, CharacterProcess, configDirFor, createGameSession, EXAMPLE_CHARACTERS, mintApiKey, Narrator, REPO_ROOT, type CharacterSpec } from '@distributed-dungeon/testkit';

const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line: string) => console.log(`[${clock()}] ${line}`);
const env = process.env;
const timeoutMs = Number(env.PLAY_TIMEOUT_MS || 600_000);
const seed = env.DUNGEON_SEED || '42';
const adminToken = `play-admin-${randomBytes(12).toString('hex')}`;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The party: the examples, with the player's module (if any) in place of the example of its class. */
async function party(): Promise<CharacterSpec[]> {
  const module = env.CHARACTER || env.CHARACTER_MODULE;
  if (!module) return [...EXAMPLE_CHARACTERS];
  const file = path.resolve(env.INIT_CWD || process.cwd(), module);
  if (!(await exists(file))) throw new Error(`CHARACTER=${module}: no such file (${file})`);
  let configDir = env.CHARACTER_CONFIG ? path.resolve(env.INIT_CWD || process.cwd(), env.CHARACTER_CONFIG) : path.dirname(file);
  if (!(await exists(path.join(configDir, 'character.json')))) {
    configDir = await configDirFor(file, { name: path.basename(file).replace(/\.[cm]?[jt]s$/, ''), class: 'fighter' });
    say(`no character.json next to ${module}: playing it as a level-3 fighter (set CHARACTER_CONFIG to a directory with one)`);
  }
  const cls = (JSON.parse(await readFile(path.join(configDir, 'character.json'), 'utf8')) as { class?: string }).class ?? 'fighter';
  const mine: CharacterSpec = { key: cls, module: file, configDir };
  const others = EXAMPLE_CHARACTERS.filter((c) => c.key !== cls);
  say(others.length < EXAMPLE_CHARACTERS.length ? `your ${cls} (${module}) takes the example ${cls}'s place` : `your ${cls} (${module}) joins the three examples`);
  return [...others, mine];
}

async function main(): Promise<number> {
  const specs = await party();
  const logDir = env.PLAY_LOG_DIR || (await mkdtemp(path.join(tmpdir(), 'dungeon-play-')));
  say('starting PostgreSQL and Redis');
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  let api: RunningServer | undefined;
  let narrator: Narrator | undefined;
  const characters: CharacterProcess[] = [];
  try {
    const databaseUrl = await createDatabase(postgres.adminUrl, 'play');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      DUNGEON_ADMIN_TOKEN: adminToken,
      JWT_SIGNING_KEYS: `play:${randomBytes(32).toString('base64url')}`,
      LOG_LEVEL: env.LOG_LEVEL || 'warn',
      DUNGEON_SEED: seed,
      DUNGEON_TURN_TIMEOUT_MS: env.DUNGEON_TURN_TIMEOUT_MS || '3000',
      CORPSE_GRACE_SECONDS: env.CORPSE_GRACE_SECONDS || '20',
      SHUTDOWN_GRACE_MS: '3000',
    });
    const logger = pino({ level: config.logLevel, base: { service: 'dungeon-api' } }, pino.destination({ dest: path.join(logDir, 'api-server.log'), sync: false }));
    api = await start(config, { logger });
    say(`api-server on ${api.url} (seed ${seed}, turn timeout ${config.game.turnTimeoutMs} ms); logs in ${logDir}`);

    const sessionId = `play-${randomBytes(4).toString('hex')}`;
    narrator = new Narrator({ redisUrl: redis.url, sessionId, onLine: say });
    await narrator.start();
    await createGameSession(api.url, adminToken, { id: sessionId, name: 'make play' });
    say(`session ${sessionId} in the Crypt of Dawn`);

    for (const spec of specs) {
      const base = (JSON.parse(await readFile(path.join(spec.configDir, 'character.json'), 'utf8')) as { characterId?: string }).characterId ?? spec.key;
      const characterId = `${base}-${randomBytes(4).toString('hex')}`;
      const apiKey = await mintApiKey(api.url, adminToken, characterId, spec);
      const c = await CharacterProcess.start({
        spec,
        characterId,
        apiUrl: api.url,
        apiKey,
        sessionId,
        dataDir: path.join(logDir, characterId, 'data'),
        logFile: path.join(logDir, `${characterId}.log`),
      });
      characters.push(c);
      say(`started ${characterId} (pid ${c.child.pid}, ${spec.module.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, spec.module) : spec.module}) on :${c.port}`);
    }
    await Promise.all(characters.map((c) => c.waitReady(60_000)));

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const end = await Promise.race([narrator.ended, timedOut]);
    clearTimeout(timer);
    if (!end) {
      say(`the session did not end within ${timeoutMs / 1000} s`);
      return 1;
    }
    // Looting goes on for a moment after the last blow.
    await new Promise((r) => setTimeout(r, 2000));
    const versions = narrator.events.filter((e) => e.version !== undefined).length;
    say(`adventure over in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${end.outcome}, ${versions} state changes`);
    return 0;
  } finally {
    say('stopping the characters, the api-server, Redis and PostgreSQL');
    await narrator?.stop();
    await Promise.all(characters.map((c) => c.stop('SIGTERM', 5000)));
    await api?.stop();
    await Promise.all([postgres.destroy(), redis.destroy()]);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
