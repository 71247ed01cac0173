// The registrations of this replica that hold a seat and are still joining, per session: what
// the seat choice spreads a burst by (sessions/assignment.ts `busy`). A count per replica is
// enough: it only steers where a seat is sought, and the seat itself is still claimed by the
// conditional statement, so a wrong count costs time, never a seat too many.

/** One registration's place in the counts: moved when its claim changes session, released once. */
export interface JoiningHold {
  at(sessionId: string): void;
  release(): void;
}

export class Joining {
  readonly #counts = new Map<string, number>();

  count(sessionId: string): number {
    return this.#counts.get(sessionId) ?? 0;
  }

  hold(): JoiningHold {
    let current: string | null = null;
    const leave = () => {
      if (current === null) return;
      const n = this.count(current) - 1;
      if (n > 0) this.#counts.set(current, n);
      else this.#counts.delete(current);
      current = null;
    };
    return {
      at: (sessionId) => {
        if (current === sessionId) return;
        leave();
        current = sessionId;
        this.#counts.set(sessionId, this.count(sessionId) + 1);
      },
      release: leave,
    };
  }
}
