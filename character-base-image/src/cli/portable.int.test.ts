import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, startRedis, type RedisServer, mintApiKey } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, http, startApi } from '../../../api-server/test/harness.ts';
import type { SavedCharacter } from '../runtime/settings.ts';
import { CharacterDatabase } from '../state/database.ts';
import { DurableStore } from '../state/store.ts';
import { exportCharacter, importCharacter } from './portable.ts';
import { UsageError } from './usage-error.ts';

// `dungeon export` on one platform and `dungeon import` on another (own database, own Redis):
// the JSON state and the SQLite database arrive intact; a changed archive is refused by name.

async function platform(name: string, redisUrl: string): Promise<RunningServer> {
  return startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), `cli_${name}`), redisUrl, JWT_ISSUER: name, RATE_LIMIT_KEY_PREFIX: `cli-${name}` });
}

describe('dungeon export / dungeon import', () => {
  let a: RunningServer;
  let b: RunningServer;
  let bRedis: RedisServer;
  let work: string;
  const lines: string[] = [];
  const say = (l: string) => lines.push(l);

  beforeAll(async () => {
    bRedis = await startRedis();
    a = await platform('home-realm', inject('redisUrl'));
    b = await platform('far-realm', bRedis.url);
    work = await mkdtemp(path.join(tmpdir(), 'dd-portable-'));
    const issuer = (await (await fetch(`${a.url}/api/portability/issuer`)).json()) as { name: string; publicKey: string };
    const trusted = await http(b.url, 'PUT', '/api/portability/trusted-issuers', { token: ADMIN_TOKEN, body: issuer });
    expect(trusted.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await bRedis?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('carries the JSON state and the SQLite database to the other platform, under a new id', async () => {
    const from = path.join(work, 'from');
    const store = new DurableStore<SavedCharacter>({ dir: from, name: 'character' });
    await store.init();
    await store.save({ characterId: 'wanderer', sessionId: 'old-session', memory: { memory: { grudges: ['ogre'] } }, view: null, looted: ['c-1'], registeredAt: null });
    const db = await CharacterDatabase.open(from);
    db.exec("CREATE TABLE maps (room TEXT); INSERT INTO maps VALUES ('gate'), ('den')");
    db.close();
    const key = await mintApiKey(a.url, ADMIN_TOKEN, 'wanderer', { displayName: 'Wanderer', class: 'ranger', level: 4, capabilities: ['combat', 'exploration'] });

    const file = await exportCharacter({ server: a.url, key, data: from, out: path.join(work, 'wanderer.archive.json') }, {}, say);
    expect(lines.at(-1)).toContain('wanderer has left');
    const to = path.join(work, 'to');
    const result = await importCharacter({ archive: file, server: b.url, adminToken: ADMIN_TOKEN, id: 'wanderer-2', data: to }, {}, say);
    expect(result).toMatchObject({ characterId: 'wanderer-2', issuer: 'home-realm', spec: { displayName: 'Wanderer', class: 'ranger', level: 4 } });

    const arrived = await new DurableStore<SavedCharacter>({ dir: to, name: 'character' }).load();
    expect(arrived).toMatchObject({ characterId: 'wanderer-2', sessionId: null, memory: { memory: { grudges: ['ogre'] } }, looted: ['c-1'] });
    const copy = await CharacterDatabase.open(to);
    expect(copy.prepare('SELECT room FROM maps ORDER BY room').all()).toEqual([{ room: 'den' }, { room: 'gate' }]);
    copy.close();

    // The key stays revoked on the home platform: exporting again is refused, saying why.
    await expect(exportCharacter({ server: a.url, key, data: from, out: path.join(work, 'again.json') }, {}, say)).rejects.toThrow(/refused the export: 401 registry.key_revoked/);
  });

  it('refuses a changed archive, naming the signature check, and writes nothing', async () => {
    const from = path.join(work, 'from-2');
    const store = new DurableStore<SavedCharacter>({ dir: from, name: 'character' });
    await store.init();
    await store.save({ characterId: 'trickster', sessionId: null, memory: {}, view: null, looted: [], registeredAt: null });
    const key = await mintApiKey(a.url, ADMIN_TOKEN, 'trickster', { displayName: 'Trickster', class: 'rogue', level: 2, capabilities: ['combat'] });
    const file = await exportCharacter({ server: a.url, key, data: from, out: path.join(work, 'trickster.archive.json') }, {}, say);
    const archive = JSON.parse(await readFile(file, 'utf8')) as { payload: string };
    const payload = JSON.parse(Buffer.from(archive.payload, 'base64url').toString('utf8')) as { character: { spec: { level: number } } };
    payload.character.spec.level = 20;
    await writeFile(file, JSON.stringify({ ...archive, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') }));

    const to = path.join(work, 'to-2');
    const refused = importCharacter({ archive: file, server: b.url, adminToken: ADMIN_TOKEN, data: to }, {}, say);
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(/422 portability.bad_signature: signature check failed/);
    expect(await new DurableStore<SavedCharacter>({ dir: to, name: 'character' }).load().catch(() => null)).toBeNull();
  });
});
