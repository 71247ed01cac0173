import type { CharacterBase } from '../character/base.ts';
import { CharacterDatabase, listDatabaseSnapshots } from '../state/database.ts';
import { DurableStore } from '../state/store.ts';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { LocalView } from '../state/view.ts';
import { emptySave, type Logger, type SavedCharacter } from './settings.ts';

/** How long changes gather before one write: events come in bursts. */
const SAVE_DEBOUNCE_MS = 200;

/**
 * The character's durable record under the data directory: what was restored at start, saves
 * gathered into one write after a burst of changes, and periodic snapshots.
 */
export class CharacterPersistence {
  readonly store: DurableStore<SavedCharacter>;
  #saved: SavedCharacter;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #character: CharacterBase;
  readonly #view: LocalView;
  readonly #log: Logger;

  constructor(o: { dataDir: string; characterId: string; keepSnapshots: number; character: CharacterBase; view: LocalView; log: Logger }) {
    this.store = new DurableStore<SavedCharacter>({ dir: o.dataDir, name: 'character', keepSnapshots: o.keepSnapshots });
    this.#saved = emptySave(o.characterId);
    this.#character = o.character;
    this.#view = o.view;
    this.#log = o.log;
  }

  /** The record as last saved or restored; parts of the runtime update it in place. */
  get saved(): SavedCharacter {
    return this.#saved;
  }

  /**
   * Opens the character's SQLite database and loads what a previous run left, when it belongs
   * to this character; true when it did.
   */
  async restore(): Promise<boolean> {
    await this.store.init();
    this.#character.db = await CharacterDatabase.open(this.store.dir);
    if (this.#character.db.restoredFrom) this.#log.warn({ snapshot: this.#character.db.restoredFrom }, 'the SQLite database was damaged; restored its newest snapshot');
    const saved = await this.store.load();
    if (!saved || saved.characterId !== this.#saved.characterId) return false;
    this.#saved = saved;
    this.#character.importMemory(saved.memory);
    if (saved.view) this.#view.reset(saved.view);
    return true;
  }

  schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.save().catch((err) => this.#log.warn({ err: String(err) }, 'save failed'));
    }, SAVE_DEBOUNCE_MS);
    this.#timer.unref();
  }

  async save(): Promise<void> {
    this.#saved = this.#current();
    await this.store.save(this.#saved);
  }

  /** A JSON snapshot and, beside it under the same number, a copy of the SQLite database. */
  async snapshot(): Promise<void> {
    const name = await this.store.snapshot(this.#current());
    const db = this.#character.db;
    if (!db) return;
    db.snapshotTo(path.join(this.store.snapshotDir, name.replace(/\.json$/, '.sqlite')));
    const kept = new Set((await this.store.listSnapshots()).map((n) => n.replace(/\.json$/, '.sqlite')));
    for (const old of await listDatabaseSnapshots(this.store.snapshotDir)) {
      if (!kept.has(old)) await rm(path.join(this.store.snapshotDir, old), { force: true });
    }
  }

  /** Stops scheduled saves and writes the last one. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    try {
      await this.save();
    } finally {
      this.#character.db?.close();
    }
  }

  #current(): SavedCharacter {
    return { ...this.#saved, memory: this.#character.exportMemory(), view: this.#view.confirmed };
  }
}
