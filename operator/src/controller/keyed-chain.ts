// Per key, one task at a time in the order they were handed over; different keys run at once.
// Platform reports are sent in the background (they must not hold a reconcile worker), so two
// reports of one Character can be in flight together; the api-server keeps whichever lands last.
// Chained per Character, a slow report can no longer land after a newer one or after the
// withdrawal of a deleted Character.

export class KeyedChain {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every task handed over earlier under `key` has settled; its own result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task still pending. */
  get size(): number {
    return this.tails.size;
  }
}
