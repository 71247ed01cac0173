import pino from 'pino';
import path from 'node:path';
import { ConfigError, findCharacterModule, loadAbilitiesFile, loadCharacter, loadCharacterConfig, settingsFromEnv } from './config.ts';
import { CharacterRuntime } from './runtime.ts';
import { resolveSdkToThisCopy } from './sdk-resolution.ts';

// The container's entrypoint: node --conditions=source character-base-image/src/runtime/main.ts
// (or dist/runtime/main.js in the image). Environment: CHARACTER_ID, DUNGEON_REGISTRY_URL,
// DUNGEON_API_KEY, CHARACTER_ENDPOINT, DATA_DIR (/data), CONFIG_DIR (/config), CHARACTER_MODULE
// (else the first character.{js,mjs,cjs,ts} in CHARACTER_DIR, /app/character),
// PORT (3000), EVENT_TRANSPORT (redis | websocket | auto), LOG_LEVEL.

resolveSdkToThisCopy();

async function main(): Promise<void> {
  const config = await loadCharacterConfig(process.env.CONFIG_DIR || '/config');
  const settings = settingsFromEnv(process.env, config);
  const logger = pino({ name: settings.characterId, level: process.env.LOG_LEVEL || 'info' });
  const modulePath = await findCharacterModule(process.env);
  // The image's abilities.json (beside the player's file) when character.json picks none.
  config.abilities ??= await loadAbilitiesFile(modulePath ? path.dirname(modulePath) : process.env.CHARACTER_DIR || '/app/character');
  const character = await loadCharacter(modulePath, config);
  logger.info({ module: modulePath ?? '(built-in CharacterBase)', class: character.constructor.name }, 'character loaded');
  const runtime = new CharacterRuntime(character, settings, { logger });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    runtime.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await runtime.start();
  } catch (err) {
    if (stopping) return; // SIGTERM while still registering: the shutdown handler exits
    throw err;
  }
  logger.info({ sessionId: runtime.sessionId, port: runtime.port }, 'playing');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
