#!/usr/bin/env node
// `dungeon`: the player's command line (npm bin of @distributed-dungeon/character-sdk).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError } from '../runtime/config.ts';
import { resolveSdkToThisCopy } from '../runtime/sdk-resolution.ts';
import { dev } from './dev.ts';
import { init } from './init.ts';
import { offlineTest } from './offline-test.ts';
import { exportCharacter, importCharacter } from './portable.ts';
import { UsageError } from './usage-error.ts';

const HELP = `dungeon — build and run Distributed Dungeon characters

usage:
  dungeon init <dir> [--class fighter] [--name "Display Name"] [--level 1] [--lang ts|js]
      scaffold a character: module, character.json, abilities.json, Dockerfile, Character YAML, a test
  dungeon dev <module> --server URL [--key KEY] [--id ID] [--session S] [--data DIR] [--port N]
              [--transport auto|websocket|redis] [--no-watch]
      play the module from this machine against a running platform, reloading it on every save
      (the key also comes from DUNGEON_API_KEY, the server from DUNGEON_REGISTRY_URL)
  dungeon dev <module> --bundle bundle.json
      play an external Character (spec.placement: external) from anywhere: the bundle from its
      credentials Secret gives the server, key, id and character.json; events over the WebSocket gateway
  dungeon test <module> [--seed N] [--config DIR] [--world crypt-of-dawn] [--steps N]
      play one fight offline with the game's real rules (no server): the fight's log, then the
      result; the same --seed plays the same fight again (without it, a random seed is printed)
  dungeon export --server URL [--key KEY] [--data DIR] [--image REF@sha256:…] [--out FILE]
      leave a platform with a signed archive of this character's /data and items (its key is revoked)
  dungeon import <archive> --server URL [--admin-token T] [--id NEW-ID] [--data DIR]
      arrive on another platform (its game master must trust the issuer); state goes to DIR
  dungeon help | --help | --version
`;

const say = (line: string) => process.stdout.write(`${line}\n`);

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const options = {
    class: { type: 'string' },
    name: { type: 'string' },
    level: { type: 'string' },
    lang: { type: 'string' },
    server: { type: 'string' },
    key: { type: 'string' },
    id: { type: 'string' },
    config: { type: 'string' },
    session: { type: 'string' },
    data: { type: 'string' },
    port: { type: 'string' },
    transport: { type: 'string' },
    bundle: { type: 'string' },
    'no-watch': { type: 'boolean' },
    image: { type: 'string' },
    out: { type: 'string' },
    'admin-token': { type: 'string' },
    seed: { type: 'string' },
    world: { type: 'string' },
    steps: { type: 'string' },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see dungeon --help)`);
  }
  const { values, positionals } = parsed;
  switch (command) {
    case 'init': {
      if (positionals.length !== 1) throw new UsageError('dungeon init takes one folder: dungeon init my-character');
      await init(
        { dir: positionals[0]!, class: values.class, name: values.name, level: values.level, language: values.lang, sdkVersion: version },
        (line) => process.stdout.write(`${line}\n`),
      );
      process.stdout.write(`\nnext: cd ${positionals[0]} && npm install && npm test, then dungeon test ${values.lang === 'js' ? 'character.js' : 'character.ts'} (a fight offline) and dungeon dev ${values.lang === 'js' ? 'character.js' : 'character.ts'} --server URL\n`);
      return 0;
    }
    case 'dev': {
      if (positionals.length !== 1) throw new UsageError('dungeon dev takes one module: dungeon dev character.ts --server URL');
      resolveSdkToThisCopy();
      const log = pino({ name: 'dungeon-dev', level: process.env.LOG_LEVEL || 'info' });
      const session = await dev(
        {
          module: positionals[0]!,
          server: values.server,
          key: values.key,
          id: values.id,
          config: values.config,
          data: values.data,
          port: values.port,
          session: values.session,
          transport: values.transport,
          bundle: values.bundle,
          watch: !values['no-watch'],
        },
        process.env,
        log,
      );
      await new Promise<void>((resolve) => {
        const stop = () => void session.stop().finally(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    case 'test': {
      if (positionals.length !== 1) throw new UsageError('dungeon test takes one module: dungeon test character.ts [--seed 42]');
      resolveSdkToThisCopy();
      const { code } = await offlineTest({ module: positionals[0]!, seed: values.seed, config: values.config, world: values.world, steps: values.steps }, say);
      return code;
    }
    case 'export': {
      if (positionals.length !== 0) throw new UsageError('dungeon export takes no arguments, only options (see dungeon --help)');
      await exportCharacter({ server: values.server, key: values.key, data: values.data ?? '.dungeon-data', image: values.image, out: values.out }, process.env, say);
      return 0;
    }
    case 'import': {
      if (positionals.length !== 1) throw new UsageError('dungeon import takes one archive: dungeon import thorin.archive.json --server URL');
      await importCharacter({ archive: positionals[0]!, server: values.server, adminToken: values['admin-token'], id: values.id, data: values.data ?? '.dungeon-data' }, process.env, say);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}" (see dungeon --help)`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`dungeon: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`dungeon: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
