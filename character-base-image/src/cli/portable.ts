import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CharacterArchive, ImportResult } from '@distributed-dungeon/contracts';
import { CharacterDatabase, DATABASE_FILE } from '../state/database.ts';
import { DurableStore } from '../state/store.ts';
import type { SavedCharacter } from '../runtime/settings.ts';
import { restUrl, serverBase } from '../communication/urls.ts';
import { UsageError } from './usage-error.ts';

// `dungeon export` and `dungeon import`: a character's /data and the items the platform holds for
// it, carried as one archive the issuing platform signs (api-server/src/portability).

export interface ExportArgs {
  server?: string;
  key?: string;
  data: string;
  image?: string;
  out?: string;
}

export interface ImportArgs {
  archive: string;
  server?: string;
  adminToken?: string;
  id?: string;
  data: string;
}

function serverOf(server: string | undefined): string {
  if (!server) throw new UsageError('--server URL is required: the platform\'s api-server');
  if (!/^https?:\/\//.test(server)) throw new UsageError(`--server must be an http(s) URL, got "${server}"`);
  return serverBase(server);
}

async function problem(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const p = JSON.parse(text) as { code?: string; detail?: string; title?: string };
    return `${res.status} ${p.code ?? ''}: ${p.detail ?? p.title ?? text}`;
  } catch {
    return `${res.status}: ${text.slice(0, 200)}`;
  }
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The SQLite database as base64, copied consistently (VACUUM INTO) while nothing else writes. */
async function databaseOf(dataDir: string): Promise<string | null> {
  if (!(await exists(path.join(dataDir, DATABASE_FILE)))) return null;
  const tmp = await mkdtemp(path.join(tmpdir(), 'dd-export-'));
  try {
    const db = await CharacterDatabase.open(dataDir);
    try {
      db.snapshotTo(path.join(tmp, 'copy.sqlite'));
    } finally {
      db.close();
    }
    return (await readFile(path.join(tmp, 'copy.sqlite'))).toString('base64');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function exportCharacter(args: ExportArgs, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<string> {
  const server = serverOf(args.server ?? env.DUNGEON_REGISTRY_URL);
  const key = args.key ?? env.DUNGEON_API_KEY;
  if (!key) throw new UsageError('no API key: pass --key or set DUNGEON_API_KEY (the key of the character you export)');
  const dataDir = path.resolve(args.data);
  const store = new DurableStore<SavedCharacter>({ dir: dataDir, name: 'character' });
  const state = (await exists(path.join(dataDir, 'character.json'))) ? await store.exportState() : null;
  const database = await databaseOf(dataDir);
  out(`exporting from ${server}: ${state ? 'state' : 'no state'}, ${database ? 'a SQLite database' : 'no database'} from ${dataDir}`);
  const res = await fetch(restUrl(server, '/api/portability/export'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ state, database, image: args.image ?? null }),
  });
  if (!res.ok) throw new UsageError(`the platform refused the export: ${await problem(res)}`);
  const archive = CharacterArchive.parse(await res.json());
  const characterId = (JSON.parse(Buffer.from(archive.payload, 'base64url').toString('utf8')) as { character: { characterId: string } }).character.characterId;
  const file = path.resolve(args.out ?? `${characterId}.archive.json`);
  await writeFile(file, `${JSON.stringify(archive)}\n`, { flag: 'wx' });
  out(`wrote ${file}: ${characterId} has left ${server} (its key is revoked; its items, worn ones and packs' contents too, are in the archive)`);
  return file;
}

export async function importCharacter(args: ImportArgs, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<ImportResult> {
  const server = serverOf(args.server ?? env.DUNGEON_REGISTRY_URL);
  const token = args.adminToken ?? env.DUNGEON_ADMIN_TOKEN;
  if (!token) throw new UsageError('no admin token: pass --admin-token or set DUNGEON_ADMIN_TOKEN (importing is the game master\'s call)');
  const dataDir = path.resolve(args.data);
  if (await exists(path.join(dataDir, 'character.json'))) throw new UsageError(`${dataDir} already holds a character: import into an empty data folder`);
  let archive;
  try {
    archive = CharacterArchive.parse(JSON.parse(await readFile(args.archive, 'utf8')));
  } catch (err) {
    throw new UsageError(`${args.archive} is not a character archive: ${(err as Error).message.split('\n')[0]}`);
  }
  const res = await fetch(restUrl(server, '/api/portability/import'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ archive, ...(args.id ? { characterId: args.id } : {}) }),
  });
  if (!res.ok) throw new UsageError(`the platform refused the import: ${await problem(res)}`);
  const result = ImportResult.parse(await res.json());
  await mkdir(dataDir, { recursive: true });
  if (result.state) {
    const store = new DurableStore<SavedCharacter>({ dir: dataDir, name: 'character' });
    await store.init();
    const saved = await store.importState(result.state);
    // A new id on this platform: the runtime only restores state saved under its own id, and the
    // old session means nothing here.
    if (saved.characterId !== result.characterId || saved.sessionId) await store.save({ ...saved, characterId: result.characterId, sessionId: null, view: null });
  }
  if (result.database) await writeFile(path.join(dataDir, DATABASE_FILE), Buffer.from(result.database, 'base64'), { flag: 'wx' });
  const wearing = result.equipped.length > 0 ? ` (worn again: ${result.equipped.join(', ')})` : '';
  out(`imported ${result.characterId} from "${result.issuer}" into ${server}: ${result.items} items restored${wearing}, state in ${dataDir}`);
  return result;
}
