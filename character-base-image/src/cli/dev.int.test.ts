import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { AbilitiesFileSchema } from '@distributed-dungeon/contracts';
import { createDatabase, createGameSession, eventually, mintApiKey } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, startApi } from '../../../api-server/test/harness.ts';
import { dev, type DevSession } from './dev.ts';
import { init } from './init.ts';

// `dungeon dev` registers with the abilities of the abilities.json that `dungeon init` wrote
// beside the module, as the operator registers an image's Character with its spec.abilities:
// the key is minted with those picks, so the real registry refuses any other registration, and
// the game's view of the character lists them.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

let api: RunningServer;
let scratch: string;
let session: DevSession | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dd-dev-'));
  // The scaffold imports the SDK by its package name: this repository's packages resolve it.
  await symlink(path.join(REPO, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'sdk_dev'), redisUrl: inject('redisUrl'), DUNGEON_SEED: '3' });
});
afterAll(async () => {
  await session?.stop();
  await api?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('dungeon dev', () => {
  it("registers with the scaffold's abilities.json, which the game then knows", async () => {
    const dir = path.join(scratch, 'vex-nightblade');
    await init({ dir, class: 'rogue', level: '3', sdkVersion: '0.1.0' }, () => undefined);
    const { abilities } = AbilitiesFileSchema.parse(JSON.parse(await readFile(path.join(dir, 'abilities.json'), 'utf8')));
    expect(abilities.length).toBeGreaterThan(0);
    const sessionId = await createGameSession(api.url, ADMIN_TOKEN, { id: `dev-${Date.now().toString(36)}` });
    // The Character's spec picks exactly these: a registration without them is refused.
    const key = await mintApiKey(api.url, ADMIN_TOKEN, 'vex-nightblade', { displayName: 'Vex Nightblade', class: 'rogue', level: 3, capabilities: ['combat', 'exploration', 'social'], abilities });

    session = await dev(
      { module: path.join(dir, 'character.ts'), server: api.url, key, session: sessionId, transport: 'websocket', data: path.join(scratch, 'data'), watch: false },
      {},
      pino({ level: 'silent' }),
    );
    expect(session.runtime.sessionId).toBe(sessionId);
    const known = await eventually(
      'the game view to list the picks',
      () => (session!.runtime.view.state as { me?: { abilities?: string[] } } | null)?.me?.abilities,
      20_000,
    );
    expect([...known].sort()).toEqual([...abilities].sort());
  });
});
