// Packs the game's real rules into the SDK (`npm pack` runs this after tsc, in prepack): the
// api-server's pure rules (api-server/src/game, its public entry index.ts) bundled by esbuild
// into dist/rules/game.js, and the bundled worlds copied to dist/rules/worlds/. `dungeon test`
// plays its offline fight with them. The api-server is a development dependency of the SDK
// only, so a player's install never needs it; contracts and zod stay imports of the SDK's own
// dependencies (one copy of the wire schemas).
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const sdk = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const apiServer = path.join(sdk, '..', 'api-server');
const out = path.join(sdk, 'dist', 'rules');

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: [path.join(apiServer, 'src', 'game', 'index.ts')],
  outfile: path.join(out, 'game.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  conditions: ['source'],
  external: ['@distributed-dungeon/contracts', 'zod'],
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '// The Distributed Dungeon rules (api-server/src/game), bundled into the SDK for `dungeon test`.' },
});
await mkdir(path.join(out, 'worlds'), { recursive: true });
for (const file of await readdir(path.join(apiServer, 'worlds'))) {
  if (file.endsWith('.json')) await copyFile(path.join(apiServer, 'worlds', file), path.join(out, 'worlds', file));
}
console.log(`rules bundled into ${path.relative(sdk, out)}/ (game.js, worlds/)`);
