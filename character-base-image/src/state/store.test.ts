import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptStateError, DurableStore } from './store.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'dd-store-'));
  dirs.push(d);
  return d;
}

describe('DurableStore', () => {
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('saves and loads, keeps the last N snapshots and exports/imports between directories', async () => {
    const store = new DurableStore<{ n: number }>({ dir: await tempDir(), keepSnapshots: 3 });
    await store.init();
    expect(await store.load()).toBeNull();
    await store.save({ n: 1 });
    expect(await store.load()).toEqual({ n: 1 });
    for (let n = 1; n <= 5; n++) await store.snapshot({ n });
    expect(await store.listSnapshots()).toEqual(['snapshot-0000000003.json', 'snapshot-0000000004.json', 'snapshot-0000000005.json']);

    const exported = await store.exportState();
    const elsewhere = new DurableStore<{ n: number }>({ dir: await tempDir() });
    await elsewhere.init();
    expect(await elsewhere.importState(exported)).toEqual({ n: 1 });
    expect(await elsewhere.load()).toEqual({ n: 1 });
    await expect(elsewhere.importState(exported.replace('"n":1', '"n":2'))).rejects.toThrow(CorruptStateError);
  });

  it('a torn write cannot corrupt it: leftovers are ignored, a damaged file falls back to the newest snapshot', async () => {
    const dir = await tempDir();
    const store = new DurableStore<{ n: number }>({ dir });
    await store.init();
    await store.save({ n: 1 });
    await store.snapshot({ n: 7 });
    // A crash in the middle of a save leaves only a half-written temporary file...
    await writeFile(path.join(dir, '.state.json.999.1.tmp'), '{"format":"dd-state/1","data":{"n":');
    const reopened = new DurableStore<{ n: number }>({ dir });
    await reopened.init();
    expect(await reopened.load()).toEqual({ n: 1 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // ...and a file damaged behind our back (truncated, bit flip) fails its checksum.
    const text = await readFile(store.file, 'utf8');
    await writeFile(store.file, text.slice(0, text.length / 2));
    expect(await reopened.load()).toEqual({ n: 7 });
    await writeFile(store.file, text.replace('"n":1', '"n":9'));
    expect(await reopened.load()).toEqual({ n: 7 });
  });

  it('survives kill -9 in the middle of saving', async () => {
    const dir = await tempDir();
    const writer = fileURLToPath(new URL('../../test/state/store-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Wait until it has saved a good number of times, then kill it without warning.
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.split('\n').length > 50) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = new DurableStore<{ n: number; pad: string }>({ dir });
    await store.init();
    const state = await store.load();
    expect(state).not.toBeNull();
    expect(state!.n).toBeGreaterThan(40);
    expect(state!.pad.length).toBe(100_000);
  });
});
