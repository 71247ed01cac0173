// The platform publishes every event at least once: its outbox relay publishes a batch again
// when it could not mark it published (a crash, Redis dropping mid-batch), and the envelope id
// stays the same. Subscribers drop what they already heard, by that id.

/** Remembers the last `capacity` event ids heard; `seen` is true for an id heard before. */
export class SeenEvents {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /** Records the id; true when it was already there (a repeat to drop). */
  seen(id: unknown): boolean {
    // An event without an id cannot be told apart from another: let it through.
    if (typeof id !== 'string' || id.length === 0) return false;
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value!);
    return false;
  }
}
