import { copyFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

// A character's SQLite database under /data, for memory that outgrows a JSON file (monsters
// seen, fights, maps). WAL with synchronous=FULL makes every committed transaction durable and
// an interrupted one vanish, so a SIGKILL mid-write costs only that transaction — the crash
// safety the JSON store gets from atomic renames. Snapshots are `VACUUM INTO` copies beside the
// JSON ones; a file that fails its check at open is set aside and the newest snapshot restored.

export const DATABASE_FILE = 'character.sqlite';
const SNAPSHOT = /^snapshot-(\d+)\.sqlite$/;

export class CharacterDatabase {
  readonly file: string;
  readonly #db: DatabaseSync;
  /** Set when the file at open was damaged and a snapshot took its place. */
  readonly restoredFrom: string | null;

  private constructor(file: string, db: DatabaseSync, restoredFrom: string | null) {
    this.file = file;
    this.#db = db;
    this.restoredFrom = restoredFrom;
  }

  static async open(dataDir: string): Promise<CharacterDatabase> {
    const file = path.join(dataDir, DATABASE_FILE);
    let restoredFrom: string | null = null;
    let db = openChecked(file);
    if (!db) {
      await rename(file, `${file}.damaged-${Date.now()}`);
      for (const side of ['-wal', '-shm']) await rm(file + side, { force: true });
      const newest = (await listDatabaseSnapshots(path.join(dataDir, 'snapshots'))).at(-1);
      if (newest) {
        await copyFile(path.join(dataDir, 'snapshots', newest), file);
        restoredFrom = newest;
      }
      db = openFile(file);
    }
    return new CharacterDatabase(file, db, restoredFrom);
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  prepare(sql: string): StatementSync {
    return this.#db.prepare(sql);
  }

  /** Runs `fn` in one transaction: all of it is kept, or (on a throw or a crash) none of it. */
  transaction<T>(fn: (db: CharacterDatabase) => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn(this);
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** A consistent copy of the whole database (committed transactions only) at `target`. */
  snapshotTo(target: string): void {
    this.#db.prepare('VACUUM INTO ?').run(target);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** The database at `file` when it opens and passes its check, else null (closed). */
function openChecked(file: string): DatabaseSync | null {
  let db: DatabaseSync | null = null;
  try {
    db = openFile(file);
    const row = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
    if (row?.quick_check === 'ok') return db;
  } catch {
    // "file is not a database" and friends: damaged beyond a check.
  }
  db?.close();
  return null;
}

function openFile(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export async function listDatabaseSnapshots(snapshotDir: string): Promise<string[]> {
  const names = await readdir(snapshotDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names.filter((n) => SNAPSHOT.test(n)).sort();
}
