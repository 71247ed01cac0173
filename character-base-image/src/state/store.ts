import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

// Durable state under the data directory. A save never leaves a half-written file behind:
// write a temporary file, fsync it, rename it over the old one, fsync the directory (so the
// rename itself survives a crash). Each file carries a checksum; a file that fails it (a disk
// that lied, a hand edit) is skipped in favour of the newest good snapshot.

const FORMAT = 'dd-state/1';

interface Envelope<T> {
  format: typeof FORMAT;
  savedAt: string;
  checksum: string;
  data: T;
}

export interface DurableStoreOptions {
  dir: string;
  /** Base name of the state file (`<name>.json`). */
  name?: string;
  /** How many snapshots to keep. */
  keepSnapshots?: number;
}

export class CorruptStateError extends Error {}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

let tmpCounter = 0;

/** Writes `content` to `file` atomically (temp + fsync + rename + fsync dir). */
export async function atomicWrite(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncPath(dir);
}

export class DurableStore<T = unknown> {
  readonly dir: string;
  readonly file: string;
  readonly snapshotDir: string;
  readonly #keep: number;
  #snapshotSeq = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DurableStoreOptions) {
    this.dir = options.dir;
    const name = options.name ?? 'state';
    this.file = path.join(this.dir, `${name}.json`);
    this.snapshotDir = path.join(this.dir, 'snapshots');
    this.#keep = Math.max(1, options.keepSnapshots ?? 5);
  }

  async init(): Promise<void> {
    await mkdir(this.snapshotDir, { recursive: true });
    // Temporary files are what a crash mid-save leaves: they never became the state.
    for (const dir of [this.dir, this.snapshotDir]) {
      for (const f of await readdir(dir)) if (f.endsWith('.tmp')) await rm(path.join(dir, f), { force: true });
    }
  }

  /** Saves are serialised, so a slow one never overwrites a newer one. */
  save(data: T): Promise<void> {
    const run = this.#queue.then(() => atomicWrite(this.file, encode(data)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The saved state; falls back to the newest good snapshot; null when there is nothing. */
  async load(): Promise<T | null> {
    const main = await readEnvelope<T>(this.file);
    if (main) return main.data;
    for (const snap of (await this.listSnapshots()).reverse()) {
      const env = await readEnvelope<T>(path.join(this.snapshotDir, snap));
      if (env) return env.data;
    }
    return null;
  }

  /** Writes a numbered snapshot and keeps only the newest `keepSnapshots`. */
  snapshot(data: T): Promise<string> {
    const run = this.#queue.then(async () => {
      const existing = await this.listSnapshots();
      const last = existing.at(-1);
      const lastSeq = last ? Number(/^snapshot-(\d+)/.exec(last)?.[1] ?? 0) : 0;
      this.#snapshotSeq = Math.max(this.#snapshotSeq, lastSeq) + 1;
      const name = `snapshot-${String(this.#snapshotSeq).padStart(10, '0')}.json`;
      await atomicWrite(path.join(this.snapshotDir, name), encode(data));
      const all = await this.listSnapshots();
      for (const old of all.slice(0, Math.max(0, all.length - this.#keep))) await rm(path.join(this.snapshotDir, old), { force: true });
      return name;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async listSnapshots(): Promise<string[]> {
    try {
      return (await readdir(this.snapshotDir)).filter((f) => /^snapshot-\d+\.json$/.test(f)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** The state as a portable string, to carry a character to another deployment. */
  async exportState(): Promise<string> {
    const data = await this.load();
    if (data === null) throw new CorruptStateError(`no state in ${this.dir} to export`);
    return encode(data);
  }

  /** Takes an exported state (checked) as the current one. */
  async importState(exported: string): Promise<T> {
    const env = decode<T>(exported);
    if (!env) throw new CorruptStateError('the exported state is damaged (bad format or checksum)');
    await this.save(env.data);
    return env.data;
  }
}

function encode<T>(data: T): string {
  const json = JSON.stringify(data);
  const env: Envelope<T> = { format: FORMAT, savedAt: new Date().toISOString(), checksum: checksum(json), data };
  return JSON.stringify(env);
}

function decode<T>(text: string): Envelope<T> | null {
  try {
    const env = JSON.parse(text) as Envelope<T>;
    if (env?.format !== FORMAT || checksum(JSON.stringify(env.data)) !== env.checksum) return null;
    return env;
  } catch {
    return null;
  }
}

async function readEnvelope<T>(file: string): Promise<Envelope<T> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decode<T>(text);
}
