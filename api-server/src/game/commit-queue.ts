import type { LogEntry } from './log.ts';
import type { GameState } from './state.ts';

// Group commit for one session's log. The rules apply each command to the state in memory at
// once, in order; the entries then wait here for the store. One write is in flight at a time,
// and every entry that queued up while it ran goes out together in the next one: a session's
// commands cost one store round trip per batch instead of one each, and still reach the store
// in log order. Each caller is answered when the write holding its entry commits.
//
// A failed write fails its whole batch, and every entry queued behind it (their states grew
// from entries the store did not take): the queue is dead from then on, and its session must be
// reloaded from the store. Those never tried are failed as `retriable`, to be applied again.

/** One applied command whose entry the store has not taken yet. */
export interface UnsavedEntry<E> {
  entry: LogEntry;
  state: GameState;
  effects: E;
}

interface Waiting<E> {
  item: UnsavedEntry<E>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface CommitQueueOptions<E> {
  /** Stores the entries (in order) all or none; rejects when none were stored. */
  write: (items: readonly UnsavedEntry<E>[]) => Promise<void>;
  /** A write failed: the queue is dead. Called once, before any caller hears of it. */
  onFail: (err: unknown) => void;
  /** What an entry queued behind a failed write is failed with (it was never tried). */
  retriable: (cause: unknown) => Error;
  /** The most entries in one write (bounds a statement's size). */
  maxBatch?: number;
}

const DEFAULT_MAX_BATCH = 128;

export class CommitQueue<E> {
  readonly #o: CommitQueueOptions<E>;
  readonly #waiting: Waiting<E>[] = [];
  /** The batch being written now (empty between writes). */
  #inFlight: readonly UnsavedEntry<E>[] = [];
  #writing = false;
  #failed = false;
  /** Settles when everything pushed so far is stored or failed. */
  #last: Promise<void> = Promise.resolve();

  constructor(options: CommitQueueOptions<E>) {
    this.#o = options;
  }

  /** True once a write failed: nothing more is taken. */
  get dead(): boolean {
    return this.#failed;
  }

  /** Queues an entry; resolves once the store took it. Written at once when no write is in flight. */
  push(item: UnsavedEntry<E>): Promise<void> {
    if (this.#failed) return Promise.reject(this.#o.retriable(new Error('an earlier write of this session failed')));
    const stored = new Promise<void>((resolve, reject) => this.#waiting.push({ item, resolve, reject }));
    this.#last = stored.catch(() => undefined);
    if (!this.#writing) void this.#drain();
    return stored;
  }

  /** The entries not stored yet, in log order: the write in flight, then those waiting for the next. */
  pending(): UnsavedEntry<E>[] {
    return [...this.#inFlight, ...this.#waiting.map((w) => w.item)];
  }

  /** Resolves when every entry pushed so far is stored or has failed (never rejects). */
  settled(): Promise<void> {
    return this.#last;
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, this.#o.maxBatch ?? DEFAULT_MAX_BATCH);
        this.#inFlight = batch.map((w) => w.item);
        try {
          await this.#o.write(this.#inFlight);
        } catch (err) {
          this.#failed = true;
          this.#o.onFail(err);
          for (const w of batch) w.reject(err);
          const behind = this.#o.retriable(err);
          for (const w of this.#waiting.splice(0)) w.reject(behind);
          return;
        }
        for (const w of batch) w.resolve();
      }
    } finally {
      this.#inFlight = [];
      this.#writing = false;
    }
  }
}
