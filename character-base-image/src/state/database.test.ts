import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CharacterDatabase, DATABASE_FILE } from './database.ts';

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'dd-sqlite-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('CharacterDatabase', () => {
  it('keeps every committed transaction and none of the one a SIGKILL interrupted', async () => {
    const dir = await scratch();
    const writer = fileURLToPath(new URL('../../test/state/database-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('mid-transaction')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${out.slice(-200)}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const db = await CharacterDatabase.open(dir);
    try {
      expect(db.restoredFrom).toBeNull();
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const batches = db.prepare('SELECT batch, count(*) AS rows FROM seen GROUP BY batch ORDER BY batch').all() as Array<{ batch: number; rows: number }>;
      expect(batches).toHaveLength(40);
      expect(batches.every((b, i) => b.batch === i + 1 && b.rows === 50)).toBe(true);
    } finally {
      db.close();
    }
  }, 30_000);

  it('rolls a transaction back when its function throws', async () => {
    const db = await CharacterDatabase.open(await scratch());
    db.exec('CREATE TABLE fights (monster TEXT)');
    expect(() =>
      db.transaction((t) => {
        t.prepare('INSERT INTO fights VALUES (?)').run('ogre');
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(db.prepare('SELECT count(*) AS n FROM fights').get()).toEqual({ n: 0 });
    db.close();
  });

  it('sets a damaged file aside and restores the newest snapshot', async () => {
    const dir = await scratch();
    await mkdir(path.join(dir, 'snapshots'));
    const first = await CharacterDatabase.open(dir);
    first.exec("CREATE TABLE maps (room TEXT); INSERT INTO maps VALUES ('gate'), ('den')");
    first.snapshotTo(path.join(dir, 'snapshots', 'snapshot-0000000001.sqlite'));
    first.exec("INSERT INTO maps VALUES ('after the snapshot')");
    first.close();
    await writeFile(path.join(dir, DATABASE_FILE), 'this is not a database, it is a hand edit gone wrong');

    const db = await CharacterDatabase.open(dir);
    expect(db.restoredFrom).toBe('snapshot-0000000001.sqlite');
    expect(db.prepare('SELECT room FROM maps ORDER BY room').all()).toEqual([{ room: 'den' }, { room: 'gate' }]);
    db.close();
    expect((await readdir(dir)).some((f) => f.startsWith(`${DATABASE_FILE}.damaged-`))).toBe(true);
  });
});
