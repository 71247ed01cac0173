import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { access, appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, eventually, createGameSession, mintApiKey } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, startApi } from '../../../api-server/test/harness.ts';

// The SDK as a player gets it: packed with `npm pack`, installed with plain npm into a folder
// outside this repository, and played with its own `dungeon` command against a real api-server.

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
// npm and the `dungeon` bin run on the pinned Node 24 that runs this test.
const PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`;
const env = { ...process.env, PATH, npm_config_nodedir: '', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

// The seed's example, character for character.
const SEED_EXAMPLE = `const { CharacterBase, CombatAI, ExplorationAI } = require('@distributed-dungeon/character-sdk');

class MyFighter extends CharacterBase {
  constructor(config) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true });
    this.explorationAI = new ExplorationAI({ cautious: false });
  }
  
  async onCombatTurn(gameState) {
    return this.combatAI.decideCombatAction(gameState);
  }
}
module.exports = MyFighter;
`;

interface Played {
  child: ChildProcess;
  lines: Array<{ msg?: string; [k: string]: unknown }>;
}

/** `dungeon` as installed in `home`, run in `dir`. */
function dungeon(home: string, dir: string, args: string[]): Played {
  const child = spawn(path.join(home, 'node_modules', '.bin', 'dungeon'), args, { cwd: dir, env: { ...env, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Played['lines'] = [];
  child.on('error', (err) => lines.push({ msg: `spawn failed: ${err.message}` }));
  let buf = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Played['lines'][number]);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => lines.push({ msg: `stderr: ${chunk.toString()}` }));
  return { child, lines };
}

const said = (p: Played, msg: string) => p.lines.filter((l) => l.msg === msg).length;

describe('the packed SDK, installed outside the repository', () => {
  let api: RunningServer;
  let home: string;
  let sessionId: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'dd-player-'));
    const packs = path.join(home, 'packs');
    await mkdir(packs);
    await run('npm', ['pack', '-w', 'contracts', '-w', 'character-base-image', '--pack-destination', packs, '--silent'], { cwd: REPO, env });
    await writeFile(path.join(home, 'package.json'), JSON.stringify({ name: 'my-characters', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', path.join(packs, 'distributed-dungeon-contracts-0.1.0.tgz'), path.join(packs, 'distributed-dungeon-character-sdk-0.1.0.tgz')], { cwd: home, env });

    api = await startApi({
      databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'packed_sdk'),
      redisUrl: inject('redisUrl'),
      DUNGEON_SEED: '7',
      DUNGEON_TURN_TIMEOUT_MS: '1500',
    });
    sessionId = await createGameSession(api.url, ADMIN_TOKEN, { id: `packed-${Date.now().toString(36)}` });
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await api?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function keyFor(characterId: string, name: string, cls: 'fighter' | 'rogue', level: number): Promise<string> {
    return mintApiKey(api.url, ADMIN_TOKEN, characterId, { displayName: name, class: cls, level, capabilities: ['combat', 'exploration', 'social'] });
  }

  it("runs the seed's CommonJS example as written, from its own node_modules", async () => {
    const dir = home;
    await writeFile(path.join(dir, 'seed.cjs'), SEED_EXAMPLE);
    await writeFile(path.join(dir, 'character.json'), JSON.stringify({ characterId: 'seed-fighter', name: 'Seed Fighter', class: 'fighter', level: 3 }));
    const key = await keyFor('seed-fighter', 'Seed Fighter', 'fighter', 3);
    const p = dungeon(home, dir, ['dev', 'seed.cjs', '--server', api.url, '--key', key, '--session', sessionId, '--transport', 'websocket', '--no-watch']);
    children.push(p.child);
    await eventually('the seed example to register', () => said(p, 'registered') === 1, 60_000);
    await eventually('an action of the seed example accepted by the game', () => said(p, 'action accepted') > 0, 60_000);
    expect(p.lines.find((l) => l.msg === 'registered')).toMatchObject({ sessionId });
    p.child.kill('SIGINT');
    expect(await eventually('dungeon dev to exit', () => p.child.exitCode ?? undefined, 20_000)).toBe(0);
  });

  it('scaffolds a character with dungeon init that passes its own test, plays, and reloads on save', async () => {
    const init = await run(path.join(home, 'node_modules', '.bin', 'dungeon'), ['init', 'vex-nightblade', '--class', 'rogue', '--level', '2'], { cwd: home, env });
    expect(init.stdout).toContain('created vex-nightblade/character.ts');
    const dir = path.join(home, 'vex-nightblade');
    // Its own test, with Node's test runner, on the installed SDK.
    const tested = await run(process.execPath, ['--test'], { cwd: dir, env });
    expect(tested.stdout).toMatch(/pass 1\n/);
    expect(tested.stdout).toMatch(/fail 0\n/);

    const key = await keyFor('vex-nightblade', 'Vex Nightblade', 'rogue', 2);
    const p = dungeon(home, dir, ['dev', 'character.ts', '--server', api.url, '--key', key, '--session', sessionId, '--transport', 'websocket']);
    children.push(p.child);
    await eventually('the scaffolded character to register', () => said(p, 'registered') === 1, 60_000);
    await eventually('dungeon dev to watch the module', () => p.lines.some((l) => l.msg === 'playing vex-nightblade; save character.ts to reload'), 30_000);
    await appendFile(path.join(dir, 'character.ts'), '\n// a second thought\n');
    await eventually('a reload after the save', () => said(p, 'reloaded') === 1, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; dungeon dev said: ${p.lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}`);
    });
    await eventually('the reloaded code to register again', () => said(p, 'registered') === 2, 30_000);
    p.child.kill('SIGTERM');
    expect(await eventually('dungeon dev to exit', () => p.child.exitCode ?? undefined, 20_000)).toBe(0);
  });

  it('plays a seeded fight offline with dungeon test on a scaffolded character, with the rules packed into the SDK', async () => {
    const bin = path.join(home, 'node_modules', '.bin', 'dungeon');
    await run(bin, ['init', 'brakka', '--class', 'fighter', '--level', '3'], { cwd: home, env });
    const dir = path.join(home, 'brakka');
    // No api-server in the player's install: the rules come bundled in the SDK's dist/rules.
    await expect(access(path.join(home, 'node_modules', '@distributed-dungeon', 'api-server'))).rejects.toThrow();
    await access(path.join(home, 'node_modules', '@distributed-dungeon', 'character-sdk', 'dist', 'rules', 'game.js'));
    const first = await run(bin, ['test', 'character.ts', '--seed', '11'], { cwd: dir, env });
    const again = await run(bin, ['test', 'character.ts', '--seed', '11'], { cwd: dir, env });
    expect(again.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('seed 11');
    expect(first.stdout).toMatch(/^⚔ fight in .+: /m);
    expect(first.stdout).toMatch(/^result: .+ (won the fight|fell in the fight|left the fight alive) — \d+\/\d+ hp/m);
    expect(first.stdout).toContain('same fight again: dungeon test character.ts --seed 11');
    const other = await run(bin, ['test', 'character.ts', '--seed', '12'], { cwd: dir, env });
    expect(other.stdout).not.toBe(first.stdout);

    const bad = await run(bin, ['test', 'character.ts', '--seed', 'soon'], { cwd: dir, env }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('--seed must be a whole number');
  });

  it('says what is missing when dev is called without a server or key', async () => {
    const err = await run(path.join(home, 'node_modules', '.bin', 'dungeon'), ['dev', 'seed.cjs'], { cwd: home, env: { ...env, DUNGEON_REGISTRY_URL: '', DUNGEON_API_KEY: '' } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('--server URL is required');
  });
});
